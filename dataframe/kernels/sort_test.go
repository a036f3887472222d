package kernels

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// BenchmarkSortByColumn sorts one output partition of the dataframe
// benchmark's SetIndex (250,000 rows whose ids span a 80th of [0, 100000)).
func BenchmarkSortByColumn(b *testing.B) {
	rec := benchJoinSide(250_000, 5, "x")
	ids := rec.Column(0).(*array.Int64).Int64Values()
	for i := range ids {
		ids[i] = 50_000 + ids[i]%1250
	}
	b.ResetTimer()
	for b.Loop() {
		out, err := SortByColumn(rec, "id", false)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}

// TestRadixOrderIsAStableSort compares radixOrder with a stable sort, on
// keys of narrow and wide ranges, far from zero and with repeats.
func TestRadixOrderIsAStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	for _, span := range []uint64{0, 1, 7, 2047, 2048, 1 << 20, 1 << 40, math.MaxUint64} {
		for _, base := range []uint64{0, 1 << 63, math.MaxUint64 - span} {
			n := 1 + r.IntN(3000)
			keys := make([]uint64, n)
			for i := range keys {
				keys[i] = base + r.Uint64N(span/2+1)*2 // repeats when the span is narrow
				if span == math.MaxUint64 {
					keys[i] = r.Uint64()
				}
			}
			got := radixOrder(keys)
			want := make([]int64, n)
			for i := range want {
				want[i] = int64(i)
			}
			slices.SortStableFunc(want, func(a, b int64) int { return cmp.Compare(keys[a], keys[b]) })
			if !slices.Equal(got, want) {
				t.Fatalf("span %d from %d: radix order differs from a stable sort", span, base)
			}
		}
	}
}
