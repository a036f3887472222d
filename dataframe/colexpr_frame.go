package dataframe

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/engine"
)

// FilterExpr keeps the rows for which e, a boolean Expr, is true (not
// false or null): df.FilterExpr(Col("x").Gt(0).And(Col("k").Ne("a"))).
// It is Filter with the expression checked against the columns and
// quoted for you; a Parquet reader below skips row groups (and Hive
// directories) as for Filter.
func (df *DataFrame) FilterExpr(e Expr) *DataFrame {
	if df.err != nil {
		return df
	}
	in := df.n.meta()
	t, err := e.render(in.schema)
	if err != nil {
		return df.fail("FilterExpr", err)
	}
	if t.t != nil && t.t.ID() != arrow.BOOL {
		return df.fail("FilterExpr", fmt.Errorf("%s is %s, not a boolean; give a comparison or a test", e, typeName(t.t)))
	}
	preds := strings.Join(conjuncts(t), " AND ")
	return df.derivedSQL("FilterExpr", t.sql, "SELECT * FROM part WHERE (\n"+t.sql+"\n)",
		keepOrder(in, func(string) bool { return true }),
		func(n *sqlNode) { n.passThrough, n.expr, n.filter = true, t.sql, preds })
}

// AssignExpr adds the column name (or replaces it) with the values of e:
// df.AssignExpr("hour", Col("ts").Dt().Hour()). It is Assign with the
// expression checked against the columns and quoted for you.
func (df *DataFrame) AssignExpr(name string, e Expr) *DataFrame {
	if df.err != nil {
		return df
	}
	in := df.n.meta()
	t, err := e.render(in.schema)
	if err != nil {
		return df.fail("AssignExpr", err)
	}
	var q string
	if len(in.schema.FieldIndices(name)) > 0 {
		q = fmt.Sprintf("SELECT * REPLACE ((\n%s\n) AS %s) FROM part", t.sql, engine.QuoteIdent(name))
	} else {
		q = fmt.Sprintf("SELECT *, (\n%s\n) AS %s FROM part", t.sql, engine.QuoteIdent(name))
	}
	return df.derivedSQL("AssignExpr", fmt.Sprintf("%s = %s", name, t.sql), q,
		keepOrder(in, func(c string) bool { return c != name }),
		func(n *sqlNode) { n.passThrough, n.expr, n.assigned = true, t.sql, name })
}
