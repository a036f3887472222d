package dataframe

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// sqlNode runs a DuckDB query over every partition, reading it as the
// table "part". Consecutive sqlNodes run as one query per partition (each
// query reads the one below it as "part"), so a chain of Filter, Select and
// Assign costs one pass over the data.
type sqlNode struct {
	child node
	query string
	op    string
	m     *meta
	// What the optimizer knows of the query's inputs: Select's columns
	// (uses), or for a query that passes every column on (SELECT *, as
	// Filter and Assign), its expression; filter is Filter's expression,
	// for row-group pruning.
	uses        []string
	passThrough bool
	expr        string
	filter      string
	assigned    string // the column Assign sets
}

func (s *sqlNode) meta() *meta      { return s.m }
func (s *sqlNode) children() []node { return []node{s.child} }
func (s *sqlNode) label() string {
	if s.picks() {
		return fmt.Sprintf("%s partitions=%d (columns picked, no query)", s.op, s.m.nparts)
	}
	return fmt.Sprintf("%s partitions=%d", s.op, s.m.nparts)
}

// picks reports whether lower picks the columns of the partitions below
// instead of running the query: a Select or Drop alone over partitions
// made in Go, where the query would give every type back unchanged.
func (s *sqlNode) picks() bool {
	_, root := s.compose()
	if pq, ok := root.(*parquetNode); ok && pq.duckReadable() {
		return false
	}
	return root == s.child && picksAsQueryWould(s)
}

func (s *sqlNode) lower(lw *lowering) ([]part, error) {
	full, root := s.compose()
	// Over Parquet row groups, DuckDB reads the files itself, in the
	// query's own task: only the columns and row groups needed, streamed
	// into the query, with no Arrow record of the row group in between.
	if pq, ok := root.(*parquetNode); ok && pq.duckReadable() {
		parts := pq.parts()
		out := make([]part, len(parts))
		for i, gs := range parts {
			q, _ := s.composeOver(pq.duckScan(gs))
			out[i] = dusk.Call[arrow.RecordBatch](fnParquetSQL, q, pq.dirs(), pq.checks(gs), s.m.cats)
		}
		return out, nil
	}
	// A Select or Drop alone over partitions made in Go (a join, a
	// shuffle, records in memory) picks the columns, copying nothing,
	// where the query would copy the columns it keeps through DuckDB.
	if s.picks() {
		in, err := lw.parts(root)
		if err != nil {
			return nil, err
		}
		out := make([]part, len(in))
		for i, p := range in {
			out[i] = dusk.Call[arrow.RecordBatch](fnPickNullable, p, s.uses)
		}
		return out, nil
	}
	// Columns picked from partitions in memory are picked in the query's
	// own task.
	var cols []string
	if pn, ok := root.(*projectNode); ok {
		root, cols = pn.child, pn.cols
	}
	in, err := lw.parts(root)
	if err != nil {
		return nil, err
	}
	out := make([]part, len(in))
	for i, p := range in {
		if cols != nil {
			out[i] = dusk.Call[arrow.RecordBatch](fnSQLCols, p, cols, full, s.m.cats)
		} else {
			out[i] = dusk.Call[arrow.RecordBatch](fnSQL, p, full, s.m.cats)
		}
	}
	return out, nil
}

// compose returns the one query that does this node and the sqlNodes below
// it, and the node whose partitions it reads.
func (s *sqlNode) compose() (string, node) {
	return s.composeOver(engine.ScanView(engine.ViewIn))
}

// composeOver is compose with the bottom node's partition read by the
// query base.
//
// The chain goes on through Categorize: DuckDB reads a categorical column
// as its strings, so the queries above it give the same rows over the
// strings not yet encoded, and the chain's task encodes the categorical
// columns of its result (the top node's categories) as any query's task
// does. The encoding of every row of the input, which the result of a
// reduction or a filter does not need, is left out.
func (s *sqlNode) composeOver(base string) (string, node) {
	var chain []*sqlNode
	var n node = s
walk:
	for {
		switch x := n.(type) {
		case *sqlNode:
			chain = append(chain, x)
			n = x.child
		case *categorizeNode:
			n = x.child
		default:
			break walk
		}
	}
	q := base
	for i := len(chain) - 1; i >= 0; i-- {
		q = engine.WithCTE("part", q, chain[i].query)
	}
	return q, n
}

// planSQL checks query (over "part", a table of schema in) with DuckDB on
// no rows, and returns the schema and categories of its result: columns
// that keep the name of a categorical input column and come out as strings
// stay categorical.
func planSQL(in *meta, query string) (*arrow.Schema, map[string][]string, error) {
	e, err := engine.For(context.Background())
	if err != nil {
		return nil, nil, err
	}
	full := engine.WithCTE("part", engine.ScanView(engine.ViewIn), query)
	rec, err := e.Query(context.Background(), full, engine.Input{Name: engine.ViewIn, Rec: kernels.EmptyRecord(in.schema)})
	if err != nil {
		return nil, nil, err
	}
	s := kernels.NullableSchema(rec.Schema())
	cats := map[string][]string{}
	fields := s.Fields()
	for i, f := range fields {
		c, ok := in.cats[f.Name]
		if ok && (f.Type.ID() == arrow.STRING || f.Type.ID() == arrow.LARGE_STRING) {
			cats[f.Name] = c
			fields[i].Type = kernels.CategoryType
		}
	}
	if len(cats) == 0 {
		cats = nil
	} else {
		s = arrow.NewSchema(fields, nil)
	}
	return s, cats, nil
}

