package dataframe

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/engine"
)

// Expr is a typed column expression: Col("x").Gt(0).And(Col("k").Str().
// StartsWith("a")). It renders to DuckDB SQL, with identifiers and
// literals quoted, against the schema of the DataFrame it is used on
// (FilterExpr, AssignExpr), where it is checked: an unknown column, or a
// function on a column of the wrong type, is an error of that call naming
// the column and its type. An Expr is an immutable value; the zero Expr is
// an error where used.
type Expr struct {
	build func(s *arrow.Schema) (typedSQL, error)
	text  string
}

// typedSQL is an Expr rendered against a schema.
type typedSQL struct {
	sql string
	t   arrow.DataType // nil when the plan does not know it
	lit *literal       // set for a literal, which comparisons render bare
	col string         // set for a column reference
	// conj are the conjuncts of an And, and of a comparison of a column
	// with a constant, written so that the optimizer reads them as
	// predicates (column op constant, with no parentheses).
	conj []string
}

// literal is a Go constant in an Expr.
type literal struct {
	v any // nil, int64, uint64, float64, string, bool or time.Time
}

// Col is the column name of the DataFrame the expression is used on.
func Col(name string) Expr {
	return Expr{text: "Col(" + strconv.Quote(name) + ")", build: func(s *arrow.Schema) (typedSQL, error) {
		i, err := columnIndex(s, name, "Col")
		if err != nil {
			return typedSQL{}, err
		}
		return typedSQL{sql: engine.QuoteIdent(name), t: s.Field(i).Type, col: name}, nil
	}}
}

// Lit is a constant: an integer, float, string, bool, time.Time (an
// instant, compared as UTC) or nil (NULL). Strings are quoted with their
// quotes escaped; another type is an error where the Expr is used.
func Lit(v any) Expr {
	text := fmt.Sprintf("Lit(%v)", v)
	switch x := v.(type) {
	case string:
		text = "Lit(" + strconv.Quote(x) + ")"
	case time.Time:
		text = "Lit(" + x.Format(time.RFC3339Nano) + ")"
	case nil:
		text = "Lit(nil)"
	}
	var l literal
	switch x := v.(type) {
	case nil:
	case int:
		l.v = int64(x)
	case int8:
		l.v = int64(x)
	case int16:
		l.v = int64(x)
	case int32:
		l.v = int64(x)
	case int64:
		l.v = x
	case uint8:
		l.v = int64(x)
	case uint16:
		l.v = int64(x)
	case uint32:
		l.v = int64(x)
	case uint:
		l.v = uint64(x)
	case uint64:
		l.v = x
	case float32:
		l.v = float64(x)
	case float64, string, bool:
		l.v = x
	case time.Time:
		l.v = x.UTC()
	case Expr:
		return x
	default:
		return Expr{text: text, build: func(*arrow.Schema) (typedSQL, error) {
			return typedSQL{}, fmt.Errorf("Lit: a %T cannot be a constant; use an integer, float, string, bool, time.Time or nil", v)
		}}
	}
	return Expr{text: text, build: func(*arrow.Schema) (typedSQL, error) {
		return typedSQL{sql: l.typed(), t: l.arrowType(), lit: &l}, nil
	}}
}

// typed renders the literal with its type fixed (an integer is a BIGINT,
// not DuckDB's narrowest type for the digits).
func (l *literal) typed() string {
	switch x := l.v.(type) {
	case int64:
		return fmt.Sprintf("CAST(%d AS BIGINT)", x)
	case uint64:
		return fmt.Sprintf("CAST(%d AS UBIGINT)", x)
	case float64:
		return "CAST(" + engine.SQLString(floatText(x)) + " AS DOUBLE)"
	}
	return l.bare()
}

// bare renders the literal for a comparison with a column, where DuckDB
// casts a constant to the column's type.
func (l *literal) bare() string {
	switch x := l.v.(type) {
	case nil:
		return "NULL"
	case int64, uint64:
		return fmt.Sprint(x)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return l.typed()
		}
		return floatText(x)
	case string:
		return engine.SQLString(x)
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	case time.Time:
		return fmt.Sprintf("make_timestamp(CAST(%d AS BIGINT))", x.UnixMicro())
	}
	panic(fmt.Sprintf("dataframe: a literal of type %T", l.v))
}

func floatText(x float64) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

func (l *literal) arrowType() arrow.DataType {
	switch l.v.(type) {
	case int64:
		return arrow.PrimitiveTypes.Int64
	case uint64:
		return arrow.PrimitiveTypes.Uint64
	case float64:
		return arrow.PrimitiveTypes.Float64
	case string:
		return arrow.BinaryTypes.String
	case bool:
		return arrow.FixedWidthTypes.Boolean
	case time.Time:
		return arrow.FixedWidthTypes.Timestamp_us
	}
	return nil
}

