package dataframe

import (
	"context"
	"errors"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk"
)

// A row window (RowWindow) of Sum, Mean, Min, Max and Count over int64 and
// float64 columns is computed in Go, in one pass per aggregate, instead of
// a DuckDB window query, which orders the extended partition by position
// for the window and again for the output. Each window of w rows is cut
// at multiples of w (van Herk and Gil-Werman): it is the end of one block
// and the start of the next, so that it is the running aggregate of that
// block's suffix combined with the next block's prefix. A sum is thus
// added up over at most w values, never by subtracting what leaves the
// window, so that it is as exact as a plain sum over the window (DuckDB's
// segment tree adds the same values in another order: results may differ
// in the last bits). Anything else (Std, other types, an int64 sum that
// overflows) runs the query.

var fnRollingRows = dusk.Register("dataframe.rolling-rows", rollingRows)

// errRollingFallback says that a row window cannot be computed in Go
// (an int64 sum overflowed) and must run as a query.
var errRollingFallback = errors.New("dataframe: rolling window needs the query")

// rollingRowsSchema is the schema of a row window's result computed in Go
// over a partition of schema in: the index and one column per aggregate
// (fns[i] of cols[i], named names[i]), or ok false when Go does not
// compute one of them.
func rollingRowsSchema(in *arrow.Schema, index string, fns, cols, names []string) (*arrow.Schema, bool) {
	ii := in.FieldIndices(index)
	if len(ii) != 1 {
		return nil, false
	}
	fields := []arrow.Field{{Name: index, Type: in.Field(ii[0]).Type, Nullable: true}}
	for k, fn := range fns {
		ci := in.FieldIndices(cols[k])
		if len(ci) != 1 {
			return nil, false
		}
		t := in.Field(ci[0]).Type
		if t.ID() != arrow.FLOAT64 && t.ID() != arrow.INT64 {
			return nil, false
		}
		var out arrow.DataType
		switch fn {
		case "sum", "min", "max":
			out = t
		case "mean":
			out = arrow.PrimitiveTypes.Float64
		case "count":
			out = arrow.PrimitiveTypes.Int64
		default:
			return nil, false
		}
		fields = append(fields, arrow.Field{Name: names[k], Type: out, Nullable: true})
	}
	return arrow.NewSchema(fields, nil), true
}

// rollingRows computes a window of the current row and the rows-1 rows
// before it over own's rows, with before the rows that come before own
// (at most rows-1). The aggregates are fns[i] of cols[i] named names[i];
// query (over the partition extended with haloColumns, as Rolling.Agg
// writes it) is run instead when Go cannot compute them.
func rollingRows(ctx context.Context, before, own arrow.RecordBatch, index string, rows int, fns, cols, names []string, query string, cats map[string][]string) (arrow.RecordBatch, error) {
	out, err := rollingRowsGo(before, own, index, rows, fns, cols, names)
	if errors.Is(err, errRollingFallback) {
		return haloSQL(ctx, before, own, own.NewSlice(0, 0), query, cats)
	}
	return out, err
}

func rollingRowsGo(before, own arrow.RecordBatch, index string, rows int, fns, cols, names []string) (arrow.RecordBatch, error) {
	s, ok := rollingRowsSchema(own.Schema(), index, fns, cols, names)
	if !ok {
		return nil, errRollingFallback
	}
	if !before.Schema().Equal(own.Schema()) {
		return nil, errRollingFallback
	}
	nb := int(before.NumRows())
	outCols := []arrow.Array{own.Column(own.Schema().FieldIndices(index)[0])}
	defer func() {
		for _, c := range outCols[1:] {
			c.Release()
		}
	}()
	for k, fn := range fns {
		ci := own.Schema().FieldIndices(cols[k])[0]
		col, err := windowColumn(fn, before.Column(ci), own.Column(ci), nb, rows)
		if err != nil {
			return nil, err
		}
		outCols = append(outCols, col)
	}
	return array.NewRecordBatch(s, outCols, own.NumRows()), nil
}

