package dataframe

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/io"
)

// predicate is "column op constant", from a Filter expression.
type predicate struct {
	col string
	op  string
	val any // int64, float64 or string
}

func (p predicate) String() string {
	if s, ok := p.val.(string); ok {
		return fmt.Sprintf("%s %s %s", p.col, p.op, engine.SQLString(s))
	}
	return fmt.Sprintf("%s %s %v", p.col, p.op, p.val)
}

// mayHold reports whether some value in [st.Min, st.Max] satisfies p.
func (p predicate) mayHold(st io.ColumnStats) bool {
	if !st.OK {
		return true
	}
	lo, hi := compareAny(p.val, st.Min), compareAny(p.val, st.Max)
	if !comparable(p.val, st.Min) {
		return true
	}
	switch p.op {
	case "=":
		return lo >= 0 && hi <= 0
	case "<":
		return compareAny(st.Min, p.val) < 0
	case "<=":
		return compareAny(st.Min, p.val) <= 0
	case ">":
		return compareAny(st.Max, p.val) > 0
	case ">=":
		return compareAny(st.Max, p.val) >= 0
	}
	return true
}

func comparable(a, b any) bool {
	_, as := a.(string)
	_, bs := b.(string)
	return as == bs
}

// parsePredicates finds the conjuncts of a Filter expression of the form
// column op constant (or constant op column). Anything else is left to
// the filter itself.
func parsePredicates(expr string, s *arrow.Schema) []predicate {
	var out []predicate
	for _, part := range splitAnd(expr) {
		part = strings.TrimSpace(part)
		for len(part) > 1 && part[0] == '(' && part[len(part)-1] == ')' && balanced(part[1:len(part)-1]) {
			part = strings.TrimSpace(part[1 : len(part)-1])
		}
		if p, ok := parseComparison(part, s); ok {
			out = append(out, p)
		}
	}
	return out
}

// splitAnd splits expr at top-level ANDs (outside parentheses and quotes).
func splitAnd(expr string) []string {
	var parts []string
	depth, start := 0, 0
	inQuote := false
	up := strings.ToUpper(expr)
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; {
		case c == '\'':
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && i+5 <= len(expr) && up[i:i+5] == " AND ":
			parts = append(parts, expr[start:i])
			start = i + 5
			i += 4
		}
	}
	parts = append(parts, expr[start:])
	// A whole expression in parentheses: look inside.
	if len(parts) == 1 {
		t := strings.TrimSpace(parts[0])
		if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") && balanced(t[1:len(t)-1]) {
			return splitAnd(t[1 : len(t)-1])
		}
	}
	return parts
}

func balanced(s string) bool {
	d := 0
	for _, c := range s {
		if c == '(' {
			d++
		} else if c == ')' {
			d--
			if d < 0 {
				return false
			}
		}
	}
	return d == 0
}

func parseComparison(e string, s *arrow.Schema) (predicate, bool) {
	for _, op := range []string{"<=", ">=", "<>", "!=", "=", "<", ">"} {
		i := strings.Index(e, op)
		if i <= 0 {
			continue
		}
		l, r := strings.TrimSpace(e[:i]), strings.TrimSpace(e[i+len(op):])
		if op == "<>" || op == "!=" {
			return predicate{}, false
		}
		if col, ok := columnName(l, s); ok {
			if v, ok := constant(r); ok {
				return predicate{col: col, op: op, val: v}, true
			}
		}
		if col, ok := columnName(r, s); ok {
			if v, ok := constant(l); ok {
				flip := map[string]string{"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "="}[op]
				return predicate{col: col, op: flip, val: v}, true
			}
		}
		return predicate{}, false
	}
	return predicate{}, false
}

func columnName(t string, s *arrow.Schema) (string, bool) {
	if strings.HasPrefix(t, `"`) && strings.HasSuffix(t, `"`) && len(t) > 1 {
		t = t[1 : len(t)-1]
	} else {
		for _, f := range s.Fields() {
			if strings.EqualFold(f.Name, t) {
				t = f.Name
			}
		}
	}
	idx := s.FieldIndices(t)
	if len(idx) == 0 {
		return "", false
	}
	switch s.Field(idx[0]).Type.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.FLOAT32, arrow.FLOAT64, arrow.STRING:
		return t, true
	}
	return "", false
}

func constant(t string) (any, bool) {
	if len(t) >= 2 && t[0] == '\'' && t[len(t)-1] == '\'' {
		return strings.ReplaceAll(t[1:len(t)-1], "''", "'"), true
	}
	if v, err := strconv.ParseInt(t, 10, 64); err == nil {
		return v, true
	}
	if v, err := strconv.ParseFloat(t, 64); err == nil {
		return v, true
	}
	return nil, false
}
