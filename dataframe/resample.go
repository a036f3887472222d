package dataframe

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
)

// resampleOrigin is where bins start counting: 2000-01-03 00:00:00 UTC, in
// microseconds since the epoch, as DuckDB's time_bucket for spans of days
// and less.
const resampleOrigin = 946_857_600_000_000

// bucketColumn holds each row's bin in Resample's query.
const bucketColumn = "__dusk_bucket"

// Resampler is a DataFrame sorted on a timestamp index, cut into bins of
// time, to aggregate with Agg.
type Resampler struct {
	df    *DataFrame
	freq  string
	us    int64
	index string
	err   error
}

// Resample cuts the rows of a DataFrame sorted on a timestamp index (known
// divisions: SetIndex) into bins of freq ("1h", "15m", "1d": a Go duration
// or a number of days), each bin starting at a whole number of freq from
// 2000-01-03 00:00:00 UTC (as DuckDB's time_bucket). A bin that crosses
// partition boundaries is aggregated whole, from the rows of every
// partition it covers.
func (df *DataFrame) Resample(freq string) *Resampler {
	r := &Resampler{df: df, freq: freq}
	if df.err != nil {
		r.err = df.err
		return r
	}
	us, err := parseSpan(freq)
	if err != nil {
		r.err = opError("Resample", fmt.Errorf("freq %q: %w", freq, err))
		return r
	}
	m := df.n.meta()
	idx, err := needSorted(m, "Resample")
	if err == nil {
		err = checkReserved(m.schema)
	}
	if err == nil {
		var ts *arrow.TimestampType
		ts, err = timeIndex(m, idx, "Resample")
		if err == nil && ts.Unit == arrow.Nanosecond {
			err = fmt.Errorf("Resample bins microseconds; the index %q is %s: cast it (Assign(%q, \"%s::TIMESTAMP\")) and SetIndex again", idx, ts, idx, idx)
		}
	}
	if err != nil {
		r.err = opError("Resample", err)
		return r
	}
	r.us, r.index = us, idx
	return r
}

// resampleAgg returns the SQL aggregate of a.
func resampleAgg(s *arrow.Schema, a Aggregation) (string, error) {
	i, err := columnIndex(s, a.col, "Resample.Agg")
	if err != nil {
		return "", err
	}
	col := engine.QuoteIdent(a.col)
	switch a.fn {
	case "sum":
		if arrow.IsInteger(s.Field(i).Type.ID()) {
			return fmt.Sprintf("sum(%s)::BIGINT", col), nil
		}
		return fmt.Sprintf("sum(%s)", col), nil
	case "mean":
		return fmt.Sprintf("avg(%s::DOUBLE)", col), nil
	case "min", "max":
		return fmt.Sprintf("%s(%s)", a.fn, col), nil
	case "count":
		return fmt.Sprintf("count(%s)", col), nil
	case "std":
		return fmt.Sprintf("stddev_samp(%s::DOUBLE)", col), nil
	case "nunique":
		return fmt.Sprintf("count(DISTINCT %s)", col), nil
	}
	return "", fmt.Errorf("unknown aggregation %q", a.fn)
}

