package kernels

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Arith is an arithmetic expression over int64 and float64 columns, done
// in Go as DuckDB does it: + - * and % of integers stay integers (an
// overflow is an error, a remainder by 0 is null), / divides as floats,
// an integer meets a float as a float, % of floats is C's fmod, and a null
// operand gives null. The dataframe package makes one from a user's SQL
// expression only when DuckDB plans it to the type Go gives.
type Arith struct {
	// Op is "col" (the column Col), "int" (Int), "float" (Float), "neg"
	// (minus Args[0]) or one of + - * / % (of Args[0] and Args[1]).
	Op    string
	Col   string
	Int   int64
	Float float64
	Args  []Arith
	// IsFloat: the result is float64 (else int64).
	IsFloat bool
}

// Computed is a column computed before a Go aggregation (an Assign below
// it): Expr's values under Name, replacing a column of that name. SQL is
// the user's expression, for errors.
type Computed struct {
	Name string
	SQL  string
	Expr Arith
}

// vec is an expression's values: one per row, or one for all (cnst).
type vec struct {
	i     []int64
	f     []float64
	null  []bool // nil: no nulls
	cnst  bool
	float bool
}

func (v *vec) isNull(k int) bool { return v.null != nil && v.null[k] }

func (v *vec) int(k int) int64 {
	if v.cnst {
		return v.i[0]
	}
	return v.i[k]
}

func (v *vec) flt(k int) float64 {
	switch {
	case v.cnst && v.float:
		return v.f[0]
	case v.cnst:
		return float64(v.i[0])
	case v.float:
		return v.f[k]
	}
	return float64(v.i[k])
}

// compute returns c's column over rec.
func (c *Computed) compute(rec arrow.RecordBatch) (arrow.Array, error) {
	n := int(rec.NumRows())
	v, err := c.Expr.eval(rec, n, c)
	if err != nil {
		return nil, err
	}
	if v.cnst {
		// An expression of constants only is not made (see Arith).
		return nil, fmt.Errorf("dataframe: %s = %s reads no column", c.Name, c.SQL)
	}
	var valid *memory.Buffer
	nulls := 0
	if v.null != nil {
		valid, nulls = validBits(n, func(k int) bool { return !v.null[k] })
	}
	if v.float {
		return float64Array(v.f, valid, nulls), nil
	}
	return int64Array(v.i, valid, nulls), nil
}

