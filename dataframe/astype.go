package dataframe

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/engine"
)

// astypeTargets are the types Astype casts to.
var astypeTargets = []arrow.DataType{
	arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64,
	arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64,
	arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64, arrow.BinaryTypes.String, arrow.FixedWidthTypes.Boolean,
}

// Astype casts columns to other types: column name to arrow type (the
// integer and float types, arrow.BinaryTypes.String and
// arrow.FixedWidthTypes.Boolean). A cast never loses information behind
// your back: a value the new type cannot hold exactly (a float with a
// fraction or NaN cast to an integer, a value out of the type's range, a
// float that float32 cannot hold exactly, a string that is not a number
// of the type) is an error of the computation that names the column and
// the first such value of the partition that has it. Casting to a wider type, or anything to string, always
// works. Nulls stay null.
func (df *DataFrame) Astype(types map[string]arrow.DataType) *DataFrame {
	if df.err != nil {
		return df
	}
	if len(types) == 0 {
		return df.fail("Astype", errors.New("no columns given"))
	}
	s := df.Schema()
	exprs := map[string]string{}
	var order, what []string
	names := make([]string, 0, len(types))
	for c := range types {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		if _, err := columnIndex(s, c, "Astype"); err != nil {
			return df.fail("Astype", err)
		}
	}
	for _, f := range s.Fields() {
		to, ok := types[f.Name]
		if !ok {
			continue
		}
		expr, err := castExpr(f, to)
		if err != nil {
			return df.fail("Astype", err)
		}
		if expr == "" {
			continue // already of that type
		}
		exprs[f.Name] = expr
		order = append(order, f.Name)
		what = append(what, f.Name+" "+typeName(to))
	}
	d := df.replaceColumns("Astype", strings.Join(what, ", "), exprs, order)
	if d.err != nil {
		return d
	}
	for _, c := range order {
		got := d.Schema().Field(d.Schema().FieldIndices(c)[0]).Type
		if !arrow.TypeEqual(got, types[c]) {
			return df.fail("Astype", fmt.Errorf("column %q came out as %s, not %s", c, typeName(got), typeName(types[c])))
		}
	}
	return d
}

// castExpr returns the SQL that casts column f to type to, or an error of
// the computation for a value that does not survive it; "" when the column
// is already of that type.
func castExpr(f arrow.Field, to arrow.DataType) (string, error) {
	if to == nil {
		return "", fmt.Errorf("the type for column %q is nil", f.Name)
	}
	if arrow.TypeEqual(f.Type, to) {
		return "", nil
	}
	target := ""
	for _, t := range astypeTargets {
		if arrow.TypeEqual(t, to) {
			target = sqlType(t)
		}
	}
	if target == "" {
		names := make([]string, len(astypeTargets))
		for i, t := range astypeTargets {
			names[i] = t.String()
		}
		return "", fmt.Errorf("column %q: Astype casts to %s, not %s", f.Name, strings.Join(names, ", "), typeName(to))
	}
	if _, ok := f.Type.(*arrow.DictionaryType); ok {
		return "", fmt.Errorf("column %q is categorical; Astype does not cast categorical columns", f.Name)
	}
	c := engine.QuoteIdent(f.Name)
	if target == "VARCHAR" {
		return fmt.Sprintf("CAST(%s AS VARCHAR)", c), nil
	}
	source := sqlType(f.Type)
	if source == "" {
		return "", fmt.Errorf("column %q is %s: Astype casts it only to string", f.Name, typeName(f.Type))
	}
	v := fmt.Sprintf("TRY_CAST(%s AS %s)", c, target)
	// The test is one comparison (a failed cast makes it null, so false):
	// DuckDB then sends the rows that fail to error() in row order, and the
	// value named is the first bad one (of its chunk of rows, for a
	// partition large enough for DuckDB to scan it in parallel).
	var ok string
	switch {
	case source == "VARCHAR" && arrow.IsInteger(to.ID()):
		// "2.5" parses as 3: a string must be the whole number it names.
		ok = fmt.Sprintf("coalesce(TRY_CAST(%s AS DOUBLE) = CAST(%s AS DOUBLE), false)", c, v)
	case source == "VARCHAR":
		ok = v + " IS NOT NULL"
	default:
		// The value must come back unchanged (DuckDB rounds floats to
		// integers, and to float32).
		ok = fmt.Sprintf("coalesce(TRY_CAST(%s AS %s) = %s, false)", v, source, c)
	}
	msg := engine.SQLString(fmt.Sprintf("Astype: column %q: the value ", f.Name))
	tail := engine.SQLString(fmt.Sprintf(" does not fit %s without loss (a fraction, out of range or not a number); fix or filter those values first", typeName(to)))
	return fmt.Sprintf("CAST(CASE WHEN %s IS NULL THEN NULL WHEN %s THEN %s ELSE error(%s || CAST(%s AS VARCHAR) || %s) END AS %s)",
		c, ok, v, msg, c, tail, target), nil
}