// Agg computes the aggregates per bin: one row per bin that holds rows,
// sorted, with the bin's start as the index column (same name) and then
// one column per aggregate (named as in GroupBy's Agg). The result equals
// DuckDB's GROUP BY time_bucket(freq, index) over the whole table without
// the rows whose index is null (left out, as pandas does), and is sorted
// on the index with known divisions.
func (r *Resampler) Agg(aggs ...Aggregation) *DataFrame {
	df := r.df
	if r.err != nil {
		return &DataFrame{c: df.c, n: df.n, err: r.err}
	}
	if len(aggs) == 0 {
		return df.fail("Resample.Agg", errors.New("no aggregations given"))
	}
	m := df.n.meta()
	idx := engine.QuoteIdent(r.index)
	cols := []string{fmt.Sprintf("%s AS %s", bucketColumn, idx)}
	seen := map[string]bool{r.index: true}
	for _, a := range aggs {
		e, err := resampleAgg(m.schema, a)
		if err != nil {
			return df.fail("Resample.Agg", err)
		}
		if seen[a.outName()] {
			return df.fail("Resample.Agg", fmt.Errorf("two result columns are named %q; name one with As", a.outName()))
		}
		seen[a.outName()] = true
		cols = append(cols, e+" AS "+engine.QuoteIdent(a.outName()))
	}
	// bucket is the start of the row's bin; epoch the same in microseconds.
	off := fmt.Sprintf("((epoch_us(%s) - %d) %% %d + %d) %% %d", idx, int64(resampleOrigin), r.us, r.us, r.us)
	inner := fmt.Sprintf("SELECT *, %s - to_microseconds(%s) AS %s FROM part", idx, off, bucketColumn)
	body := func(where string) string {
		return fmt.Sprintf("SELECT %s FROM (%s) WHERE %s GROUP BY %s ORDER BY %s", strings.Join(cols, ", "), inner, where, bucketColumn, bucketColumn)
	}
	s, cats, err := planHaloSQL(m, body("true"))
	if err != nil {
		return df.fail("Resample.Agg", err)
	}
	// Partition i's bins are those from the bin of its first division to
	// the bin of the next partition's (the first and last partitions'
	// open at their ends); it borrows the rows of the partitions before it
	// from the start of its first bin on.
	ts, _ := timeIndex(m, r.index, "Resample")
	n := &resampleNode{child: df.n, freq: r.freq, index: r.index, aggs: aggNames(aggs), cuts: make([]int64, m.nparts)}
	bins := make([]int64, len(m.divs.Bounds))
	for i, b := range m.divs.Bounds {
		raw, ok := b.(int64)
		if !ok {
			return df.fail("Resample.Agg", fmt.Errorf("division %v of %q is not a timestamp", b, r.index))
		}
		bins[i] = floorBin(toMicros(ts.Unit, raw), r.us)
	}
	for i := range m.nparts {
		var where []string
		if i > 0 {
			where = append(where, fmt.Sprintf("epoch_us(%s) >= %d", bucketColumn, bins[i]))
			n.cuts[i] = fromMicrosDown(ts.Unit, bins[i])
		}
		if i < m.nparts-1 {
			where = append(where, fmt.Sprintf("epoch_us(%s) < %d", bucketColumn, bins[i+1]))
		}
		if len(where) == 0 {
			where = []string{bucketColumn + " IS NOT NULL"}
		}
		n.queries = append(n.queries, haloQuery(body(strings.Join(where, " AND "))))
	}
	out := &meta{schema: s, nparts: m.nparts, bytes: -1, cats: cats}
	if f := s.Field(0); f.Name == r.index {
		if ot, ok := f.Type.(*arrow.TimestampType); ok && ot.Unit == arrow.Microsecond {
			bounds := make([]any, len(bins))
			for i, b := range bins {
				bounds[i] = b
			}
			out.divs = &Divisions{Column: r.index, Bounds: bounds}
		}
	}
	n.m = out
	return df.derive(n)
}

// floorBin is the start of the bin of width w holding t (microseconds).
func floorBin(t, w int64) int64 {
	off := ((t-resampleOrigin)%w + w) % w
	return t - off
}

// toMicros converts a raw timestamp of unit u (not nanoseconds) to
// microseconds.
func toMicros(u arrow.TimeUnit, v int64) int64 {
	switch u {
	case arrow.Second:
		return v * 1_000_000
	case arrow.Millisecond:
		return v * 1000
	}
	return v
}

// fromMicrosDown converts microseconds to a raw timestamp of unit u,
// rounded down.
func fromMicrosDown(u arrow.TimeUnit, us int64) int64 {
	floorDiv := func(a, b int64) int64 {
		q := a / b
		if a%b != 0 && a < 0 {
			q--
		}
		return q
	}
	switch u {
	case arrow.Second:
		return floorDiv(us, 1_000_000)
	case arrow.Millisecond:
		return floorDiv(us, 1000)
	}
	return us
}

// resampleNode aggregates each partition's bins, with the rows of the
// partitions before it that fall in its first bin.
type resampleNode struct {
	child   node
	freq    string
	index   string
	aggs    string
	queries []string // one per partition
	cuts    []int64
	m       *meta
}

func (n *resampleNode) meta() *meta        { return n.m }
func (n *resampleNode) children() []node   { return []node{n.child} }
func (n *resampleNode) plannedInput() node { return n.child }
func (n *resampleNode) withPlannedInput(c node) node {
	m := *n
	m.child = c
	return &m
}
func (n *resampleNode) label() string {
	return fmt.Sprintf("Resample %s on %s Agg [%s] (bins across edges from the partitions before) partitions=%d", n.freq, n.index, n.aggs, n.m.nparts)
}

func (n *resampleNode) lower(lw *lowering) ([]part, error) {
	in, err := lw.parts(n.child)
	if err != nil {
		return nil, err
	}
	before, after := rowsSince(in, n.index, n.cuts), noRows(in)
	out := make([]part, len(in))
	for i, p := range in {
		out[i] = dusk.Call[arrow.RecordBatch](fnHaloSQL, before[i], p, after[i], n.queries[i], n.m.cats)
	}
	return out, nil
}
