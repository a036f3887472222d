package dataframe

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// The everyday column and row calls (pandas' rename, drop, fillna, dropna,
// isin, where, mask, clip, round, abs). Each is one DuckDB query step over
// every partition, so a chain of them (and of Filter, Select, Assign) runs
// as one query per partition.

// replaceColumns adds a step that replaces the values of the columns in
// order with SQL expressions over the partition, keeping every column in
// its place.
func (df *DataFrame) replaceColumns(op, what string, exprs map[string]string, order []string) *DataFrame {
	if len(order) == 0 {
		return df
	}
	in := df.n.meta()
	var repl, refs []string
	changed := map[string]bool{}
	for _, c := range order {
		if changed[c] {
			continue // a column named twice
		}
		repl = append(repl, fmt.Sprintf("(%s) AS %s", exprs[c], engine.QuoteIdent(c)))
		refs = append(refs, exprs[c])
		changed[c] = true
	}
	q := fmt.Sprintf("SELECT * REPLACE (%s) FROM part", strings.Join(repl, ", "))
	return df.derivedSQL(op, what, q, keepOrder(in, func(c string) bool { return !changed[c] }),
		func(n *sqlNode) { n.passThrough, n.expr = true, strings.Join(refs, ", ") })
}

// keepRows adds a step that keeps the rows for which cond, a SQL
// condition built here, holds.
func (df *DataFrame) keepRows(op, what, cond string) *DataFrame {
	in := df.n.meta()
	return df.derivedSQL(op, what, "SELECT * FROM part WHERE "+cond,
		keepOrder(in, func(string) bool { return true }),
		func(n *sqlNode) { n.passThrough, n.expr = true, cond })
}

// Rename renames columns: old name to new name, as pandas' rename(columns=...).
// Columns keep their place; a name that is not there, or two columns
// ending up with one name, is an error.
func (df *DataFrame) Rename(names map[string]string) *DataFrame {
	if df.err != nil {
		return df
	}
	if len(names) == 0 {
		return df.fail("Rename", errors.New("no columns given"))
	}
	in := df.n.meta()
	for old, nw := range names {
		if _, err := columnIndex(in.schema, old, "Rename"); err != nil {
			return df.fail("Rename", err)
		}
		if nw == "" {
			return df.fail("Rename", fmt.Errorf("the new name of %q is empty", old))
		}
	}
	seen := map[string]string{}
	var sel, what []string
	for _, f := range in.schema.Fields() {
		out := f.Name
		if nw, ok := names[f.Name]; ok {
			out = nw
			what = append(what, f.Name+" -> "+nw)
		}
		if prev, ok := seen[out]; ok {
			return df.fail("Rename", fmt.Errorf("columns %q and %q would both be named %q", prev, f.Name, out))
		}
		seen[out] = f.Name
		sel = append(sel, engine.QuoteIdent(f.Name)+" AS "+engine.QuoteIdent(out))
	}
	keep := func(m *meta) *meta {
		if in.divs != nil {
			d := *in.divs
			if nw, ok := names[d.Column]; ok {
				d.Column = nw
			}
			m.divs = &d
		}
		if len(in.hashed) > 0 {
			m.hashed = make([]string, len(in.hashed))
			for i, c := range in.hashed {
				m.hashed[i] = c
				if nw, ok := names[c]; ok {
					m.hashed[i] = nw
				}
			}
		}
		if len(in.cats) > 0 {
			m.cats = map[string][]string{}
			for c, v := range in.cats {
				if nw, ok := names[c]; ok {
					c = nw
				}
				m.cats[c] = v
			}
		}
		return m
	}
	d := df.derivedSQL("Rename", strings.Join(what, ", "), "SELECT "+strings.Join(sel, ", ")+" FROM part", keep,
		func(n *sqlNode) { n.uses = fieldNames(in.schema) })
	if d.err == nil && len(in.cats) > 0 {
		// A renamed categorical column stays categorical.
		m := d.n.meta()
		fields := m.schema.Fields()
		for i, f := range fields {
			if _, ok := m.cats[f.Name]; ok {
				fields[i].Type = in.schema.Field(i).Type
			}
		}
		m.schema = arrow.NewSchema(fields, nil)
	}
	return d
}

