package dataframe_test

import (
	"math"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe"
)

func TestDescribe(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(5000, 1000, 3)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := df.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tbl.NumCols() != 4 || tbl.NumRows() != 8 { // stat, id, x, y
		t.Fatalf("Describe is %d x %d", tbl.NumRows(), tbl.NumCols())
	}
	xs := make([]float64, len(rows))
	var sum float64
	for i, r := range rows {
		xs[i] = r.X
		sum += r.X
	}
	sort.Float64s(xs)
	mean := sum / float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	std := math.Sqrt(ss / float64(len(xs)-1))
	col := tbl.Column(2).Data().Chunk(0).(*array.Float64)
	exact := []float64{float64(len(xs)), mean, std, xs[0]}
	for i, w := range exact {
		if math.Abs(col.Value(i)-w) > 1e-9*math.Max(1, math.Abs(w)) {
			t.Fatalf("x stat %d = %v, want %v", i, col.Value(i), w)
		}
	}
	if col.Value(7) != xs[len(xs)-1] {
		t.Fatalf("max = %v", col.Value(7))
	}
	// The quartiles are estimates: within 3% of the range.
	for i, p := range []float64{0.25, 0.5, 0.75} {
		want := xs[int(p*float64(len(xs)-1))]
		if math.Abs(col.Value(4+i)-want) > 0.03*(xs[len(xs)-1]-xs[0]) {
			t.Fatalf("%v quantile = %v, want about %v", p, col.Value(4+i), want)
		}
	}
}
