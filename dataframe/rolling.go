package dataframe

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
)

// Window is the size of a rolling window: a number of rows (RowWindow) or
// a span of time (TimeWindow).
type Window struct {
	rows int
	span string
	us   int64 // the span in microseconds
	err  error
}

// RowWindow is a window of the current row and the n-1 rows before it.
func RowWindow(n int) Window {
	if n < 1 {
		return Window{err: fmt.Errorf("RowWindow(%d): a window has at least 1 row", n)}
	}
	return Window{rows: n}
}

// TimeWindow is a window of the rows whose index (a timestamp) is at most
// span before the current row's, both ends included (SQL's RANGE frame):
// span is a Go duration ("1h", "90s", "1h30m") or a number of days ("2d").
func TimeWindow(span string) Window {
	us, err := parseSpan(span)
	if err != nil {
		return Window{err: fmt.Errorf("TimeWindow(%q): %w", span, err)}
	}
	return Window{span: span, us: us}
}

// String describes the window: "5 rows" or its span ("1h").
func (w Window) String() string {
	if w.span != "" {
		return w.span
	}
	return fmt.Sprintf("%d rows", w.rows)
}

// parseSpan reads a positive span of whole microseconds: a Go duration or
// a number of days ("2d").
func parseSpan(s string) (int64, error) {
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseInt(n, 10, 64)
		if err != nil || days <= 0 || days > 100000 {
			return 0, errors.New(`want a positive number of days such as "2d", or a Go duration such as "1h30m"`)
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, errors.New(`want a Go duration such as "1h", "15m" or "1h30m", or a number of days such as "2d"`)
		}
	}
	if d <= 0 {
		return 0, errors.New("want a positive span")
	}
	if d%time.Microsecond != 0 {
		return 0, errors.New("want a span of whole microseconds")
	}
	return d.Microseconds(), nil
}

// Rolling is a DataFrame sorted on its index, seen through a window that
// slides over the rows, to aggregate with Agg.
type Rolling struct {
	df    *DataFrame
	w     Window
	index string
	err   error
}

// Rolling slides a window over the rows of a DataFrame sorted on its index
// (known divisions: SetIndex, or SetIndex with Sorted()). Each row's
// window reaches into the partitions before it where it must: the result
// at a partition's edge is the result over the whole table.
func (df *DataFrame) Rolling(w Window) *Rolling {
	r := &Rolling{df: df, w: w}
	switch {
	case df.err != nil:
		r.err = df.err
	case w.err != nil:
		r.err = opError("Rolling", w.err)
	case w.rows == 0 && w.span == "":
		r.err = opError("Rolling", errors.New("no window given; use RowWindow(n) or TimeWindow(span)"))
	}
	if r.err != nil {
		return r
	}
	m := df.n.meta()
	idx, err := needSorted(m, "Rolling")
	if err != nil {
		r.err = opError("Rolling", err)
		return r
	}
	if err := checkReserved(m.schema); err != nil {
		r.err = opError("Rolling", err)
		return r
	}
	if w.span != "" {
		if _, err := timeIndex(m, idx, "Rolling with a TimeWindow"); err != nil {
			r.err = opError("Rolling", err)
			return r
		}
	}
	r.index = idx
	return r
}

// timeIndex returns the type of the index column idx, or an error when it
// is not a timestamp.
func timeIndex(m *meta, idx, what string) (*arrow.TimestampType, error) {
	i, err := columnIndex(m.schema, idx, what)
	if err != nil {
		return nil, err
	}
	ts, ok := m.schema.Field(i).Type.(*arrow.TimestampType)
	if !ok {
		return nil, fmt.Errorf("%s needs a timestamp index; the index %q is %s", what, idx, typeName(m.schema.Field(i).Type))
	}
	return ts, nil
}

// windowAgg returns the SQL window aggregate of a over the window w, or
// an error for an aggregation windows do not have.
func windowAgg(s *arrow.Schema, a Aggregation, op string) (string, error) {
	i, err := columnIndex(s, a.col, op)
	if err != nil {
		return "", err
	}
	col := engine.QuoteIdent(a.col)
	isInt := arrow.IsInteger(s.Field(i).Type.ID())
	switch a.fn {
	case "sum":
		if isInt {
			return fmt.Sprintf("(sum(%s) OVER w)::BIGINT", col), nil
		}
		return fmt.Sprintf("sum(%s) OVER w", col), nil
	case "mean":
		return fmt.Sprintf("avg(%s::DOUBLE) OVER w", col), nil
	case "min", "max":
		return fmt.Sprintf("%s(%s) OVER w", a.fn, col), nil
	case "count":
		return fmt.Sprintf("count(%s) OVER w", col), nil
	case "std":
		return fmt.Sprintf("stddev_samp(%s::DOUBLE) OVER w", col), nil
	}
	return "", fmt.Errorf("%s(%s) has no windowed form; use Sum, Mean, Min, Max, Count or Std", a.fn, a.col)
}