// Drop removes the named columns; the others keep their order.
func (df *DataFrame) Drop(cols ...string) *DataFrame {
	if df.err != nil {
		return df
	}
	if len(cols) == 0 {
		return df.fail("Drop", errors.New("no columns given"))
	}
	in := df.n.meta()
	drop := map[string]bool{}
	for _, c := range cols {
		if _, err := columnIndex(in.schema, c, "Drop"); err != nil {
			return df.fail("Drop", err)
		}
		drop[c] = true
	}
	var keep, quoted []string
	for _, f := range in.schema.Fields() {
		if !drop[f.Name] {
			keep = append(keep, f.Name)
			quoted = append(quoted, engine.QuoteIdent(f.Name))
		}
	}
	if len(keep) == 0 {
		return df.fail("Drop", errors.New("that would drop every column"))
	}
	d := df.derivedSQL("Drop", strings.Join(cols, ", "), "SELECT "+strings.Join(quoted, ", ")+" FROM part",
		keepOrder(in, func(c string) bool { return !drop[c] }),
		func(n *sqlNode) { n.uses = keep })
	if d.err == nil && in.bytes > 0 && in.schema.NumFields() > 0 {
		d.n.meta().bytes = in.bytes * int64(len(keep)) / int64(in.schema.NumFields())
	}
	return d
}

// FillNA replaces the nulls of every column whose type can hold value
// exactly (an integer fills integer and float columns, a float fills float
// columns and, when it is a whole number, integer ones, a string fills
// string columns, a bool bool columns); other columns are left alone. A
// value no column can hold is an error. NaN is a value, not a null: it is
// not replaced.
func (df *DataFrame) FillNA(value any) *DataFrame {
	if df.err != nil {
		return df
	}
	if value == nil {
		return df.fail("FillNA", errors.New("the value is nil; give the value that replaces nulls"))
	}
	exprs := map[string]string{}
	var order []string
	for _, f := range df.Schema().Fields() {
		lit, err := sqlLiteral(value, f.Name, f.Type)
		if err != nil {
			continue
		}
		q := engine.QuoteIdent(f.Name)
		exprs[f.Name] = fmt.Sprintf("coalesce(%s, %s)", q, lit)
		order = append(order, f.Name)
	}
	if len(order) == 0 {
		return df.fail("FillNA", fmt.Errorf("the value %v (%T) fits no column (%s); give a value of a column's type, or one per column with FillNAColumns", value, value, schemaString(df.Schema())))
	}
	return df.replaceColumns("FillNA", fmt.Sprintf("%v", value), exprs, order)
}

// FillNAColumns replaces the nulls of each named column with its value.
// A value the column's type cannot hold exactly is an error naming the
// column.
func (df *DataFrame) FillNAColumns(values map[string]any) *DataFrame {
	if df.err != nil {
		return df
	}
	if len(values) == 0 {
		return df.fail("FillNAColumns", errors.New("no columns given"))
	}
	s := df.Schema()
	exprs := map[string]string{}
	var order, what []string
	for _, f := range s.Fields() {
		v, ok := values[f.Name]
		if !ok {
			continue
		}
		if v == nil {
			return df.fail("FillNAColumns", fmt.Errorf("the value for column %q is nil; give the value that replaces nulls", f.Name))
		}
		lit, err := sqlLiteral(v, f.Name, f.Type)
		if err != nil {
			return df.fail("FillNAColumns", err)
		}
		exprs[f.Name] = fmt.Sprintf("coalesce(%s, %s)", engine.QuoteIdent(f.Name), lit)
		order = append(order, f.Name)
		what = append(what, fmt.Sprintf("%s=%v", f.Name, v))
	}
	for c := range values {
		if _, err := columnIndex(s, c, "FillNAColumns"); err != nil {
			return df.fail("FillNAColumns", err)
		}
	}
	return df.replaceColumns("FillNAColumns", strings.Join(what, ", "), exprs, order)
}

