package dataframe

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// sortedStats finds a partition's least and greatest value and whether it
// is in order, skipping nulls (a null between two values does not hide
// their order) and putting NaN after every number, as DuckDB does.
func TestSortedStats(t *testing.T) {
	floats := func(vs ...float64) arrow.RecordBatch {
		b := array.NewFloat64Builder(memory.DefaultAllocator)
		defer b.Release()
		for _, v := range vs {
			if v == -999 {
				b.AppendNull()
			} else {
				b.Append(v)
			}
		}
		s := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
		return array.NewRecordBatch(s, []arrow.Array{b.NewArray()}, int64(len(vs)))
	}
	for _, tc := range []struct {
		vs     []float64
		lo, hi any
		ok     bool
	}{
		{[]float64{1, 2, 2, 5}, 1.0, 5.0, true},
		{[]float64{-999, 1, -999, 3}, 1.0, 3.0, true},
		{[]float64{5, -999, 3}, 3.0, 5.0, false},
		{[]float64{1, math.NaN()}, 1.0, math.NaN(), true},
		{[]float64{math.NaN(), 1}, 1.0, math.NaN(), false},
		{[]float64{-999, -999}, nil, nil, true},
	} {
		r, err := sortedStats(floats(tc.vs...), "x")
		if err != nil {
			t.Fatal(err)
		}
		lo, _ := scalars(r.Column(0))
		hi, _ := scalars(r.Column(1))
		ok := r.Column(2).(*array.Boolean).Value(0)
		same := func(a, b any) bool {
			fa, aok := a.(float64)
			fb, bok := b.(float64)
			if aok && bok && math.IsNaN(fa) {
				return math.IsNaN(fb)
			}
			return a == b
		}
		if !same(lo[0], tc.lo) || !same(hi[0], tc.hi) || ok != tc.ok {
			t.Errorf("%v: lo %v hi %v ok %v, want %v %v %v", tc.vs, lo[0], hi[0], ok, tc.lo, tc.hi, tc.ok)
		}
	}
	if _, err := sortedStats(floats(1), "nope"); err == nil {
		t.Error("a missing column gave no error")
	}
}
