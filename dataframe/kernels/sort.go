package kernels

import (
	"fmt"
	"math"
	mathbits "math/bits"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// The outputs of a range shuffle sorted on one numeric column are sorted
// in Go: a radix sort of the column's values (as unsigned integers that
// order as the values do) gives the order of the rows, which are then
// gathered column by column. DuckDB's ORDER BY would scan the partition,
// sort it and hand it back in 2048-row chunks to copy into one record.
// The order is DuckDB's: nulls last, ascending or descending; NaN above
// every other float, -0 equal to 0; rows with equal values keep their
// order (DuckDB leaves theirs undefined).

// Sortable reports whether SortByColumn sorts on a column of type t.
func Sortable(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.FLOAT32, arrow.FLOAT64, arrow.DATE32, arrow.TIMESTAMP:
		return true
	}
	return false
}

// OrderKeys returns the values of col (of a Sortable type) as unsigned
// integers that order as the values do in DuckDB (NaN above every other
// float, -0 equal to 0); the keys of null rows are meaningless.
func OrderKeys(col arrow.Array) ([]uint64, error) { return sortKeys(col, false) }

// sortKeys returns col's values as unsigned integers in the order of the
// values (reversed when desc); the keys of null rows are meaningless.
func sortKeys(col arrow.Array, desc bool) ([]uint64, error) {
	n := col.Len()
	keys := make([]uint64, n)
	const signBit = 1 << 63
	ints := func(get func(i int) int64) {
		for i := range keys {
			keys[i] = uint64(get(i)) ^ signBit
		}
	}
	floats := func(get func(i int) float64) {
		for i := range keys {
			v := get(i)
			var b uint64
			if v == 0 {
				v = 0 // -0 equals 0
			}
			if math.IsNaN(v) {
				b = math.MaxUint64 // above +Inf
			} else {
				b = math.Float64bits(v)
				if b&signBit != 0 {
					b = ^b
				} else {
					b |= signBit
				}
			}
			keys[i] = b
		}
	}
	switch a := col.(type) {
	case *array.Int64:
		v := a.Int64Values()
		ints(func(i int) int64 { return v[i] })
	case *array.Int32:
		v := a.Int32Values()
		ints(func(i int) int64 { return int64(v[i]) })
	case *array.Int16:
		v := a.Int16Values()
		ints(func(i int) int64 { return int64(v[i]) })
	case *array.Int8:
		v := a.Int8Values()
		ints(func(i int) int64 { return int64(v[i]) })
	case *array.Date32:
		v := a.Date32Values()
		ints(func(i int) int64 { return int64(v[i]) })
	case *array.Timestamp:
		v := a.TimestampValues()
		ints(func(i int) int64 { return int64(v[i]) })
	case *array.Float64:
		v := a.Float64Values()
		floats(func(i int) float64 { return v[i] })
	case *array.Float32:
		v := a.Float32Values()
		floats(func(i int) float64 { return float64(v[i]) })
	default:
		return nil, fmt.Errorf("dataframe: cannot sort a %s column in Go", col.DataType())
	}
	if desc {
		for i := range keys {
			keys[i] = ^keys[i]
		}
	}
	return keys, nil
}

// radixOrder returns the row indices that sort keys (stable: equal keys
// keep their order): a radix sort of the keys less the smallest, over the
// digits their range needs, skipping digits every key shares.
func radixOrder(keys []uint64) []int64 {
	const bits = 11
	const buckets = 1 << bits
	const maxPasses = (64 + bits - 1) / bits
	n := len(keys)
	idx := make([]int64, n)
	for i := range idx {
		idx[i] = int64(i)
	}
	if n < 2 {
		return idx
	}
	lo, hi := keys[0], keys[0]
	for _, k := range keys {
		lo, hi = min(lo, k), max(hi, k)
	}
	passes := max(1, (mathbits.Len64(hi-lo)+bits-1)/bits)
	var counts [maxPasses][buckets]int
	for _, k := range keys {
		d := k - lo
		for p := range passes {
			counts[p][(d>>(p*bits))&(buckets-1)]++
		}
	}
	k1, k2 := append([]uint64(nil), keys...), make([]uint64, n)
	i2 := make([]int64, n)
	for p := range passes {
		c := &counts[p]
		if slices.Contains(c[:], n) {
			continue // every key has the same digit here
		}
		var pos [buckets]int
		sum := 0
		for b, x := range c {
			pos[b] = sum
			sum += x
		}
		shift := p * bits
		for i, k := range k1 {
			b := ((k - lo) >> shift) & (buckets - 1)
			j := pos[b]
			pos[b]++
			k2[j], i2[j] = k, idx[i]
		}
		k1, k2 = k2, k1
		idx, i2 = i2, idx
	}
	return idx
}

// SortByColumn returns rec sorted on the column col (see above): nulls
// last, values ascending, or descending when desc.
func SortByColumn(rec arrow.RecordBatch, col string, desc bool) (arrow.RecordBatch, error) {
	ci, err := columnOf(rec.Schema(), col, "sort")
	if err != nil {
		return nil, err
	}
	c := rec.Column(ci)
	keys, err := sortKeys(c, desc)
	if err != nil {
		return nil, err
	}
	var valid, nulls []int64
	if c.NullN() > 0 {
		// Sort the valid rows; the null rows follow in their order.
		vk := keys[:0:0]
		for i := range keys {
			if c.IsValid(i) {
				valid = append(valid, int64(i))
				vk = append(vk, keys[i])
			} else {
				nulls = append(nulls, int64(i))
			}
		}
		keys = vk
	}
	order := radixOrder(keys)
	if valid != nil || nulls != nil {
		for i, j := range order {
			order[i] = valid[j]
		}
		order = append(order, nulls...)
	}
	cols := make([]arrow.Array, rec.NumCols())
	for i := range cols {
		g, err := shuffle.Gather(rec.Column(i), order)
		if err != nil {
			for _, done := range cols[:i] {
				done.Release()
			}
			return nil, err
		}
		cols[i] = g
	}
	return array.NewRecordBatch(rec.Schema(), cols, rec.NumRows()), nil
}