// DropNA removes rows with nulls in the subset columns (all columns when
// none are given): with how "any" a row goes when any of them is null,
// with "all" when all of them are. NaN is a value, not a null.
func (df *DataFrame) DropNA(how string, subset ...string) *DataFrame {
	if df.err != nil {
		return df
	}
	if how != "any" && how != "all" {
		return df.fail("DropNA", fmt.Errorf("how is %q; give \"any\" or \"all\"", how))
	}
	cols := subset
	if len(cols) == 0 {
		cols = df.Columns()
	}
	conds := make([]string, len(cols))
	for i, c := range cols {
		if _, err := columnIndex(df.Schema(), c, "DropNA"); err != nil {
			return df.fail("DropNA", err)
		}
		conds[i] = engine.QuoteIdent(c) + " IS NOT NULL"
	}
	join := " AND "
	if how == "all" {
		join = " OR "
	}
	return df.keepRows("DropNA", how+" of "+strings.Join(cols, ", "), "("+strings.Join(conds, join)+")")
}

// IsIn keeps the rows whose column col holds one of values (pandas'
// df[df[col].isin(values)]). Each value must be of the column's type (for
// a categorical column, a string); rows whose col is null are dropped.
func (df *DataFrame) IsIn(col string, values ...any) *DataFrame {
	if df.err != nil {
		return df
	}
	idx, err := columnIndex(df.Schema(), col, "IsIn")
	if err != nil {
		return df.fail("IsIn", err)
	}
	t := df.Schema().Field(idx).Type
	c := engine.QuoteIdent(col)
	if d, ok := t.(*arrow.DictionaryType); ok {
		t = d.ValueType
		c = "CAST(" + c + " AS VARCHAR)"
	}
	if len(values) == 0 {
		return df.keepRows("IsIn", col+" in []", "false")
	}
	lits := make([]string, len(values))
	for i, v := range values {
		if v == nil {
			return df.fail("IsIn", fmt.Errorf("value %d is nil; for the rows where %q is null use Filter(`%s IS NULL`)", i, col, engine.QuoteIdent(col)))
		}
		if lits[i], err = sqlLiteral(v, col, t); err != nil {
			return df.fail("IsIn", err)
		}
	}
	return df.keepRows("IsIn", fmt.Sprintf("%s in %v", col, values), fmt.Sprintf("%s IN (%s)", c, strings.Join(lits, ", ")))
}

// Where keeps the values of the columns cols (all when none are given)
// where cond, a DuckDB boolean expression over the row, is true, and
// replaces them with other where it is false or null, as pandas'
// df.where(cond, other). A nil other means null. other must be of every
// chosen column's type.
func (df *DataFrame) Where(cond string, other any, cols ...string) *DataFrame {
	return df.whereMask("Where", cond, other, cols, true)
}

// Mask is Where the other way round (pandas' df.mask(cond, other)): the
// values of cols are replaced with other where cond is true, and kept
// where it is false or null.
func (df *DataFrame) Mask(cond string, other any, cols ...string) *DataFrame {
	return df.whereMask("Mask", cond, other, cols, false)
}

