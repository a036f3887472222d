package dataframe_test

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe"
)

// Standard deviations stay exact for data far from zero: partitions join
// their counts, means and sums of squared deviations (Chan's formula), not
// sums of squares, which at 1e10 keep no digit of a spread of a few units.
func TestStdFarFromZero(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := make([]row, 6000)
	for i := range rows {
		rows[i] = row{ID: int64(i % 3), K: "k", X: 1e10 + float64(i%11)/2}
	}
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(6))
	if err != nil {
		t.Fatal(err)
	}
	// The exact figures, by two passes in Go.
	want := map[int64]float64{}
	all := func(keep func(row) bool) float64 {
		var n, s float64
		for _, r := range rows {
			if keep(r) {
				n, s = n+1, s+(r.X-1e10)
			}
		}
		mean := s / n
		var q float64
		for _, r := range rows {
			if keep(r) {
				d := r.X - 1e10 - mean
				q += d * d
			}
		}
		return math.Sqrt(q / (n - 1))
	}
	for id := range int64(3) {
		want[id] = all(func(r row) bool { return r.ID == id })
	}
	close := func(got, want float64) bool { return math.Abs(got-want) <= 1e-6*want }

	tbl, err := df.GroupBy("id").Agg(dataframe.Std("x")).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := tbl.Column(0).Data().Chunk(0).(*array.Int64)
	stds := tbl.Column(1).Data().Chunk(0).(*array.Float64)
	if ids.Len() != 3 {
		t.Fatalf("%d groups, want 3", ids.Len())
	}
	for i := range ids.Len() {
		if got := stds.Value(i); !close(got, want[ids.Value(i)]) {
			t.Errorf("std of group %d = %.12g, want %.12g", ids.Value(i), got, want[ids.Value(i)])
		}
	}

	desc, err := df.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var xcol *array.Float64
	for i, f := range desc.Schema().Fields() {
		if f.Name == "x" {
			xcol = desc.Column(i).Data().Chunk(0).(*array.Float64)
		}
	}
	wantAll := all(func(row) bool { return true })
	if got := xcol.Value(2); !close(got, wantAll) {
		t.Errorf("Describe's std of x = %.12g, want %.12g", got, wantAll)
	}
	var sum float64
	for _, r := range rows {
		sum += r.X - 1e10
	}
	if got, wantMean := xcol.Value(1), 1e10+sum/float64(len(rows)); math.Abs(got-wantMean) > 1e-3 {
		t.Errorf("Describe's mean of x = %.12g, want %.12g", got, wantMean)
	}
}