// derivedSQL adds a query step, or records why it is wrong.
func (df *DataFrame) derivedSQL(op, what, query string, keep func(m *meta) *meta, setup ...func(*sqlNode)) *DataFrame {
	if df.err != nil {
		return df
	}
	in := df.n.meta()
	s, cats, err := planSQL(in, query)
	if err != nil {
		var qe *engine.QueryError
		if errors.As(err, &qe) && what != "" {
			err = fmt.Errorf("%s: %s", what, qe.Message)
		}
		return df.fail(op, err)
	}
	m := &meta{schema: s, nparts: in.nparts, bytes: in.bytes, cats: cats}
	if keep != nil {
		m = keep(m)
	}
	label := op
	if what != "" {
		label = op + " " + what
	}
	sn := &sqlNode{child: df.n, query: query, op: label, m: m}
	for _, f := range setup {
		f(sn)
	}
	return df.derive(sn)
}

// keepOrder carries the input's divisions and hash placement over to a
// step that keeps rows in place and the key columns unchanged.
func keepOrder(in *meta, keyKept func(col string) bool) func(m *meta) *meta {
	return func(m *meta) *meta {
		if in.divs != nil && keyKept(in.divs.Column) {
			m.divs = in.divs
		}
		if len(in.hashed) > 0 {
			ok := true
			for _, c := range in.hashed {
				ok = ok && keyKept(c)
			}
			if ok {
				m.hashed = in.hashed
			}
		}
		return m
	}
}

// Filter keeps the rows for which expr, a DuckDB boolean expression over
// the columns, is true: df.Filter("x > 0 AND k <> 'a'"). A bad expression
// is reported with DuckDB's message and the expression.
func (df *DataFrame) Filter(expr string) *DataFrame {
	if df.err != nil {
		return df
	}
	if err := checkSQL(expr, false); err != nil {
		return df.fail("Filter", err)
	}
	in := df.n.meta()
	return df.derivedSQL("Filter", fmt.Sprintf("%q", expr), "SELECT * FROM part WHERE (\n"+expr+"\n)",
		keepOrder(in, func(string) bool { return true }),
		func(n *sqlNode) { n.passThrough, n.expr, n.filter = true, expr, expr })
}

// Select keeps the named columns, in that order.
func (df *DataFrame) Select(cols ...string) *DataFrame {
	if df.err != nil {
		return df
	}
	in := df.n.meta()
	if len(cols) == 0 {
		return df.fail("Select", errors.New("no columns given"))
	}
	quoted := make([]string, len(cols))
	kept := map[string]bool{}
	for i, c := range cols {
		if _, err := columnIndex(in.schema, c, "Select"); err != nil {
			return df.fail("Select", err)
		}
		quoted[i] = engine.QuoteIdent(c)
		kept[c] = true
	}
	d := df.derivedSQL("Select", strings.Join(cols, ", "), "SELECT "+strings.Join(quoted, ", ")+" FROM part",
		keepOrder(in, func(c string) bool { return kept[c] }),
		func(n *sqlNode) { n.uses = append([]string(nil), cols...) })
	if d.err == nil {
		m := d.n.meta()
		if in.bytes > 0 && in.schema.NumFields() > 0 {
			m.bytes = in.bytes * int64(len(cols)) / int64(in.schema.NumFields())
		}
	}
	return d
}

// Assign adds the column name (or replaces it) with the values of expr, a
// DuckDB expression over the columns: df.Assign("z", "x * 2 + y").
func (df *DataFrame) Assign(name, expr string) *DataFrame {
	if df.err != nil {
		return df
	}
	if err := checkSQL(expr, false); err != nil {
		return df.fail("Assign", err)
	}
	in := df.n.meta()
	var q string
	if len(in.schema.FieldIndices(name)) > 0 {
		q = fmt.Sprintf("SELECT * REPLACE ((\n%s\n) AS %s) FROM part", expr, engine.QuoteIdent(name))
	} else {
		q = fmt.Sprintf("SELECT *, (\n%s\n) AS %s FROM part", expr, engine.QuoteIdent(name))
	}
	return df.derivedSQL("Assign", fmt.Sprintf("%s = %q", name, expr), q,
		keepOrder(in, func(c string) bool { return c != name }),
		func(n *sqlNode) { n.passThrough, n.expr, n.assigned = true, expr, name })
}

// MapPartitionsSQL runs query, a DuckDB SELECT that reads the table
// "part", on every partition: df.MapPartitionsSQL("SELECT k, x * 2 AS x2
// FROM part WHERE y > 0"). The result has as many partitions, in order; a
// query that changes the rows' order or keys loses known divisions.
func (df *DataFrame) MapPartitionsSQL(query string) *DataFrame {
	if df.err != nil {
		return df
	}
	if err := checkSQL(query, true); err != nil {
		return df.fail("MapPartitionsSQL", err)
	}
	return df.derivedSQL("MapPartitionsSQL", fmt.Sprintf("%q", query), query, nil)
}

// checkSQL refuses a user's SQL that is not exactly one expression over
// the columns (or, for a query, one SELECT over part), before any of it
// runs (see engine.CheckExpr).
func checkSQL(sql string, query bool) error {
	ctx := context.Background()
	e, err := engine.For(ctx)
	if err != nil {
		return err
	}
	if query {
		return e.CheckSelect(ctx, sql)
	}
	return e.CheckExpr(ctx, sql)
}
