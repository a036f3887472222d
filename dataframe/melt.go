package dataframe

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/engine"
)

// Melt turns columns into rows (pandas' melt, SQL's UNPIVOT): each row
// becomes one row per value column, with the idVars columns, the value
// column's name in a string column varName and its value in valueName
// (nulls kept). With no valueVars, every column not in idVars is one;
// empty names are "variable" and "value". It runs on every partition
// alone: the result has as many partitions, and within one the rows of an
// input row are not in a defined order.
//
// The value columns must share a type, or have one that holds every value
// of all of them exactly (integers widen, an integer of up to 32 bits and
// a float become float64, float32 widens to float64, categorical and
// string columns are strings); otherwise Melt is an error that names them.
func (df *DataFrame) Melt(idVars, valueVars []string, varName, valueName string) *DataFrame {
	if df.err != nil {
		return df
	}
	const op = "Melt"
	s := df.Schema()
	if varName == "" {
		varName = "variable"
	}
	if valueName == "" {
		valueName = "value"
	}
	if varName == valueName {
		return df.fail(op, fmt.Errorf("varName and valueName are both %q; give them different names", varName))
	}
	isID := map[string]bool{}
	for _, c := range idVars {
		if _, err := columnIndex(s, c, op); err != nil {
			return df.fail(op, err)
		}
		if isID[c] {
			return df.fail(op, fmt.Errorf("id column %q is given twice", c))
		}
		isID[c] = true
	}
	if isID[varName] || isID[valueName] {
		return df.fail(op, fmt.Errorf("an id column is named like the result's column %q or %q; rename it, or name those differently", varName, valueName))
	}
	if len(valueVars) == 0 {
		for _, f := range s.Fields() {
			if !isID[f.Name] {
				valueVars = append(valueVars, f.Name)
			}
		}
		if len(valueVars) == 0 {
			return df.fail(op, errors.New("every column is an id column: there are no value columns to melt"))
		}
	}
	types := make([]arrow.DataType, len(valueVars))
	seen := map[string]bool{}
	for i, c := range valueVars {
		idx, err := columnIndex(s, c, op)
		if err != nil {
			return df.fail(op, err)
		}
		if isID[c] {
			return df.fail(op, fmt.Errorf("column %q is both an id column and a value column", c))
		}
		if seen[c] {
			return df.fail(op, fmt.Errorf("value column %q is given twice", c))
		}
		seen[c] = true
		types[i] = s.Field(idx).Type
	}
	common, err := commonType(valueVars, types)
	if err != nil {
		return df.fail(op, err)
	}
	sel := make([]string, 0, len(idVars)+len(valueVars))
	for _, c := range idVars {
		sel = append(sel, engine.QuoteIdent(c))
	}
	on := make([]string, len(valueVars))
	for i, c := range valueVars {
		q := engine.QuoteIdent(c)
		on[i] = q
		if common != "" {
			sel = append(sel, fmt.Sprintf("CAST(%s AS %s) AS %s", q, common, q))
		} else {
			sel = append(sel, q)
		}
	}
	query := fmt.Sprintf("SELECT * FROM (SELECT %s FROM part) AS __dusk_melt UNPIVOT INCLUDE NULLS (%s FOR %s IN (%s))",
		strings.Join(sel, ", "), engine.QuoteIdent(valueName), engine.QuoteIdent(varName), strings.Join(on, ", "))
	in := df.n.meta()
	return df.derivedSQL(op, fmt.Sprintf("[%s] -> %s, %s", strings.Join(valueVars, ", "), varName, valueName), query,
		func(m *meta) *meta {
			m.bytes = -1
			if len(in.hashed) > 0 {
				kept := true
				for _, c := range in.hashed {
					kept = kept && isID[c]
				}
				if kept {
					m.hashed = in.hashed
				}
			}
			return m
		})
}

// commonType returns the DuckDB type the value columns (named cols, of
// types ts) are cast to for Melt: "" when they share one, or the type
// that holds every value of each exactly; an error names the columns that
// have none.
func commonType(cols []string, ts []arrow.DataType) (string, error) {
	same := true
	for _, t := range ts[1:] {
		same = same && arrow.TypeEqual(t, ts[0])
	}
	if same {
		if _, ok := ts[0].(*arrow.DictionaryType); ok {
			return "VARCHAR", nil
		}
		return "", nil
	}
	kind := func(t arrow.DataType) string {
		switch {
		case arrow.IsInteger(t.ID()):
			return "int"
		case arrow.IsFloating(t.ID()):
			return "float"
		case t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING || t.ID() == arrow.DICTIONARY:
			return "string"
		}
		return t.String()
	}
	refuse := func(i, j int) error {
		return fmt.Errorf("value columns %q (%s) and %q (%s) have no common type that holds the values of both exactly; cast one with Assign first",
			cols[i], typeName(ts[i]), cols[j], typeName(ts[j]))
	}
	first := kind(ts[0])
	for i, t := range ts {
		k := kind(t)
		if k == first || (k == "int" || k == "float") && (first == "int" || first == "float") {
			continue
		}
		return "", refuse(0, i)
	}
	if first == "string" {
		return "VARCHAR", nil
	}
	if first != "int" && first != "float" {
		// Same kind, different types (timestamps of two units, say).
		for j, t := range ts {
			if !arrow.TypeEqual(t, ts[0]) {
				return "", refuse(0, j)
			}
		}
	}
	// Numbers: the widest integer, signed when any is; floats become
	// DOUBLE, with integers of up to 32 bits only (a DOUBLE holds them
	// exactly, not every int64).
	anyFloat, anySigned, anyU64 := false, false, false
	bitsOf := 0
	widest := -1
	for i, t := range ts {
		switch {
		case arrow.IsFloating(t.ID()):
			anyFloat = true
		case arrow.IsSignedInteger(t.ID()):
			anySigned = true
		case t.ID() == arrow.UINT64:
			anyU64 = true
		}
		if b, _ := intBits(t); b > bitsOf {
			bitsOf, widest = b, i
		}
	}
	if anyFloat {
		for i, t := range ts {
			if b, _ := intBits(t); b > 32 {
				fi := 0
				for j, u := range ts {
					if arrow.IsFloating(u.ID()) {
						fi = j
					}
				}
				return "", refuse(i, fi)
			}
		}
		return "DOUBLE", nil
	}
	if anySigned && anyU64 {
		for i, t := range ts {
			if arrow.IsSignedInteger(t.ID()) {
				return "", refuse(widest, i)
			}
		}
	}
	if !anySigned {
		return map[int]string{8: "UTINYINT", 16: "USMALLINT", 32: "UINTEGER", 64: "UBIGINT"}[bitsOf], nil
	}
	// Signed: an unsigned column needs twice its bits.
	need := bitsOf
	for _, t := range ts {
		if arrow.IsUnsignedInteger(t.ID()) {
			b, _ := intBits(t)
			need = max(need, 2*b)
		}
	}
	return map[int]string{8: "TINYINT", 16: "SMALLINT", 32: "INTEGER", 64: "BIGINT"}[need], nil
}
