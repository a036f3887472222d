package dataframe

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// The Go aggregation's steps (see package kernels).
var (
	fnAggPartial = dusk.Register("dataframe.agg-partial", kernels.AggPartial)
	// fnAggPartials is the partial aggregate of several partitions at once.
	fnAggPartials = dusk.Register("dataframe.agg-partials", kernels.AggPartials)
	fnAggCombine  = dusk.Register("dataframe.agg-combine", kernels.AggCombine)
	fnAggFinal    = dusk.Register("dataframe.agg-final", kernels.AggFinal)
)

// DefaultSplitEvery is how many partial results one combining task of a
// tree reduction joins (Dask's split_every).
const DefaultSplitEvery = 8

// GroupBy is a DataFrame grouped by key columns, to aggregate with Agg.
type GroupBy struct {
	df         *DataFrame
	keys       []string
	splitOut   int
	splitEvery int
	// tree: a tree reduction even where every group is whole in one
	// partition (see Agg), for a step above that needs the rows of a
	// key of its own in one partition (PivotTable).
	tree bool
	err  error
}

// GroupBy groups the rows by the key columns. Rows whose keys are null
// form their own group (as in SQL).
func (df *DataFrame) GroupBy(keys ...string) *GroupBy {
	g := &GroupBy{df: df, keys: keys, splitOut: 1, splitEvery: DefaultSplitEvery}
	if df.err != nil {
		g.err = df.err
		return g
	}
	if len(keys) == 0 {
		g.err = opError("GroupBy", errors.New("no key columns given"))
	}
	for _, k := range keys {
		if _, err := columnIndex(df.Schema(), k, "GroupBy"); err != nil {
			g.err = opError("GroupBy", err)
			break
		}
	}
	return g
}

// SplitOut spreads the groups over n output partitions by a hash of their
// keys, for results with many groups: the partial results go through a
// peer-to-peer shuffle instead of a tree to one task. Each output is sorted
// by the keys; the outputs are not in key order.
func (g *GroupBy) SplitOut(n int) *GroupBy {
	c := *g
	c.splitOut = max(n, 1)
	return &c
}

// SplitEvery sets how many partial results each combining task of the
// reduction tree joins (default 8).
func (g *GroupBy) SplitEvery(n int) *GroupBy {
	c := *g
	c.splitEvery = max(n, 2)
	return &c
}

// Aggregation is one aggregate of a column: Sum, Mean, Min, Max, Count,
// Std, NUnique, First, Last, Median, Var or Prod; or Size, of a group's
// rows. Its result column is named column_function ("x_sum"; Size's
// "size") unless As names it.
type Aggregation struct {
	fn, col, name string
	named         bool
}

// Sum adds a column's values (nulls skipped).
func Sum(col string) Aggregation { return Aggregation{fn: "sum", col: col} }

// Mean averages a column's values (nulls skipped).
func Mean(col string) Aggregation { return Aggregation{fn: "mean", col: col} }

// Min is a column's least value.
func Min(col string) Aggregation { return Aggregation{fn: "min", col: col} }

// Max is a column's greatest value.
func Max(col string) Aggregation { return Aggregation{fn: "max", col: col} }

// Count counts a column's non-null values.
func Count(col string) Aggregation { return Aggregation{fn: "count", col: col} }

// Std is a column's sample standard deviation (ddof 1, as pandas),
// computed from counts, sums and sums of squares.
func Std(col string) Aggregation { return Aggregation{fn: "std", col: col} }

// NUnique counts a column's distinct non-null values, exactly.
func NUnique(col string) Aggregation { return Aggregation{fn: "nunique", col: col} }

// As names the aggregate's result column: Sum("x").As("total"). Two
// result columns of one Agg (keys included) must not share a name.
func (a Aggregation) As(name string) Aggregation { a.name, a.named = name, true; return a }

func (a Aggregation) outName() string {
	if a.named {
		return a.name
	}
	if a.col == "" {
		return a.fn
	}
	return a.col + "_" + a.fn
}