// exprOf turns an operand into an Expr: an Expr stays one, anything else
// is a Lit.
func exprOf(v any) Expr {
	if e, ok := v.(Expr); ok {
		return e
	}
	return Lit(v)
}

// String is the expression as written in Go, such as
// Col("x").Gt(Lit(0)).
func (e Expr) String() string {
	if e.build == nil {
		return "Expr{}"
	}
	return e.text
}

// render renders e against s.
func (e Expr) render(s *arrow.Schema) (typedSQL, error) {
	if e.build == nil {
		return typedSQL{}, errors.New("an empty Expr; make one with Col or Lit")
	}
	return e.build(s)
}

// SQL returns the DuckDB SQL of e over the columns of s, checked as
// FilterExpr and AssignExpr check it.
func (e Expr) SQL(s *arrow.Schema) (string, error) {
	t, err := e.render(s)
	return t.sql, err
}

// what names an operand in messages: the column, or the expression.
func (t typedSQL) what(e Expr) string {
	if t.col != "" {
		return fmt.Sprintf("column %q", t.col)
	}
	return e.String()
}

func typeKind(t arrow.DataType) string {
	switch {
	case t == nil:
		return "unknown"
	case isNumeric(t):
		return "number"
	case isString(t):
		return "string"
	case t.ID() == arrow.BOOL:
		return "bool"
	case isTemporal(t):
		return "time"
	}
	return t.String()
}

func isNumeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.DECIMAL256:
		return true
	}
	return false
}

func isFloat(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		return true
	}
	return false
}

func isString(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return true
	case arrow.DICTIONARY:
		return isString(t.(*arrow.DictionaryType).ValueType)
	}
	return false
}

func isTemporal(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP:
		return true
	}
	return false
}

// binary builds "a op b" with the result type res gives (nil: unknown);
// check refuses operand types.
func binary(name, op string, a Expr, bv any, check func(name string, e Expr, t typedSQL) error, res func(x, y arrow.DataType) arrow.DataType) Expr {
	b := exprOf(bv)
	return Expr{text: fmt.Sprintf("%s.%s(%s)", a, name, b), build: func(s *arrow.Schema) (typedSQL, error) {
		x, err := a.render(s)
		if err != nil {
			return typedSQL{}, err
		}
		y, err := b.render(s)
		if err != nil {
			return typedSQL{}, err
		}
		if check != nil {
			if err := check(name, a, x); err != nil {
				return typedSQL{}, err
			}
			if err := check(name, b, y); err != nil {
				return typedSQL{}, err
			}
		}
		xs, ys := x.sql, y.sql
		if isComparison(op) {
			if err := comparable2(name, a, x, b, y); err != nil {
				return typedSQL{}, err
			}
		}
		// A constant compared with a column (or another expression) takes
		// its type; in arithmetic it keeps its own (BIGINT, DOUBLE).
		if isComparison(op) && x.lit != nil && y.lit == nil {
			xs = x.lit.against(y.t)
		}
		if isComparison(op) && y.lit != nil && x.lit == nil {
			ys = y.lit.against(x.t)
		}
		out := typedSQL{sql: "(" + xs + " " + op + " " + ys + ")", t: res(x.t, y.t)}
		switch {
		case op == "AND":
			out.conj = append(conjuncts(x), conjuncts(y)...)
		case (x.col != "" && y.lit != nil) || (y.col != "" && x.lit != nil):
			out.conj = []string{xs + " " + op + " " + ys}
		}
		return out, nil
	}}
}

// conjuncts returns the parts of t joined by AND.
func conjuncts(t typedSQL) []string {
	if t.conj != nil {
		return t.conj
	}
	return []string{t.sql}
}

