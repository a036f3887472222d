package dataframe

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

var fnSortedStats = dusk.Register("dataframe.sorted-stats", sortedStats)

// sortedStats returns, for SetIndex with Sorted(), one row of a
// partition's column col: its least value (lo), its greatest (hi), both
// null when it has no value, and whether its values come in ascending
// order (ok); nulls are skipped, NaN is greater than every number (as in
// DuckDB). One pass in Go: the same check as a SQL window (lag over the
// row number) cost most of the pass.
func sortedStats(rec arrow.RecordBatch, col string) (arrow.RecordBatch, error) {
	idx := rec.Schema().FieldIndices(col)
	if len(idx) == 0 {
		return nil, fmt.Errorf("dataframe: no column %q", col)
	}
	a := rec.Column(idx[0])
	compare, err := comparerOf(a)
	if err != nil {
		return nil, err
	}
	lo, hi, prev, ok := -1, -1, -1, true
	for i := range a.Len() {
		if a.IsNull(i) {
			continue
		}
		if lo < 0 || compare(i, lo) < 0 {
			lo = i
		}
		if hi < 0 || compare(i, hi) > 0 {
			hi = i
		}
		if prev >= 0 && compare(i, prev) < 0 {
			ok = false
		}
		prev = i
	}
	one := func(i int) arrow.Array {
		if i < 0 {
			return array.MakeArrayOfNull(memory.DefaultAllocator, a.DataType(), 1)
		}
		return array.NewSlice(a, int64(i), int64(i+1))
	}
	b := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.Append(ok)
	s := arrow.NewSchema([]arrow.Field{
		{Name: "lo", Type: a.DataType(), Nullable: true},
		{Name: "hi", Type: a.DataType(), Nullable: true},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	return array.NewRecordBatch(s, []arrow.Array{one(lo), one(hi), b.NewArray()}, 1), nil
}

// comparerOf returns a comparison of two non-null elements of a, by index:
// numbers, dates and times by their order keys (DuckDB's order: NaN after
// every number), strings byte by byte.
func comparerOf(a arrow.Array) (func(i, j int) int, error) {
	if kernels.Sortable(a.DataType()) {
		keys, err := kernels.OrderKeys(a)
		if err != nil {
			return nil, err
		}
		return func(i, j int) int { return cmp.Compare(keys[i], keys[j]) }, nil
	}
	switch x := a.(type) {
	case *array.String:
		return func(i, j int) int { return strings.Compare(x.Value(i), x.Value(j)) }, nil
	case *array.LargeString:
		return func(i, j int) int { return strings.Compare(x.Value(i), x.Value(j)) }, nil
	}
	return nil, fmt.Errorf("values of type %s cannot be divisions", a.DataType())
}