// reduction is a tree reduction in SQL: chunk runs on every partition,
// combine on joined partial results (as often as the tree needs), final on
// the last of them (or, with splitOut, on each shuffled output).
type reduction struct {
	op         string
	chunk      string
	combine    string
	final      string
	keys       []string // the partial results' key columns (for SplitOut)
	splitOut   int
	splitEvery int
	// goAgg, when set, is the same aggregation done in Go (see package
	// kernels).
	goAgg *kernels.AggPlan
	// ordered: the chunk reads the rows' places in the frame (posColumn;
	// see orderedPartials).
	ordered bool
	// anyOrder: the result does not depend on the rows' order (Go can
	// aggregate it, see goAgg), so partials may be of any partitions, in
	// any order (see queryRuns).
	anyOrder bool
}

// Agg computes the aggregates per group: one row per group, the key
// columns first, then one column per aggregate, sorted by the keys. Data
// already placed on the keys (sorted on one of them with known
// divisions, or hash-placed on some of them) is aggregated partition by
// partition, with no shuffle: the result keeps its partitions, each sorted
// by the keys (in key order across partitions only when the data is
// sorted on the first key).
func (g *GroupBy) Agg(aggs ...Aggregation) *DataFrame {
	df := g.df
	if g.err != nil {
		return &DataFrame{c: df.c, n: df.n, err: g.err}
	}
	if len(aggs) == 0 {
		return df.fail("Agg", errors.New("no aggregations given"))
	}
	s := df.Schema()
	keys := make([]string, len(g.keys))
	for i, k := range g.keys {
		keys[i] = engine.QuoteIdent(k)
	}
	keyList := strings.Join(keys, ", ")
	var chunk, combine, final []string
	ordered := false
	seen := map[string]bool{}
	for _, k := range g.keys {
		seen[k] = true
	}
	for i, a := range aggs {
		if err := checkAggName(a); err != nil {
			return df.fail("Agg", err)
		}
		idx := -1
		if a.fn != "size" {
			var err error
			if idx, err = columnIndex(s, a.col, "Agg"); err != nil {
				return df.fail("Agg", err)
			}
		}
		if seen[a.outName()] {
			return df.fail("Agg", fmt.Errorf("two result columns are named %q; name one with As", a.outName()))
		}
		seen[a.outName()] = true
		col := engine.QuoteIdent(a.col)
		out := engine.QuoteIdent(a.outName())
		p := fmt.Sprintf("__a%d", i)
		isInt := idx >= 0 && arrow.IsInteger(s.Field(idx).Type.ID())
		switch a.fn {
		case "sum":
			sum := fmt.Sprintf("sum(%s)", col)
			if isInt {
				sum += "::BIGINT"
			}
			chunk = append(chunk, fmt.Sprintf("%s AS %s", sum, p))
			combine = append(combine, fmt.Sprintf("sum(%s)%s AS %s", p, castIf(isInt, "::BIGINT"), p))
			final = append(final, fmt.Sprintf("%s AS %s", p, out))
		case "mean":
			chunk = append(chunk, fmt.Sprintf("sum(%s::DOUBLE) AS %s_s, count(%s) AS %s_n", col, p, col, p))
			combine = append(combine, fmt.Sprintf("sum(%s_s) AS %s_s, sum(%s_n)::BIGINT AS %s_n", p, p, p, p))
			final = append(final, fmt.Sprintf("CASE WHEN %s_n = 0 THEN NULL ELSE %s_s / %s_n END AS %s", p, p, p, out))
		case "min", "max":
			chunk = append(chunk, fmt.Sprintf("%s(%s) AS %s", a.fn, col, p))
			combine = append(combine, fmt.Sprintf("%s(%s) AS %s", a.fn, p, p))
			final = append(final, fmt.Sprintf("%s AS %s", p, out))
		case "count":
			chunk = append(chunk, fmt.Sprintf("count(%s) AS %s", col, p))
			combine = append(combine, fmt.Sprintf("sum(%s)::BIGINT AS %s", p, p))
			final = append(final, fmt.Sprintf("%s AS %s", p, out))
		case "nunique":
			chunk = append(chunk, fmt.Sprintf("list(DISTINCT %s) FILTER (WHERE %s IS NOT NULL) AS %s", col, col, p))
			combine = append(combine, fmt.Sprintf("list_distinct(flatten(list(%s))) AS %s", p, p))
			final = append(final, fmt.Sprintf("coalesce(len(%s), 0)::BIGINT AS %s", p, out))
		default:
			var t arrow.DataType = arrow.Null
			if idx >= 0 {
				t = s.Field(idx).Type
			}
			more, err := moreAggSQL(a, t, col, p, out)
			if err != nil {
				return df.fail("Agg", err)
			}
			chunk, combine, final = append(chunk, more.chunk...), append(combine, more.combine...), append(final, more.final...)
			ordered = ordered || more.ordered
		}
	}
	r := &reduction{
		op:         fmt.Sprintf("GroupBy [%s] Agg [%s]", strings.Join(g.keys, ", "), aggNames(aggs)),
		chunk:      fmt.Sprintf("SELECT %s, %s FROM part GROUP BY %s", keyList, strings.Join(chunk, ", "), keyList),
		combine:    fmt.Sprintf("SELECT %s, %s FROM part GROUP BY %s", keyList, strings.Join(combine, ", "), keyList),
		keys:       g.keys,
		splitOut:   g.splitOut,
		splitEvery: g.splitEvery,
		ordered:    ordered,
	}
	r.final = fmt.Sprintf("SELECT %s, %s FROM (%s) AS part ORDER BY %s", keyList, strings.Join(final, ", "), r.combine, keyList)
	specs := make([]kernels.AggSpec, len(aggs))
	for i, a := range aggs {
		specs[i] = kernels.AggSpec{Fn: a.fn, Col: a.col, Name: a.outName()}
	}
	r.goAgg = kernels.NewAggPlan(g.keys, specs, s, df.n.meta().cats)
	if why, ok := partitionedOn(df.n.meta(), g.keys); ok && !g.tree {
		// Every group is whole in one partition (see plan_noshuffle.go).
		return df.localReduce(r, why)
	}
	return df.reduce(r)
}