func isComparison(op string) bool {
	switch op {
	case "=", "<>", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// comparable2 refuses a comparison of operands known to be of kinds that
// do not compare (a string with a number, say), which DuckDB would try to
// cast one to the other row by row.
func comparable2(name string, a Expr, x typedSQL, b Expr, y typedSQL) error {
	if x.t == nil || y.t == nil {
		return nil
	}
	kx, ky := typeKind(x.t), typeKind(y.t)
	if kx == ky {
		return nil
	}
	return fmt.Errorf("%s: %s is %s but %s is %s; compare values of one kind (numbers, strings, bools or times)", name, x.what(a), typeName(x.t), y.what(b), typeName(y.t))
}

// against renders the literal in a comparison with an operand of type t
// (nil: unknown), whose type DuckDB gives a bare constant; a time is
// compared as the instant it is with a zoned timestamp.
func (l *literal) against(t arrow.DataType) string {
	if tm, ok := l.v.(time.Time); ok {
		if ts, ok := t.(*arrow.TimestampType); ok && ts.TimeZone != "" {
			return fmt.Sprintf("timezone('UTC', make_timestamp(CAST(%d AS BIGINT)))", tm.UnixMicro())
		}
	}
	return l.bare()
}

func boolResult(_, _ arrow.DataType) arrow.DataType { return arrow.FixedWidthTypes.Boolean }

// numbers refuses an operand of arithmetic that is known not to be a
// number.
func numbers(name string, e Expr, t typedSQL) error {
	if t.t != nil && !isNumeric(t.t) {
		return fmt.Errorf("%s: %s is %s, not a number; arithmetic needs numbers", name, t.what(e), typeName(t.t))
	}
	return nil
}

// bools refuses an operand of And, Or or Not that is known not to be a
// boolean.
func bools(name string, e Expr, t typedSQL) error {
	if t.t != nil && t.t.ID() != arrow.BOOL {
		return fmt.Errorf("%s: %s is %s, not a boolean", name, t.what(e), typeName(t.t))
	}
	return nil
}

func numResult(x, y arrow.DataType) arrow.DataType {
	if x == nil || y == nil {
		return nil
	}
	if isFloat(x) || isFloat(y) {
		return arrow.PrimitiveTypes.Float64
	}
	return nil
}

// Eq is e = v (v an Expr or a constant); a comparison with NULL is NULL,
// as in SQL: use IsNull to find nulls.
func (e Expr) Eq(v any) Expr { return binary("Eq", "=", e, v, nil, boolResult) }

// Ne is e <> v.
func (e Expr) Ne(v any) Expr { return binary("Ne", "<>", e, v, nil, boolResult) }

// Lt is e < v.
func (e Expr) Lt(v any) Expr { return binary("Lt", "<", e, v, nil, boolResult) }

// Le is e <= v.
func (e Expr) Le(v any) Expr { return binary("Le", "<=", e, v, nil, boolResult) }

// Gt is e > v.
func (e Expr) Gt(v any) Expr { return binary("Gt", ">", e, v, nil, boolResult) }

// Ge is e >= v.
func (e Expr) Ge(v any) Expr { return binary("Ge", ">=", e, v, nil, boolResult) }

// Add is e + v, of numbers.
func (e Expr) Add(v any) Expr { return binary("Add", "+", e, v, numbers, numResult) }

// Sub is e - v, of numbers.
func (e Expr) Sub(v any) Expr { return binary("Sub", "-", e, v, numbers, numResult) }

// Mul is e * v, of numbers.
func (e Expr) Mul(v any) Expr { return binary("Mul", "*", e, v, numbers, numResult) }

// Div is e / v, of numbers: a float64 even for integers (DuckDB's /); a
// division by zero is NULL.
func (e Expr) Div(v any) Expr {
	return binary("Div", "/", e, v, numbers, func(_, _ arrow.DataType) arrow.DataType { return arrow.PrimitiveTypes.Float64 })
}

// And is e AND v, of booleans (SQL's three-valued logic with nulls).
func (e Expr) And(v any) Expr { return binary("And", "AND", e, v, bools, boolResult) }

// Or is e OR v, of booleans.
func (e Expr) Or(v any) Expr { return binary("Or", "OR", e, v, bools, boolResult) }

// unary builds a function of one Expr.
func unary(e Expr, name string, check func(name string, e Expr, t typedSQL) error, render func(x string) string, res arrow.DataType) Expr {
	return Expr{text: fmt.Sprintf("%s.%s()", e, name), build: func(s *arrow.Schema) (typedSQL, error) {
		x, err := e.render(s)
		if err != nil {
			return typedSQL{}, err
		}
		if check != nil {
			if err := check(name, e, x); err != nil {
				return typedSQL{}, err
			}
		}
		return typedSQL{sql: render(x.sql), t: res}, nil
	}}
}

// Not is NOT e, of a boolean.
func (e Expr) Not() Expr {
	return unary(e, "Not", bools, func(x string) string { return "(NOT " + x + ")" }, arrow.FixedWidthTypes.Boolean)
}

// IsNull is true where e is null.
func (e Expr) IsNull() Expr {
	return unary(e, "IsNull", nil, func(x string) string { return "(" + x + " IS NULL)" }, arrow.FixedWidthTypes.Boolean)
}

// IsNotNull is true where e is not null.
func (e Expr) IsNotNull() Expr {
	return unary(e, "IsNotNull", nil, func(x string) string { return "(" + x + " IS NOT NULL)" }, arrow.FixedWidthTypes.Boolean)
}