// windowColumn computes fn over windows of w rows for each row of own,
// with before the rows that come before own.
func windowColumn(fn string, before, own arrow.Array, nb, w int) (arrow.Array, error) {
	n := nb + own.Len()
	valid := joinValidity(before, own)
	switch fn {
	case "count":
		cnt := windowCounts(valid, n, w)
		return int64Array(cnt[nb:], nil), nil
	case "sum", "mean":
		if fn == "sum" && own.DataType().ID() == arrow.INT64 {
			vals := joinInts(before, own, valid)
			sums, ok := windowIntSums(vals, w)
			if !ok {
				return nil, errRollingFallback
			}
			cnt := windowCounts(valid, n, w)
			return int64Array(sums[nb:], nonZero(cnt[nb:])), nil
		}
		vals := joinFloats(before, own, valid)
		sums := windowFloatSums(vals, w)
		cnt := windowCounts(valid, n, w)
		if fn == "mean" {
			for i := range sums {
				sums[i] /= float64(cnt[i])
			}
		}
		return float64Array(sums[nb:], nonZero(cnt[nb:])), nil
	case "min", "max":
		if own.DataType().ID() == arrow.INT64 {
			vals := joinInts(before, own, nil)
			less := func(a, b int64) bool { return a < b }
			if fn == "max" {
				less = func(a, b int64) bool { return a > b }
			}
			res, ok := windowBest(vals, valid, w, less)
			return int64Array(res[nb:], ok[nb:]), nil
		}
		vals := joinFloats(before, own, nil)
		// DuckDB orders NaN after every number.
		less := func(a, b float64) bool { return !math.IsNaN(a) && (math.IsNaN(b) || a < b) }
		if fn == "max" {
			less = func(a, b float64) bool { return !math.IsNaN(b) && (math.IsNaN(a) || a > b) }
		}
		res, ok := windowBest(vals, valid, w, less)
		return float64Array(res[nb:], ok[nb:]), nil
	}
	return nil, errRollingFallback
}

// joinValidity returns which rows of before then own are not null, or nil
// when none is null.
func joinValidity(before, own arrow.Array) []bool {
	if before.NullN() == 0 && own.NullN() == 0 {
		return nil
	}
	v := make([]bool, 0, before.Len()+own.Len())
	for _, a := range []arrow.Array{before, own} {
		for i := range a.Len() {
			v = append(v, a.IsValid(i))
		}
	}
	return v
}

// joinFloats returns the values of before then own (float64 or int64
// columns) as float64, nulls as 0 where valid says so.
func joinFloats(before, own arrow.Array, valid []bool) []float64 {
	out := make([]float64, 0, before.Len()+own.Len())
	for _, a := range []arrow.Array{before, own} {
		switch x := a.(type) {
		case *array.Float64:
			out = append(out, x.Float64Values()...)
		case *array.Int64:
			for _, v := range x.Int64Values() {
				out = append(out, float64(v))
			}
		}
	}
	for i, ok := range valid {
		if !ok {
			out[i] = 0
		}
	}
	return out
}

// joinInts returns the values of before then own (int64 columns), nulls
// as 0 where valid says so.
func joinInts(before, own arrow.Array, valid []bool) []int64 {
	out := make([]int64, 0, before.Len()+own.Len())
	for _, a := range []arrow.Array{before, own} {
		out = append(out, a.(*array.Int64).Int64Values()...)
	}
	for i, ok := range valid {
		if !ok {
			out[i] = 0
		}
	}
	return out
}

// windowCounts returns, for each row, the number of valid rows (all when
// valid is nil) in its window of w rows.
func windowCounts(valid []bool, n, w int) []int64 {
	out := make([]int64, n)
	if valid == nil {
		for i := range out {
			out[i] = int64(min(i+1, w))
		}
		return out
	}
	var c int64
	for i := range n {
		if valid[i] {
			c++
		}
		if i >= w && valid[i-w] {
			c--
		}
		out[i] = c
	}
	return out
}

// nonZero says which counts are above zero, or nil when all are.
func nonZero(cnt []int64) []bool {
	var ok []bool
	for i, c := range cnt {
		if c == 0 && ok == nil {
			ok = make([]bool, len(cnt))
			for j := range i {
				ok[j] = true
			}
		}
		if ok != nil {
			ok[i] = c > 0
		}
	}
	return ok
}