func castIf(b bool, s string) string {
	if b {
		return s
	}
	return ""
}

func aggNames(aggs []Aggregation) string {
	out := make([]string, len(aggs))
	for i, a := range aggs {
		out[i] = fmt.Sprintf("%s(%s)", a.fn, a.col)
	}
	return strings.Join(out, ", ")
}

// reduce adds a tree reduction, checked on no rows with DuckDB.
func (df *DataFrame) reduce(r *reduction) *DataFrame {
	if df.err != nil {
		return df
	}
	in := df.n.meta()
	if r.ordered {
		if err := notReserved(in.schema); err != nil {
			return df.fail(r.op, err)
		}
		in = withPositions(in)
	}
	chunkSchema, chunkCats, err := planSQL(in, r.chunk)
	if err != nil {
		return df.fail(r.op, err)
	}
	mid := &meta{schema: chunkSchema, cats: chunkCats}
	if _, _, err := planSQL(mid, r.combine); err != nil {
		return df.fail(r.op, err)
	}
	s, cats, err := planSQL(mid, r.final)
	if err != nil {
		return df.fail(r.op, err)
	}
	if g := r.goAgg; g != nil {
		c := *r
		c.anyOrder = true
		if !g.HasCats(chunkCats) || !g.HasCats(cats) || !kernels.SameTypes(g.MidSchema(), chunkSchema) || !kernels.SameTypes(g.OutSchema(), s) {
			// Go would not give what DuckDB plans: DuckDB does it.
			c.goAgg = nil
		}
		r = &c
	}
	m := &meta{schema: s, nparts: r.splitOut, bytes: -1, cats: cats}
	if r.splitOut > 1 {
		m.hashed = r.keys
	}
	return df.derive(&reduceNode{child: df.n, r: r, midCats: chunkCats, midSchema: chunkSchema, m: m, adapt: &ranDecisions{}})
}