func (df *DataFrame) whereMask(op, cond string, other any, cols []string, keepWhenTrue bool) *DataFrame {
	if df.err != nil {
		return df
	}
	if err := checkSQL(cond, false); err != nil {
		return df.fail(op, err)
	}
	s := df.Schema()
	if len(cols) == 0 {
		cols = df.Columns()
	}
	exprs := map[string]string{}
	for _, c := range cols {
		idx, err := columnIndex(s, c, op)
		if err != nil {
			return df.fail(op, err)
		}
		q := engine.QuoteIdent(c)
		lit := "NULL"
		if other != nil {
			if lit, err = sqlLiteral(other, c, s.Field(idx).Type); err != nil {
				return df.fail(op, err)
			}
		}
		if keepWhenTrue {
			exprs[c] = fmt.Sprintf("CASE WHEN (%s) THEN %s ELSE %s END", cond, q, lit)
		} else {
			exprs[c] = fmt.Sprintf("CASE WHEN (%s) THEN %s ELSE %s END", cond, lit, q)
		}
	}
	// The condition is checked on its own first, so that DuckDB's message
	// names it rather than the query it is put in; it must be a boolean.
	probe := df.derivedSQL(op, fmt.Sprintf("%q", cond), "SELECT (\n"+cond+"\n) AS c FROM part", nil)
	if probe.err != nil {
		return probe
	}
	if t := probe.Schema().Field(0).Type; t.ID() != arrow.BOOL {
		return df.fail(op, fmt.Errorf("the condition %q is %s, not a boolean", cond, typeName(t)))
	}
	return df.replaceColumns(op, fmt.Sprintf("%q, %v on %s", cond, other, strings.Join(cols, ", ")), exprs, cols)
}

// numericColumn returns the type of col, which must be an integer or
// float column.
func numericColumn(s *arrow.Schema, col, op string) (arrow.DataType, error) {
	idx, err := columnIndex(s, col, op)
	if err != nil {
		return nil, err
	}
	t := s.Field(idx).Type
	if !isIntOrFloat(t) {
		return nil, fmt.Errorf("column %q is %s, not a number; %s works on integer and float columns", col, typeName(t), op)
	}
	return t, nil
}

// Clip bounds the values of col to [lo, hi]: smaller values become lo,
// greater ones hi. A nil bound is no bound; nulls and NaN stay as they
// are. The bounds must be of the column's type (an integer column takes
// whole numbers only).
func (df *DataFrame) Clip(col string, lo, hi any) *DataFrame {
	if df.err != nil {
		return df
	}
	t, err := numericColumn(df.Schema(), col, "Clip")
	if err != nil {
		return df.fail("Clip", err)
	}
	if lo == nil && hi == nil {
		return df.fail("Clip", errors.New("no bounds given (lo and hi are nil)"))
	}
	if lo != nil && hi != nil {
		a, _ := numberOf(lo)
		b, _ := numberOf(hi)
		if a.float() > b.float() {
			return df.fail("Clip", fmt.Errorf("lo %v is greater than hi %v", lo, hi))
		}
	}
	q := engine.QuoteIdent(col)
	var whens []string
	if arrow.IsFloating(t.ID()) {
		whens = append(whens, fmt.Sprintf("WHEN isnan(%s) THEN %s", q, q))
	}
	for _, b := range []struct {
		v  any
		op string
	}{{lo, "<"}, {hi, ">"}} {
		if b.v == nil {
			continue
		}
		lit, err := sqlLiteral(b.v, col, t)
		if err != nil {
			return df.fail("Clip", err)
		}
		whens = append(whens, fmt.Sprintf("WHEN %s %s %s THEN %s", q, b.op, lit, lit))
	}
	expr := fmt.Sprintf("CASE %s ELSE %s END", strings.Join(whens, " "), q)
	return df.replaceColumns("Clip", fmt.Sprintf("%s to [%v, %v]", col, lo, hi), map[string]string{col: expr}, []string{col})
}

// float returns the number as a float64 (for comparing bounds).
func (n goNumber) float() float64 {
	switch {
	case n.isInt:
		return float64(n.i)
	case n.isUint:
		return float64(n.u)
	}
	return n.f
}

