package dataframe

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/engine"
)

// Nlargest returns the n rows with the greatest values of col, greatest
// first, as pandas' nlargest(n, col) with keep="first": of rows with equal
// values, the earlier ones (in partition and row order) come first and are
// the ones kept at the cut. Rows whose col is null or NaN are left out. It
// is a tree reduction: the top n of every partition, then of groups of
// those, into one partition.
func (df *DataFrame) Nlargest(n int, col string) *DataFrame {
	return df.topN("Nlargest", n, col, "DESC")
}

// Nsmallest returns the n rows with the least values of col, least first;
// otherwise as Nlargest.
func (df *DataFrame) Nsmallest(n int, col string) *DataFrame {
	return df.topN("Nsmallest", n, col, "ASC")
}

// rowNumberCol numbers the rows of a partition in Nlargest's query.
const rowNumberCol = "__dusk_row"

func (df *DataFrame) topN(op string, n int, col, dir string) *DataFrame {
	if df.err != nil {
		return df
	}
	if n < 0 {
		return df.fail(op, fmt.Errorf("n is %d; give n >= 0", n))
	}
	idx, err := columnIndex(df.Schema(), col, op)
	if err != nil {
		return df.fail(op, err)
	}
	t := df.Schema().Field(idx).Type
	switch {
	case isIntOrFloat(t), t.ID() == arrow.STRING, t.ID() == arrow.LARGE_STRING,
		t.ID() == arrow.TIMESTAMP, t.ID() == arrow.DATE32, t.ID() == arrow.DATE64:
	default:
		return df.fail(op, fmt.Errorf("column %q is %s; %s orders numbers, strings, dates and timestamps", col, typeName(t), op))
	}
	if len(df.Schema().FieldIndices(rowNumberCol)) > 0 {
		return df.fail(op, fmt.Errorf("the column %q is taken; Rename it first", rowNumberCol))
	}
	c := engine.QuoteIdent(col)
	keep := c + " IS NOT NULL"
	if arrow.IsFloating(t.ID()) {
		keep += " AND NOT isnan(" + c + ")"
	}
	rn := engine.QuoteIdent(rowNumberCol)
	// The rows' order in their partition (and of the partial results
	// joined in partition order) breaks ties.
	q := fmt.Sprintf("SELECT * EXCLUDE (%s) FROM (SELECT *, row_number() OVER () AS %s FROM part) WHERE %s ORDER BY %s %s, %s LIMIT %d",
		rn, rn, keep, c, dir, rn, n)
	return df.reduce(&reduction{
		op:         fmt.Sprintf("%s %d by %s", op, n, col),
		chunk:      q,
		combine:    q,
		final:      q,
		splitOut:   1,
		splitEvery: DefaultSplitEvery,
	})
}