// windowFloatSums returns, for each i, the sum of vals over the window
// [i-w+1, i] (from 0 at the start), in place of the blocks' prefixes.
func windowFloatSums(vals []float64, w int) []float64 {
	n := len(vals)
	suf := make([]float64, n)
	for start := 0; start < n; start += w {
		end := min(start+w, n) - 1
		suf[end] = vals[end]
		for j := end - 1; j >= start; j-- {
			suf[j] = vals[j] + suf[j+1]
		}
	}
	pre := vals // the prefixes, computed in place
	for i := range n {
		if i%w != 0 {
			pre[i] += pre[i-1]
		}
	}
	for i := n - 1; i >= w; i-- {
		if s := i - w + 1; s%w != 0 {
			pre[i] += suf[s]
		}
	}
	return pre
}

// windowIntSums is windowFloatSums for int64 values, or ok false when a
// sum overflows.
func windowIntSums(vals []int64, w int) (sums []int64, ok bool) {
	n := len(vals)
	add := func(a, b int64) (int64, bool) {
		s := int64(uint64(a) + uint64(b))
		return s, (a >= 0) != (b >= 0) || (s >= 0) == (a >= 0)
	}
	suf := make([]int64, n)
	for start := 0; start < n; start += w {
		end := min(start+w, n) - 1
		suf[end] = vals[end]
		for j := end - 1; j >= start; j-- {
			if suf[j], ok = add(vals[j], suf[j+1]); !ok {
				return nil, false
			}
		}
	}
	pre := vals
	for i := range n {
		if i%w != 0 {
			if pre[i], ok = add(pre[i], pre[i-1]); !ok {
				return nil, false
			}
		}
	}
	for i := n - 1; i >= w; i-- {
		if s := i - w + 1; s%w != 0 {
			if pre[i], ok = add(pre[i], suf[s]); !ok {
				return nil, false
			}
		}
	}
	return pre, true
}

// windowBest returns, for each i, the least value by less of the valid
// values in the window [i-w+1, i], and whether the window has one.
func windowBest[T any](vals []T, valid []bool, w int, less func(a, b T) bool) ([]T, []bool) {
	n := len(vals)
	type acc struct {
		v  T
		ok bool
	}
	pick := func(a, b acc) acc {
		switch {
		case !a.ok:
			return b
		case !b.ok:
			return a
		case less(b.v, a.v):
			return b
		}
		return a
	}
	at := func(i int) acc { return acc{vals[i], valid == nil || valid[i]} }
	suf := make([]acc, n)
	for start := 0; start < n; start += w {
		end := min(start+w, n) - 1
		suf[end] = at(end)
		for j := end - 1; j >= start; j-- {
			suf[j] = pick(at(j), suf[j+1])
		}
	}
	out := make([]T, n)
	has := make([]bool, n)
	var run acc
	for i := range n {
		if i%w == 0 {
			run = at(i)
		} else {
			run = pick(run, at(i))
		}
		r := run
		if s := i - w + 1; s > 0 && s%w != 0 {
			r = pick(suf[s], run)
		}
		out[i], has[i] = r.v, r.ok
	}
	return out, has
}

// float64Array is an array of vals, null where ok (when not nil) is false.
func float64Array(vals []float64, ok []bool) arrow.Array {
	return array.NewFloat64Data(primitiveData(arrow.PrimitiveTypes.Float64, arrow.Float64Traits.CastToBytes(vals), len(vals), ok))
}

// int64Array is an array of vals, null where ok (when not nil) is false.
func int64Array(vals []int64, ok []bool) arrow.Array {
	return array.NewInt64Data(primitiveData(arrow.PrimitiveTypes.Int64, arrow.Int64Traits.CastToBytes(vals), len(vals), ok))
}

// primitiveData wraps a fixed-width column's value bytes (not copied) and
// a validity bitmap made from ok.
func primitiveData(t arrow.DataType, vals []byte, n int, ok []bool) arrow.ArrayData {
	var validity *memory.Buffer
	nulls := 0
	if ok != nil {
		bm := make([]byte, bitutil.BytesForBits(int64(n)))
		for i, v := range ok {
			if v {
				bitutil.SetBit(bm, i)
			} else {
				nulls++
			}
		}
		validity = memory.NewBufferBytes(bm)
	}
	d := array.NewData(t, n, []*memory.Buffer{validity, memory.NewBufferBytes(vals)}, nil, nulls, 0)
	return d
}