// reduceNode is a tree reduction (or, with SplitOut, a shuffle of partial
// results).
type reduceNode struct {
	child     node
	r         *reduction
	midSchema *arrow.Schema
	midCats   map[string][]string
	m         *meta
	// adapt keeps what adaptive execution decided in the last run of a
	// SplitOut shuffle (adaptive_shuffle.go).
	adapt *ranDecisions
}

func (n *reduceNode) meta() *meta      { return n.m }
func (n *reduceNode) children() []node { return []node{n.child} }
func (n *reduceNode) label() string {
	in := n.child.meta().nparts
	if n.r.splitOut > 1 {
		return fmt.Sprintf("%s: partial per partition, hash shuffle %d -> %d partitions, combine", n.r.op, in, n.r.splitOut)
	}
	how := ""
	switch {
	case n.goPartial():
		how = ", aggregated in Go"
		if _, _, pre := n.input(); len(pre) > 0 {
			names := make([]string, len(pre))
			for i, c := range pre {
				names[i] = c.Name
			}
			how += fmt.Sprintf(" (%s computed in Go)", strings.Join(names, ", "))
		}
	case n.r.goAgg != nil:
		how = ", combined in Go"
	}
	return fmt.Sprintf("%s: tree reduction %d -> 1 partition (split_every=%d, depth %d)%s", n.r.op, in, n.r.splitEvery, treeDepth(in, n.r.splitEvery), how)
}

func treeDepth(n, every int) int {
	d := 0
	for n > 1 {
		n = (n + every - 1) / every
		d++
	}
	return d
}

func (n *reduceNode) lower(lw *lowering) ([]part, error) {
	chunks, err := n.partials(lw)
	if err != nil {
		return nil, err
	}
	final := engine.WithCTE("part", engine.ScanView(engine.ViewIn), n.r.final)
	if n.r.splitOut > 1 && lw.adapt.flexible(n) {
		return lw.adapt.adaptiveReduce(lw, n, chunks, func(p part) part {
			return dusk.Call[arrow.RecordBatch](fnSQL, p, final, n.m.cats)
		})
	}
	if n.r.splitOut > 1 {
		outs, err := lw.shuffleParts(chunks, n.midSchema, shuffle.Hash, n.r.keys, n.r.splitOut, nil)
		if err != nil {
			return nil, err
		}
		res := make([]part, len(outs))
		for i, o := range outs {
			res[i] = dusk.Call[arrow.RecordBatch](fnSQL, o, final, n.m.cats)
		}
		return res, nil
	}
	if g := n.r.goAgg; g != nil {
		level := chunks
		for len(level) > n.r.splitEvery {
			var next []part
			for i := 0; i < len(level); i += n.r.splitEvery {
				group := level[i:min(i+n.r.splitEvery, len(level))]
				next = append(next, dusk.Call[arrow.RecordBatch](fnAggCombine, partList(group), *g))
			}
			level = next
		}
		return []part{dusk.Call[arrow.RecordBatch](fnAggFinal, partList(level), *g)}, nil
	}
	combine := engine.WithCTE("part", engine.ScanView(engine.ViewIn), n.r.combine)
	level := chunks
	for len(level) > n.r.splitEvery {
		var next []part
		for i := 0; i < len(level); i += n.r.splitEvery {
			group := level[i:min(i+n.r.splitEvery, len(level))]
			next = append(next, dusk.Call[arrow.RecordBatch](fnSQLMany, partList(group), combine, n.midCats))
		}
		level = next
	}
	return []part{dusk.Call[arrow.RecordBatch](fnSQLMany, partList(level), final, n.m.cats)}, nil
}

// goPartial reports whether the partial aggregates run in Go: when Go
// can do the aggregation and no DuckDB query runs over the partitions
// anyway (a query chain, or Parquet that DuckDB reads itself).
func (n *reduceNode) goPartial() bool {
	if n.r.goAgg == nil {
		return false
	}
	child, _, _ := n.input()
	switch c := child.(type) {
	case *sqlNode:
		return false
	case *parquetNode:
		return !c.duckReadable()
	}
	return true
}

