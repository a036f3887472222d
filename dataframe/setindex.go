package dataframe

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

var fnSortColumn = dusk.Register("dataframe.sort-column", kernels.SortByColumn)

// IndexOption configures SetIndex and SortValues.
type IndexOption func(*indexOptions)

type indexOptions struct {
	sorted     bool
	bounds     []any
	nparts     int
	descending bool
}

// Sorted says the data is already sorted on the column across partitions:
// SetIndex then only reads each partition's least and greatest value (and
// checks the order) instead of shuffling.
func Sorted() IndexOption { return func(o *indexOptions) { o.sorted = true } }

// OutPartitions sets the number of output partitions (default: as many as
// the input has).
func OutPartitions(n int) IndexOption { return func(o *indexOptions) { o.nparts = n } }

// Descending sorts from the greatest value down (SortValues only).
func Descending() IndexOption { return func(o *indexOptions) { o.descending = true } }

// quantilePoints is how many quantiles of each partition the sampling pass
// reads, at least (more with many output partitions).
const quantilePoints = 100

// SetIndex sorts the DataFrame on col with known divisions, so that later
// joins on col are partition-aligned (no data moves) and range filters know
// which partitions to read. Unless the divisions are given
// (WithDivisions) or the data is already sorted (Sorted), a first pass reads
// approximate quantiles of col in every partition and picks the
// divisions; then a peer-to-peer range shuffle moves every row to the
// partition of its range, and each output partition is sorted. Arrow
// records have no index: col stays a column, and Divisions() describes it.
func (df *DataFrame) SetIndex(ctx context.Context, col string, opts ...IndexOption) (*DataFrame, error) {
	var o indexOptions
	for _, f := range opts {
		f(&o)
	}
	return df.rangeSort(ctx, "SetIndex", []string{col}, o)
}

// SortValues sorts the rows by the columns (the first decides the
// partition, as in SetIndex; the rest break ties within it), ascending
// unless Descending is given.
func (df *DataFrame) SortValues(ctx context.Context, cols []string, opts ...IndexOption) (*DataFrame, error) {
	var o indexOptions
	for _, f := range opts {
		f(&o)
	}
	if len(cols) == 0 {
		return nil, opError("SortValues", errors.New("no columns given"))
	}
	return df.rangeSort(ctx, "SortValues", cols, o)
}

func (df *DataFrame) rangeSort(ctx context.Context, op string, cols []string, o indexOptions) (*DataFrame, error) {
	if df.err != nil {
		return nil, df.err
	}
	in := df.n.meta()
	col := cols[0]
	idx, err := columnIndex(in.schema, col, op)
	if err != nil {
		return nil, opError(op, err)
	}
	if !rangeType(in.schema.Field(idx).Type) {
		return nil, opError(op, fmt.Errorf("column %q is %s; divisions need integers, floats, strings, dates or timestamps", col, in.schema.Field(idx).Type))
	}
	if o.sorted {
		return df.sortedIndex(ctx, op, col)
	}
	bounds := o.bounds
	if bounds == nil {
		n := o.nparts
		if n <= 0 {
			n = in.nparts
		}
		if bounds, err = df.sampleDivisions(ctx, col, n); err != nil {
			return nil, opError(op, err)
		}
	} else {
		if bounds, err = boundsFor(in.schema.Field(idx), bounds); err != nil {
			return nil, opError(op, err)
		}
	}
	m := in.clone()
	m.nparts = len(bounds) - 1
	m.hashed = nil
	m.divs = &Divisions{Column: col, Bounds: bounds}
	if o.descending {
		m.divs = nil
	}
	return df.derive(&rangeNode{child: df.n, op: op, cols: cols, bounds: bounds, desc: o.descending, given: o.bounds != nil, m: m, adapt: &ranDecisions{}}), nil
}

func rangeType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.FLOAT32, arrow.FLOAT64, arrow.STRING, arrow.DATE32, arrow.TIMESTAMP:
		return true
	}
	return false
}

