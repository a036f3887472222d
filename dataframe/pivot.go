package dataframe

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dusk-go/dusk/dataframe/engine"
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
// GroupBy(index).Agg: a tree reduction into one partition.
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
	// One column per category: the values of its rows, null elsewhere
	// (every aggregation skips nulls), computed in the partial's query.
	cond := engine.QuoteIdent(columns) + "::VARCHAR"
	sel := []string{engine.QuoteIdent(index)}
	aggs := make([]Aggregation, len(cats))
	for i, c := range cats {
		if c == index {
			return df.fail(op, fmt.Errorf("category %q of column %q is also the index column's name; rename the index column first", c, columns))
		}
		sel = append(sel, fmt.Sprintf("CASE WHEN %s = %s THEN %s END AS %s", cond, engine.SQLString(c), engine.QuoteIdent(values), engine.QuoteIdent(c)))
		aggs[i] = agg(c).As(c)
	}
	spread := df.derivedSQL(op, fmt.Sprintf("%s by %s", values, columns), "SELECT "+strings.Join(sel, ", ")+" FROM part", nil)
	out := spread.GroupBy(index).Agg(aggs...)
	if out.err != nil {
		return df.fail(op, relabelError(out.err, op))
	}
	return out
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