// partials returns the partial aggregate of every partition. A query
// chain below, or Parquet row groups DuckDB reads itself, run it in DuckDB
// in the same query (one pass); partitions otherwise (in memory, read from
// CSV) are aggregated in Go when the aggregation allows (see package
// kernels).
func (n *reduceNode) partials(lw *lowering) ([]part, error) {
	if n.r.ordered {
		return n.orderedPartials(lw)
	}
	if n.goPartial() {
		child, pieces, pre := n.input()
		g := *n.r.goAgg
		g.Pre = pre
		in, err := lw.parts(child)
		if err != nil {
			return nil, err
		}
		every := n.r.splitEvery
		for _, p := range pieces {
			every = max(every, p.to-p.from)
		}
		if runs := colocated(in, every); runs != nil {
			// Partitions already on the workers: one partial per run of
			// a worker's partitions, made there (elsewhere only if that
			// worker cannot run it).
			out := make([]part, len(runs))
			for i, r := range runs {
				fn := fnAggPartials.With(dusk.Workers(r.worker), dusk.AllowOtherWorkers())
				out[i] = dusk.Call[arrow.RecordBatch](fn, partList(r.parts), g)
			}
			return out, nil
		}
		if pieces != nil {
			// Coalesced: one partial of each run of neighbours, with
			// no partition of the run joined first.
			out := make([]part, len(pieces))
			for i, p := range pieces {
				out[i] = dusk.Call[arrow.RecordBatch](fnAggPartials, partList(in[p.from:p.to]), g)
			}
			return out, nil
		}
		out := make([]part, len(in))
		for i, p := range in {
			out[i] = dusk.Call[arrow.RecordBatch](fnAggPartial, p, g)
		}
		return out, nil
	}
	if out, ok, err := n.queryRuns(lw); ok || err != nil {
		return out, err
	}
	// The partial step joins the query chain below it: one pass.
	sn := &sqlNode{child: n.child, query: n.r.chunk, op: "partial", m: &meta{schema: n.midSchema, nparts: n.child.meta().nparts, cats: n.midCats}}
	if _, root := sn.compose(); root != nil {
		if pq, ok := root.(*parquetNode); ok && pq.duckReadable() && rowWise(n.child) {
			// Over Parquet that DuckDB reads, a partial needs no
			// partition of its own (see parquetNode.parts): one query reads a run
			// of a file's row groups, or several whole files, leaving
			// two queries or more for each worker (with no worker known
			// yet, one query a file). Not under a step whose rows
			// depend on where a partition starts and ends
			// (MapPartitionsSQL): the partitions stay there.
			minRuns := 0
			if ws, err := lw.owners(); err == nil {
				minRuns = 2 * len(ws)
			}
			runs := pq.duckRuns(minRuns)
			out := make([]part, len(runs))
			for i, scan := range runs {
				q, _ := sn.composeOver(scan.query)
				out[i] = dusk.Call[arrow.RecordBatch](fnParquetSQL, q, pq.dirs(), scan.checks, n.midCats)
			}
			return out, nil
		}
	}
	return lw.parts(sn)
}

// input returns the step whose partitions the partials read: below the
// optimizer's coalescing (whose runs of neighbours it returns), below a
// choice of columns (Go reads the columns it needs by name), and for Go's
// partials below Categorize (Go groups a categorical key by its strings,
// as a query over the strings does; see sqlNode.composeOver), Select and
// Drop, and the Assigns Go computes (returned, in the order they run; see
// goAssign).
func (n *reduceNode) input() (node, []repPiece, []kernels.Computed) {
	child := n.child
	var pieces []repPiece
	if rp, ok := child.(*repartitionNode); ok && rp.coalesced != nil {
		child, pieces = rp.child, rp.pieces
	}
	if n.r.goAgg == nil {
		if pn, ok := child.(*projectNode); ok {
			child = pn.child
		}
		return child, pieces, nil
	}
	var pre []kernels.Computed
	for {
		switch x := child.(type) {
		case *projectNode:
			child = x.child
			continue
		case *categorizeNode:
			child = x.child
			continue
		case *sqlNode:
			if c, ok := goAssign(x); ok {
				pre = append([]kernels.Computed{c}, pre...)
				child = x.child
				continue
			}
			if plainProjection(x) {
				child = x.child // a Select or Drop: Go reads by name
				continue
			}
		}
		return child, pieces, pre
	}
}