// Round rounds the values of col to decimals places (negative: to tens,
// hundreds, ...) half to even, as pandas (NumPy) does: the value times
// 10^decimals rounded to the nearest whole number, ties to even. An
// integer column stays an integer column: unchanged for decimals >= 0,
// rounded exactly (in integers) for negative ones; a result out of the
// column's range is an error of the computation.
func (df *DataFrame) Round(col string, decimals int) *DataFrame {
	if df.err != nil {
		return df
	}
	t, err := numericColumn(df.Schema(), col, "Round")
	if err != nil {
		return df.fail("Round", err)
	}
	q := engine.QuoteIdent(col)
	var expr string
	switch {
	case arrow.IsInteger(t.ID()) && decimals >= 0:
		return df
	case arrow.IsInteger(t.ID()):
		if decimals < -18 {
			return df.fail("Round", fmt.Errorf("%d decimals is out of range [-18, 0] for the integer column %q", decimals, col))
		}
		// In integers (HUGEINT, so nothing overflows on the way): the
		// remainder r >= 0 of x by p = 10^-decimals, the floor f = (x -
		// r) / p, up when r is over half of p, or half of it and f odd.
		p := "1" + strings.Repeat("0", -decimals) + "::HUGEINT"
		x := "CAST(" + q + " AS HUGEINT)"
		r := fmt.Sprintf("(((%s %% %s) + %s) %% %s)", x, p, p, p)
		f := fmt.Sprintf("((%s - %s) // %s)", x, r, p)
		expr = fmt.Sprintf("CAST((%s + CASE WHEN 2 * %s > %s OR (2 * %s = %s AND %s %% 2 <> 0) THEN 1 ELSE 0 END) * %s AS %s)",
			f, r, p, r, p, f, p, sqlType(t))
	case decimals > 308 || decimals < -308:
		return df.fail("Round", fmt.Errorf("%d decimals is out of range [-308, 308]", decimals))
	default:
		expr = fmt.Sprintf("CAST(round_even(%s, %d) AS %s)", q, decimals, sqlType(t))
	}
	return df.replaceColumns("Round", fmt.Sprintf("%s to %d decimals", col, decimals), map[string]string{col: expr}, []string{col})
}

// Abs replaces the values of cols (every integer and float column when
// none are given) with their absolute values. The least value of a signed
// integer type has no absolute value in that type: it is an error of the
// computation.
func (df *DataFrame) Abs(cols ...string) *DataFrame {
	if df.err != nil {
		return df
	}
	s := df.Schema()
	if len(cols) == 0 {
		for _, f := range s.Fields() {
			if isIntOrFloat(f.Type) {
				cols = append(cols, f.Name)
			}
		}
		if len(cols) == 0 {
			return df.fail("Abs", fmt.Errorf("no integer or float column (%s)", schemaString(s)))
		}
	}
	exprs := map[string]string{}
	for _, c := range cols {
		if _, err := numericColumn(s, c, "Abs"); err != nil {
			return df.fail("Abs", err)
		}
		exprs[c] = fmt.Sprintf("abs(%s)", engine.QuoteIdent(c))
	}
	return df.replaceColumns("Abs", strings.Join(cols, ", "), exprs, cols)
}

// keepRenamedCats returns a step's schema and categories planned again (see
// sqlNode.rebuild) with the categorical columns the step had before kept
// categorical: planning knows categories by the input's names, and Rename
// gives them new ones.
func keepRenamedCats(was *meta, sch *arrow.Schema, cats map[string][]string) (*arrow.Schema, map[string][]string) {
	fields := sch.Fields()
	changed := false
	for i, f := range fields {
		c, ok := was.cats[f.Name]
		if _, have := cats[f.Name]; !ok || have || f.Type.ID() != arrow.STRING {
			continue
		}
		if cats == nil {
			cats = map[string][]string{}
		}
		cats[f.Name] = c
		fields[i].Type = kernels.CategoryType
		changed = true
	}
	if !changed {
		return sch, cats
	}
	return arrow.NewSchema(fields, nil), cats
}