// rangeNode is a range shuffle followed by a sort of each output.
type rangeNode struct {
	child  node
	op     string
	cols   []string
	bounds []any
	desc   bool
	given  bool // bounds given (WithDivisions): each input is checked to lie within them
	m      *meta
	// adapt keeps what adaptive execution decided in the shuffle's last
	// run (adaptive_shuffle.go).
	adapt *ranDecisions
}

func (n *rangeNode) meta() *meta      { return n.m }
func (n *rangeNode) children() []node { return []node{n.child} }
func (n *rangeNode) label() string {
	return fmt.Sprintf("%s [%s]: range shuffle %d -> %d partitions, divisions %s", n.op, strings.Join(n.cols, ", "),
		n.child.meta().nparts, n.m.nparts, boundsString(n.bounds))
}

func boundsString(b []any) string {
	if len(b) <= 6 {
		return fmt.Sprint(b)
	}
	return fmt.Sprintf("[%v %v %v ... %v]", b[0], b[1], b[2], b[len(b)-1])
}

func (n *rangeNode) lower(lw *lowering) ([]part, error) {
	in, err := lw.parts(n.child)
	if err != nil {
		return nil, err
	}
	if n.given {
		in = checkedWithin(in, n.cols[0], n.bounds)
	}
	sortOne := n.sorter()
	if lw.adapt.flexible(n) {
		return lw.adapt.adaptiveRange(lw, n, in, sortOne)
	}
	outs, err := lw.shuffleParts(in, n.child.meta().schema, shuffle.Range, n.cols[:1], len(n.bounds)-1, n.bounds)
	if err != nil {
		return nil, err
	}
	res := make([]part, len(outs))
	for i, o := range outs {
		res[i] = sortOne(o)
	}
	if n.desc {
		slices.Reverse(res)
	}
	return res, nil
}

// sorter returns how one output of the shuffle is sorted: one numeric
// column in Go (see package kernels), otherwise by DuckDB.
func (n *rangeNode) sorter() func(p part) part {
	s := n.child.meta().schema
	if idx := s.FieldIndices(n.cols[0]); len(idx) == 1 && len(n.cols) == 1 && kernels.Sortable(s.Field(idx[0]).Type) {
		return func(p part) part { return dusk.Call[arrow.RecordBatch](fnSortColumn, p, n.cols[0], n.desc) }
	}
	order := make([]string, len(n.cols))
	for i, c := range n.cols {
		order[i] = engine.QuoteIdent(c)
		if n.desc {
			order[i] += " DESC"
		}
	}
	q := engine.WithCTE("part", engine.ScanView(engine.ViewIn), "SELECT * FROM part ORDER BY "+strings.Join(order, ", "))
	return func(p part) part { return dusk.Call[arrow.RecordBatch](fnSQL, p, q, n.m.cats) }
}

