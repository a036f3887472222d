package dataframe

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// TestWindowColumnMatchesNaive compares the Go row windows (blocks of w,
// each window a block's suffix and the next one's prefix) with the
// aggregate of each window's rows computed one by one, for windows of
// 1 to 9 rows over columns with nulls, NaN and infinities, split between
// borrowed rows and the partition's own at every place.
func TestWindowColumnMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 40
	fb := array.NewFloat64Builder(mem)
	ib := array.NewInt64Builder(mem)
	for i := range n {
		switch {
		case i%7 == 3 || (i >= 20 && i < 29): // a run of nulls longer than most windows
			fb.AppendNull()
			ib.AppendNull()
		case i == 11:
			fb.Append(math.NaN())
			ib.Append(math.MaxInt64 / 4)
		case i == 31:
			fb.Append(math.Inf(1))
			ib.Append(math.MinInt64 / 4)
		default:
			fb.Append(math.Round(r.NormFloat64()*1000) / 8)
			ib.Append(r.Int64N(2000) - 1000)
		}
	}
	fa, ia := fb.NewArray(), ib.NewArray()
	defer fa.Release()
	defer ia.Release()
	for _, col := range []arrow.Array{fa, ia} {
		for w := 1; w <= 9; w++ {
			for nb := 0; nb < w && nb < 12; nb++ {
				for _, start := range []int{0, 5, 12, 19} {
					if start < nb {
						continue
					}
					before := array.NewSlice(col, int64(start-nb), int64(start))
					own := array.NewSlice(col, int64(start), n)
					for _, fn := range []string{"sum", "mean", "min", "max", "count"} {
						got, err := windowColumn(fn, before, own, nb, w)
						if err != nil {
							t.Fatalf("%s %s w=%d: %v", col.DataType(), fn, w, err)
						}
						for i := range own.Len() {
							want := naiveWindow(fn, col, start+i, w, start-nb)
							if g := cellOf(got, i); g != want {
								t.Fatalf("%s %s of %d rows, %d borrowed, own from %d: row %d is %s, want %s", col.DataType(), fn, w, nb, start, start+i, g, want)
							}
						}
						got.Release()
					}
					before.Release()
					own.Release()
				}
			}
		}
	}
}

// naiveWindow aggregates col's valid rows in [max(lo, i-w+1), i] one by
// one, as DuckDB's window aggregates do (NaN greater than every number),
// and renders the result as cellOf.
func naiveWindow(fn string, col arrow.Array, i, w, lo int) string {
	var vals []float64
	for j := max(lo, i-w+1); j <= i; j++ {
		if col.IsNull(j) {
			continue
		}
		switch x := col.(type) {
		case *array.Float64:
			vals = append(vals, x.Value(j))
		case *array.Int64:
			vals = append(vals, float64(x.Value(j)))
		}
	}
	if fn == "count" {
		return fmt.Sprint(len(vals))
	}
	if len(vals) == 0 {
		return "null"
	}
	best := vals[0]
	sum := 0.0
	for _, v := range vals {
		sum += v
		isLess := !math.IsNaN(v) && (math.IsNaN(best) || v < best)
		isMore := !math.IsNaN(best) && (math.IsNaN(v) || v > best)
		if (fn == "min" && isLess) || (fn == "max" && isMore) {
			best = v
		}
	}
	switch fn {
	case "sum":
		return fmt.Sprintf("%.9g", sum)
	case "mean":
		return fmt.Sprintf("%.9g", sum/float64(len(vals)))
	}
	return fmt.Sprintf("%.9g", best)
}

func cellOf(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "null"
	}
	switch x := a.(type) {
	case *array.Float64:
		return fmt.Sprintf("%.9g", x.Value(i))
	case *array.Int64:
		return fmt.Sprintf("%.9g", float64(x.Value(i)))
	}
	return "?"
}

// TestWindowIntSumOverflowFallsBack: an int64 sum that overflows is left
// to the query (where DuckDB reports it), not wrapped around.
func TestWindowIntSumOverflowFallsBack(t *testing.T) {
	b := array.NewInt64Builder(mem)
	b.AppendValues([]int64{1, math.MaxInt64 - 1, 5, 1}, nil)
	a := b.NewArray()
	defer a.Release()
	before := array.NewSlice(a, 0, 0)
	defer before.Release()
	if _, err := windowColumn("sum", before, a, 0, 2); err != errRollingFallback {
		t.Fatalf("sum over an overflow: %v, want the fallback", err)
	}
	got, err := windowColumn("sum", before, a, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	if v := got.(*array.Int64).Int64Values(); v[1] != math.MaxInt64-1 {
		t.Fatalf("window of 1: %v", v)
	}
}
