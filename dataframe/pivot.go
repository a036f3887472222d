package dataframe

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// PivotTable spreads a column's values into columns (pandas'
// pivot_table, SQL's PIVOT): one row per distinct value of index, sorted,
// and one column per category of columns, named by it, holding agg of the
// values column over the rows of that index value and category (null where
// there is none): df.PivotTable("day", "shop", "sales", dataframe.Sum).
// agg is one of the aggregations of a column (Sum, Mean, Min, Max, Count,
// Std, NUnique, First, Last, Median, Var, Prod). Rows whose index is null
// form their own row (as in GroupBy); rows whose category is null are left
// out.
//
// The result's columns must be known when the plan is built, so columns
// must be categorical: Categorize(ctx, columns) first finds its values
// with a pass over the data. PivotTable itself is lazy and runs as
// GroupBy(index, columns).Agg(agg(values)) — a tree reduction whose rows
// are one per index value and category, however many rows go in, brought
// to one partition unless the frame is sorted on index with known
// divisions — and a last step that spreads those rows into columns, in Go
// where the columns' types allow (DuckDB's PIVOT plans it the same way).
// Spreading the values into one column per category before aggregating
// would carry every row through as many columns as there are categories.
func (df *DataFrame) PivotTable(index, columns, values string, agg func(col string) Aggregation) *DataFrame {
	if df.err != nil {
		return df
	}
	const op = "PivotTable"
	s := df.Schema()
	for _, c := range []string{index, columns, values} {
		if _, err := columnIndex(s, c, op); err != nil {
			return df.fail(op, err)
		}
	}
	if agg == nil {
		return df.fail(op, errors.New("no aggregation given; pass one such as dataframe.Sum"))
	}
	if index == columns || columns == values {
		return df.fail(op, fmt.Errorf("columns %q must differ from index and values", columns))
	}
	cats, ok := df.n.meta().cats[columns]
	if !ok {
		return df.fail(op, fmt.Errorf("column %q is not categorical: its values become the result's columns, so they must be known first; call Categorize(ctx, %q) first", columns, columns))
	}
	if len(cats) == 0 {
		return df.fail(op, fmt.Errorf("column %q has no categories (it holds only nulls): there are no columns to make", columns))
	}
	probe := agg(values)
	if probe.fn == "size" || probe.col != values {
		return df.fail(op, fmt.Errorf("agg must be an aggregation of the column it is given, such as dataframe.Sum; %s(%s) is not", probe.fn, probe.col))
	}
	for _, c := range cats {
		if c == index {
			return df.fail(op, fmt.Errorf("category %q of column %q is also the index column's name; rename the index column first", c, columns))
		}
	}
	const v = "pivot_value_"
	if len(s.FieldIndices(v)) > 0 {
		return df.fail(op, fmt.Errorf("column %q is a name PivotTable uses for itself; rename it first", v))
	}
	gb := df.GroupBy(index, columns)
	if d := df.n.meta().divs; df.n.meta().nparts > 1 && (d == nil || d.tied || d.Column != index) {
		// Every index value's rows must come to one partition, in
		// order: data placed on the categories, or on both columns,
		// would otherwise give an index value a row in each partition
		// that holds it, and data hashed on the index would come out
		// sorted within partitions only. Sorted on the index with known
		// divisions, each partition is spread on its own, in order.
		gb.tree = true
	}
	grouped := gb.Agg(agg(values).As(v))
	if grouped.err != nil {
		return df.fail(op, relabelError(grouped.err, op))
	}
	// Each (index, category) pair is one row now: spread them, one
	// column per category, null (0 for counts, as the aggregate of no
	// rows) where the pair has no row.
	empty := "NULL"
	if probe.fn == "count" || probe.fn == "nunique" {
		empty = "0"
	}
	cond := engine.QuoteIdent(columns) + "::VARCHAR"
	sel := []string{engine.QuoteIdent(index)}
	for _, c := range cats {
		sel = append(sel, fmt.Sprintf("coalesce(any_value(%s) FILTER (WHERE %s = %s), %s) AS %s",
			engine.QuoteIdent(v), cond, engine.SQLString(c), empty, engine.QuoteIdent(c)))
	}
	q := fmt.Sprintf("SELECT %s FROM part GROUP BY %s ORDER BY %s", strings.Join(sel, ", "), engine.QuoteIdent(index), engine.QuoteIdent(index))
	what := fmt.Sprintf("%s by %s", values, columns)
	out := grouped.derivedSQL(op, what, q, nil)
	if out.err != nil {
		return out
	}
	// The rows come sorted by index (and category): Go spreads them in
	// that order, as the query does, when it gives the query's schema.
	plan := kernels.SpreadPlan{Index: index, Columns: columns, Value: v, Cats: cats, Zero: empty == "0"}
	m := out.n.meta()
	if gs := kernels.SpreadSchema(grouped.Schema(), plan); gs != nil && kernels.SameTypes(gs, m.schema) && catsOnly(m.cats, index) {
		return grouped.derive(&mapNode{child: grouped.n, fn: fnSpread, args: []any{plan}, m: m, name: op + " " + what + " (in Go)"})
	}
	return out
}

var fnSpread = dusk.Register("dataframe.pivot-spread", kernels.Spread)

// catsOnly reports whether the only categorical column of cats, if any,
// is col.
func catsOnly(cats map[string][]string, col string) bool {
	for c := range cats {
		if c != col {
			return false
		}
	}
	return true
}

// relabelError returns a mistake found by a step PivotTable builds on as
// PivotTable's own (the caller's line is the same).
func relabelError(err error, op string) error {
	var de *Error
	if errors.As(err, &de) {
		return &Error{Op: op, Caller: de.Caller, Err: de.Err}
	}
	return err
}