// sampleDivisions reads quantiles of col in every partition and picks n+1
// divisions that cut the rows into n ranges of about equal size.
func (df *DataFrame) sampleDivisions(ctx context.Context, col string, n int) ([]any, error) {
	points := max(quantilePoints, 2*n)
	futs, forget, err := df.run(ctx, func(lw *lowering, parts []part) ([]part, error) {
		out := make([]part, len(parts))
		for i, p := range parts {
			out[i] = dusk.Call[arrow.RecordBatch](fnSample, p, col, points)
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	defer forget()
	defer release(futs)
	recs, err := gatherRecords(ctx, futs)
	if err != nil {
		return nil, err
	}
	type wv struct {
		v any
		w float64
	}
	var all []wv
	var total float64
	for _, r := range recs {
		if r.NumRows() == 0 || r.Column(1).IsNull(0) {
			continue
		}
		cnt := float64(r.Column(1).(*array.Int64).Value(0))
		if cnt == 0 {
			continue
		}
		vals, err := scalars(r.Column(0))
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			if v != nil {
				all = append(all, wv{v, cnt / float64(len(vals))})
				total += cnt / float64(len(vals))
			}
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("column %q has no values to take divisions from", col)
	}
	slices.SortStableFunc(all, func(a, b wv) int { return compareAny(a.v, b.v) })
	bounds := []any{all[0].v}
	cum := 0.0
	next := 1
	for _, x := range all {
		cum += x.w
		for next < n && cum >= total*float64(next)/float64(n) {
			if compareAny(x.v, bounds[len(bounds)-1]) > 0 {
				bounds = append(bounds, x.v)
			}
			next++
		}
	}
	last := all[len(all)-1].v
	if compareAny(last, bounds[len(bounds)-1]) > 0 || len(bounds) == 1 {
		bounds = append(bounds, last)
	} else {
		bounds[len(bounds)-1] = last
	}
	return bounds, nil
}

var fnSample = dusk.Register("dataframe.sample-quantiles", sampleQuantiles)

// sampleQuantiles returns points+1 evenly spaced quantiles of a sample of
// the column's values (every k-th non-null value, at most 16 per point) as
// column q, with the column's count of non-null values as column n.
func sampleQuantiles(rec arrow.RecordBatch, col string, points int) (arrow.RecordBatch, error) {
	i, err := columnIndex(rec.Schema(), col, "SetIndex")
	if err != nil {
		return nil, err
	}
	a := rec.Column(i)
	valid := a.Len() - a.NullN()
	stride := max(1, valid/(16*points))
	var idx []int64
	seen := 0
	for r := range a.Len() {
		if a.IsNull(r) {
			continue
		}
		if seen%stride == 0 {
			idx = append(idx, int64(r))
		}
		seen++
	}
	// The least and greatest values are always in the sample, so that the
	// first and last division are the data's own (exact divisions).
	if lo, hi := extremes(a); lo >= 0 {
		idx = append(idx, int64(lo), int64(hi))
	}
	sample, err := shuffle.Gather(a, idx)
	if err != nil {
		return nil, err
	}
	vals, err := scalars(sample)
	if err != nil {
		return nil, err
	}
	order := make([]int64, len(vals))
	for j := range order {
		order[j] = int64(j)
	}
	slices.SortFunc(order, func(x, y int64) int { return compareAny(vals[x], vals[y]) })
	var pick []int64
	if len(order) > 0 {
		for q := 0; q <= points; q++ {
			pick = append(pick, order[q*(len(order)-1)/points])
		}
	}
	qs, err := shuffle.Gather(sample, pick)
	if err != nil {
		return nil, err
	}
	nb := array.NewInt64Builder(mem)
	defer nb.Release()
	for range qs.Len() {
		nb.Append(int64(valid))
	}
	s := arrow.NewSchema([]arrow.Field{{Name: "q", Type: a.DataType(), Nullable: true}, {Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	return array.NewRecordBatch(s, []arrow.Array{qs, nb.NewArray()}, int64(qs.Len())), nil
}

// collectPerPartition runs a query on every partition and gathers the
// (small) results.
func (df *DataFrame) collectPerPartition(ctx context.Context, query string) ([]arrow.RecordBatch, error) {
	futs, forget, err := df.run(ctx, func(lw *lowering, parts []part) ([]part, error) {
		out := make([]part, len(parts))
		for i, p := range parts {
			out[i] = dusk.Call[arrow.RecordBatch](fnSQL, p, query, map[string][]string(nil))
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	defer forget()
	defer release(futs)
	return gatherRecords(ctx, futs)
}

// sortedIndex takes the divisions of data already sorted on col from each
// partition's least and greatest value, and checks the order.
func (df *DataFrame) sortedIndex(ctx context.Context, op, col string) (*DataFrame, error) {
	futs, forget, err := df.run(ctx, func(lw *lowering, parts []part) ([]part, error) {
		out := make([]part, len(parts))
		for i, p := range parts {
			out[i] = dusk.Call[arrow.RecordBatch](fnSortedStats, p, col)
		}
		return out, nil
	})
	if err != nil {
		return nil, opError(op, err)
	}
	defer forget()
	defer release(futs)
	recs, err := gatherRecords(ctx, futs)
	if err != nil {
		return nil, opError(op, err)
	}
	var bounds []any
	var prevHi any
	tied := false
	for i, r := range recs {
		lo, err := scalars(r.Column(0))
		if err != nil {
			return nil, opError(op, err)
		}
		hi, _ := scalars(r.Column(1))
		if lo[0] == nil {
			return nil, opError(op, fmt.Errorf("partition %d has no values of %q; Sorted() needs every partition to have some", i, col))
		}
		if ok := r.Column(2).(*array.Boolean); ok.IsValid(0) && !ok.Value(0) {
			return nil, opError(op, fmt.Errorf("partition %d is not sorted on %q; leave out Sorted() to sort it", i, col))
		}
		if prevHi != nil && compareAny(lo[0], prevHi) < 0 {
			return nil, opError(op, fmt.Errorf("partitions %d and %d overlap on %q (%v > %v); leave out Sorted() to sort them", i-1, i, col, prevHi, lo[0]))
		}
		if prevHi != nil && compareAny(lo[0], prevHi) == 0 {
			// Neighbours share a value: it is in two partitions.
			tied = true
		}
		bounds = append(bounds, lo[0])
		prevHi = hi[0]
	}
	bounds = append(bounds, prevHi)
	m := df.n.meta().clone()
	m.divs = &Divisions{Column: col, Bounds: bounds, tied: tied}
	return df.derive(&relabel{child: df.n, m: m, what: fmt.Sprintf("%s %s (sorted): divisions %s", op, col, boundsString(bounds))}), nil
}

// relabel is its child with more known about it (divisions).
type relabel struct {
	child node
	m     *meta
	what  string
}

func (r *relabel) meta() *meta                        { return r.m }
func (r *relabel) children() []node                   { return []node{r.child} }
func (r *relabel) label() string                      { return r.what }
func (r *relabel) lower(lw *lowering) ([]part, error) { return lw.parts(r.child) }

// scalars returns an array's values as int64, float64 or string (nil for
// nulls).
func scalars(a arrow.Array) ([]any, error) {
	out := make([]any, a.Len())
	for i := range out {
		if a.IsNull(i) {
			continue
		}
		switch x := a.(type) {
		case *array.Int64:
			out[i] = x.Value(i)
		case *array.Int32:
			out[i] = int64(x.Value(i))
		case *array.Int16:
			out[i] = int64(x.Value(i))
		case *array.Int8:
			out[i] = int64(x.Value(i))
		case *array.Float64:
			out[i] = x.Value(i)
		case *array.Float32:
			out[i] = float64(x.Value(i))
		case *array.String:
			out[i] = x.Value(i)
		case *array.Date32:
			out[i] = int64(x.Value(i))
		case *array.Timestamp:
			out[i] = int64(x.Value(i))
		default:
			return nil, fmt.Errorf("values of type %s cannot be divisions", a.DataType())
		}
	}
	return out, nil
}

// compareAny orders int64, float64 and string values.
func compareAny(a, b any) int {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmp.Compare(x, y)
		case float64:
			return cmp.Compare(float64(x), y)
		}
	case float64:
		switch y := b.(type) {
		case float64:
			return cmp.Compare(x, y)
		case int64:
			return cmp.Compare(x, float64(y))
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	}
	return cmp.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// checkBounds checks given divisions: at least two, ascending, of one kind.
func checkBounds(b []any) error {
	if len(b) < 2 {
		return fmt.Errorf("%d divisions make no partition; give at least two", len(b))
	}
	for i, v := range b {
		switch x := v.(type) {
		case int:
			b[i] = int64(x)
		case int32:
			b[i] = int64(x)
		case float32:
			b[i] = float64(x)
		case int64, float64, string:
		default:
			return fmt.Errorf("division %v is a %T; use int64, float64 or string", v, v)
		}
	}
	for i := 1; i < len(b); i++ {
		if compareAny(b[i-1], b[i]) > 0 {
			return fmt.Errorf("divisions must ascend: %v comes before %v", b[i-1], b[i])
		}
	}
	return nil
}

func equalBounds(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if compareAny(a[i], b[i]) != 0 {
			return false
		}
	}
	return true
}