// workerRun is partitions held by one worker.
type workerRun struct {
	worker string
	parts  []part
}

// colocated groups partitions that are results on the cluster by the
// worker holding each (the first, when several do), in runs of at most
// size, in the partitions' order within a worker; nil when some partition
// is not a result held somewhere known, or when runs would not cut the
// number of partials. A group-by aggregates each run in one task on its
// worker: fewer, larger partials to move and combine, where a partial of
// a partition of many groups is nearly as large as the partition.
func colocated(parts []part, size int) []workerRun {
	if size < 2 || len(parts) < 2 {
		return nil
	}
	byWorker := map[string][]part{}
	var workers []string
	for _, p := range parts {
		f, ok := p.(*dusk.AnyFuture)
		if !ok {
			return nil
		}
		ws := f.Workers()
		if len(ws) == 0 {
			return nil
		}
		if _, seen := byWorker[ws[0]]; !seen {
			workers = append(workers, ws[0])
		}
		byWorker[ws[0]] = append(byWorker[ws[0]], p)
	}
	var runs []workerRun
	for _, w := range workers {
		ps := byWorker[w]
		for i := 0; i < len(ps); i += size {
			runs = append(runs, workerRun{worker: w, parts: ps[i:min(i+size, len(ps))]})
		}
	}
	if len(runs) == len(parts) {
		return nil
	}
	return runs
}

// ValueCounts counts the rows of each distinct value of col: a DataFrame
// of col and "count", most frequent first (ties in value order).
func (df *DataFrame) ValueCounts(col string) *DataFrame {
	if df.err != nil {
		return df
	}
	if _, err := columnIndex(df.Schema(), col, "ValueCounts"); err != nil {
		return df.fail("ValueCounts", err)
	}
	c := engine.QuoteIdent(col)
	r := &reduction{
		op:         "ValueCounts " + col,
		chunk:      fmt.Sprintf("SELECT %s, count(*) AS count FROM part GROUP BY %s", c, c),
		combine:    fmt.Sprintf("SELECT %s, sum(count)::BIGINT AS count FROM part GROUP BY %s", c, c),
		keys:       []string{col},
		splitOut:   1,
		splitEvery: DefaultSplitEvery,
	}
	r.final = fmt.Sprintf("SELECT * FROM (%s) AS part ORDER BY count DESC, %s", r.combine, c)
	return df.reduce(r)
}

// DropDuplicates keeps one row of each distinct combination of the
// columns (of all columns if none are given), as a tree reduction into one
// partition. With columns, which of several rows that share them is kept
// is not defined.
func (df *DataFrame) DropDuplicates(cols ...string) *DataFrame {
	if df.err != nil {
		return df
	}
	var q string
	if len(cols) == 0 {
		q = "SELECT DISTINCT * FROM part"
	} else {
		quoted := make([]string, len(cols))
		for i, col := range cols {
			if _, err := columnIndex(df.Schema(), col, "DropDuplicates"); err != nil {
				return df.fail("DropDuplicates", err)
			}
			quoted[i] = engine.QuoteIdent(col)
		}
		q = fmt.Sprintf("SELECT DISTINCT ON (%s) * FROM part", strings.Join(quoted, ", "))
	}
	keys := cols
	if len(keys) == 0 {
		keys = df.Columns()
	}
	r := &reduction{op: "DropDuplicates " + strings.Join(cols, ", "), chunk: q, combine: q, final: q,
		keys: keys, splitOut: 1, splitEvery: DefaultSplitEvery}
	return df.reduce(r)
}