func (e *Arith) eval(rec arrow.RecordBatch, n int, c *Computed) (*vec, error) {
	switch e.Op {
	case "col":
		i, err := columnOf(rec.Schema(), e.Col, c.Name)
		if err != nil {
			return nil, err
		}
		col := rec.Column(i)
		v := &vec{}
		switch a := col.(type) {
		case *array.Int64:
			v.i = a.Int64Values()
		case *array.Float64:
			v.f, v.float = a.Float64Values(), true
		default:
			return nil, fmt.Errorf("dataframe: %s = %s: column %s is %s, planned int64 or float64", c.Name, c.SQL, e.Col, col.DataType())
		}
		if col.NullN() > 0 {
			v.null = make([]bool, n)
			for k := range v.null {
				v.null[k] = col.IsNull(k)
			}
		}
		return v, nil
	case "int":
		return &vec{i: []int64{e.Int}, cnst: true}, nil
	case "float":
		return &vec{f: []float64{e.Float}, cnst: true, float: true}, nil
	}
	args := make([]*vec, len(e.Args))
	for j := range e.Args {
		var err error
		if args[j], err = e.Args[j].eval(rec, n, c); err != nil {
			return nil, err
		}
	}
	if e.Op == "neg" {
		a := args[0]
		out := &vec{null: a.null, float: e.IsFloat}
		if e.IsFloat {
			out.f = make([]float64, n)
			for k := range out.f {
				out.f[k] = -a.flt(k)
			}
			return out, nil
		}
		out.i = make([]int64, n)
		for k := range out.i {
			x := a.int(k)
			if x == math.MinInt64 && !a.isNull(k) {
				return nil, fmt.Errorf("dataframe: %s = %s: overflow in the negation of %d (row %d)", c.Name, c.SQL, x, k)
			}
			out.i[k] = -x
		}
		return out, nil
	}
	a, b := args[0], args[1]
	out := &vec{float: e.IsFloat}
	if a.null != nil || b.null != nil {
		out.null = make([]bool, n)
		for k := range out.null {
			out.null[k] = a.isNull(k) || b.isNull(k)
		}
	}
	if e.IsFloat {
		out.f = make([]float64, n)
		for k := range out.f {
			x, y := a.flt(k), b.flt(k)
			switch e.Op {
			case "+":
				out.f[k] = x + y
			case "-":
				out.f[k] = x - y
			case "*":
				out.f[k] = x * y
			case "/":
				out.f[k] = x / y
			case "%":
				out.f[k] = math.Mod(x, y)
			}
		}
		return out, nil
	}
	out.i = make([]int64, n)
	overflow := func(k int, x, y int64) error {
		return fmt.Errorf("dataframe: %s = %s: overflow of int64 in %d %s %d (row %d)", c.Name, c.SQL, x, e.Op, y, k)
	}
	switch e.Op {
	case "%":
		if b.cnst && b.i[0] > 0 {
			y := b.i[0]
			for k := range out.i {
				out.i[k] = a.int(k) % y
			}
			return out, nil
		}
		for k := range out.i {
			x, y := a.int(k), b.int(k)
			switch {
			case out.isNull(k):
			case y == 0:
				// A remainder by 0 is null.
				if out.null == nil {
					out.null = make([]bool, n)
				}
				out.null[k] = true
			case y == -1 && x == math.MinInt64:
				return nil, overflow(k, x, y)
			default:
				out.i[k] = x % y
			}
		}
	case "+":
		for k := range out.i {
			x, y := a.int(k), b.int(k)
			s := x + y
			if (x > 0 && y > 0 && s < 0 || x < 0 && y < 0 && s >= 0) && !out.isNull(k) {
				return nil, overflow(k, x, y)
			}
			out.i[k] = s
		}
	case "-":
		for k := range out.i {
			x, y := a.int(k), b.int(k)
			d := x - y
			if (x >= 0 && y < 0 && d < 0 || x < 0 && y > 0 && d >= 0) && !out.isNull(k) {
				return nil, overflow(k, x, y)
			}
			out.i[k] = d
		}
	case "*":
		for k := range out.i {
			x, y := a.int(k), b.int(k)
			p := x * y
			if x != 0 && (p/x != y || x == -1 && y == math.MinInt64 || y == -1 && x == math.MinInt64) && !out.isNull(k) {
				return nil, overflow(k, x, y)
			}
			out.i[k] = p
		}
	default:
		return nil, fmt.Errorf("dataframe: %s = %s: no integer %s in Go", c.Name, c.SQL, e.Op)
	}
	return out, nil
}

// withComputed returns rec with the computed columns added (or put in
// place of columns of their names), in order.
func withComputed(rec arrow.RecordBatch, cs []Computed) (arrow.RecordBatch, error) {
	for i := range cs {
		col, err := cs[i].compute(rec)
		if err != nil {
			return nil, err
		}
		fields, cols := rec.Schema().Fields(), rec.Columns()
		f := arrow.Field{Name: cs[i].Name, Type: col.DataType(), Nullable: true}
		if j := rec.Schema().FieldIndices(cs[i].Name); len(j) > 0 {
			cols = append([]arrow.Array(nil), cols...)
			fields[j[0]], cols[j[0]] = f, col
		} else {
			fields, cols = append(fields, f), append(cols[:len(cols):len(cols)], col)
		}
		rec = array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, rec.NumRows())
	}
	return rec, nil
}