// Agg computes the aggregates over each row's window: one row per row, in
// order, with the index column and then one column per aggregate (named
// as in GroupBy's Agg, "x_sum", unless As names it). A window at the start
// of the data aggregates the rows there are (pandas' min_periods=1); Std
// of one row is null. Rows are borrowed from the partitions before each
// partition: the last n-1 rows for RowWindow(n), the rows within the span
// of the partition's first division for TimeWindow (which also borrows
// the rows of the next partitions that share the partition's last index
// value: rows of one timestamp are peers in a time window, and Sorted()
// divisions let them straddle an edge).
func (r *Rolling) Agg(aggs ...Aggregation) *DataFrame {
	df := r.df
	if r.err != nil {
		return &DataFrame{c: df.c, n: df.n, err: r.err}
	}
	if len(aggs) == 0 {
		return df.fail("Rolling.Agg", errors.New("no aggregations given"))
	}
	m := df.n.meta()
	idx := engine.QuoteIdent(r.index)
	cols := []string{idx}
	inner := []string{engine.QuoteIdent(haloPosColumn), engine.QuoteIdent(haloOwnColumn), idx}
	seen := map[string]bool{r.index: true}
	for _, a := range aggs {
		e, err := windowAgg(m.schema, a, "Rolling.Agg")
		if err != nil {
			return df.fail("Rolling.Agg", err)
		}
		if seen[a.outName()] {
			return df.fail("Rolling.Agg", fmt.Errorf("two result columns are named %q; name one with As", a.outName()))
		}
		seen[a.outName()] = true
		out := engine.QuoteIdent(a.outName())
		inner = append(inner, e+" AS "+out)
		cols = append(cols, out)
	}
	frame := fmt.Sprintf("ORDER BY %s ROWS BETWEEN %d PRECEDING AND CURRENT ROW", engine.QuoteIdent(haloPosColumn), r.w.rows-1)
	if r.w.span != "" {
		frame = fmt.Sprintf("ORDER BY %s RANGE BETWEEN to_microseconds(%d::BIGINT) PRECEDING AND CURRENT ROW", idx, r.w.us)
	}
	body := fmt.Sprintf("SELECT %s FROM (SELECT %s FROM part WINDOW w AS (%s)) WHERE %s ORDER BY %s",
		strings.Join(cols, ", "), strings.Join(inner, ", "), frame, engine.QuoteIdent(haloOwnColumn), engine.QuoteIdent(haloPosColumn))
	s, cats, err := planHaloSQL(m, body)
	if err != nil {
		return df.fail("Rolling.Agg", err)
	}
	out := &meta{schema: s, nparts: m.nparts, bytes: -1, cats: cats, divs: m.divs}
	n := &rollingNode{child: df.n, w: r.w, index: r.index, query: haloQuery(body), aggs: aggNames(aggs), m: out}
	if r.w.span == "" && len(m.cats) == 0 {
		var fns, cols, names []string
		for _, a := range aggs {
			fns, cols, names = append(fns, a.fn), append(cols, a.col), append(names, a.outName())
		}
		if gs, ok := rollingRowsSchema(m.schema, r.index, fns, cols, names); ok && gs.Equal(s) {
			n.goFns, n.goCols, n.goNames = fns, cols, names
		}
	}
	if r.w.span != "" {
		ts, _ := timeIndex(m, r.index, "Rolling")
		span := spanIn(ts.Unit, r.w.us)
		n.cuts = make([]int64, m.nparts)
		for i := range n.cuts {
			b, ok := m.divs.Bounds[i].(int64)
			if !ok {
				return df.fail("Rolling.Agg", fmt.Errorf("division %v of %q is not a timestamp", m.divs.Bounds[i], r.index))
			}
			n.cuts[i] = b - span
		}
		n.peers = make([]int64, m.nparts)
		for i := range n.peers {
			n.peers[i], _ = m.divs.Bounds[i+1].(int64)
		}
	}
	return df.derive(n)
}

// spanIn returns a span of us microseconds in a timestamp unit, rounded
// up.
func spanIn(u arrow.TimeUnit, us int64) int64 {
	switch u {
	case arrow.Second:
		return (us + 999_999) / 1_000_000
	case arrow.Millisecond:
		return (us + 999) / 1000
	case arrow.Nanosecond:
		return us * 1000
	}
	return us
}

// rollingNode computes window aggregates over each partition extended with
// the rows its first rows' windows reach back to.
type rollingNode struct {
	child node
	w     Window
	index string
	query string
	aggs  string
	// cuts, for a time window: partition i borrows the rows of the
	// partitions before it whose index is at least cuts[i], and the rows
	// of the partitions after it whose index is at most peers[i] (rows
	// of its last index value, peers in SQL's RANGE frame, that
	// Sorted() divisions let continue into the next partition).
	cuts, peers []int64
	// goFns, goCols and goNames, for a row window Go computes (see
	// rollingRows): the aggregates, their columns and their names.
	goFns, goCols, goNames []string
	m                      *meta
}

func (n *rollingNode) meta() *meta        { return n.m }
func (n *rollingNode) children() []node   { return []node{n.child} }
func (n *rollingNode) plannedInput() node { return n.child }
func (n *rollingNode) withPlannedInput(c node) node {
	m := *n
	m.child = c
	return &m
}
func (n *rollingNode) label() string {
	how := ""
	if n.goFns != nil {
		how = ", computed in Go"
	}
	return fmt.Sprintf("Rolling %s on %s Agg [%s] (rows borrowed from the partitions before%s) partitions=%d", n.w, n.index, n.aggs, how, n.m.nparts)
}

func (n *rollingNode) lower(lw *lowering) ([]part, error) {
	in, err := lw.parts(n.child)
	if err != nil {
		return nil, err
	}
	var before, after []part
	if n.cuts != nil {
		before, after = rowsSince(in, n.index, n.cuts), rowsUpTo(in, n.index, n.peers)
	} else {
		before = rowsBefore(in, n.w.rows-1)
		if n.goFns == nil {
			after = noRows(in)
		}
	}
	out := make([]part, len(in))
	for i, p := range in {
		if n.goFns != nil {
			out[i] = dusk.Call[arrow.RecordBatch](fnRollingRows, before[i], p, n.index, n.w.rows, n.goFns, n.goCols, n.goNames, n.query, n.m.cats)
			continue
		}
		out[i] = dusk.Call[arrow.RecordBatch](fnHaloSQL, before[i], p, after[i], n.query, n.m.cats)
	}
	return out, nil
}
