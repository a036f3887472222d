package dataframe_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

func TestSample(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	type r struct {
		ID  int64 `df:"id"`
		Pos int64 `df:"pos"`
	}
	// 4 partitions of 50 rows (one of them 50 too): pos is the row's place
	// in its partition.
	var rows []r
	for i := range 200 {
		rows = append(rows, r{ID: int64(i), Pos: int64(i % 50)})
	}
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	ids := func(d *dataframe.DataFrame) []string {
		t.Helper()
		var out []string
		for _, l := range tableLines(t, mustCompute(t, ctx, d.Select("id"))) {
			out = append(out, l)
		}
		return out
	}
	s1 := df.Sample(0.3, 42)
	a, b := ids(s1), ids(df.Sample(0.3, 42))
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, other rows:\n%v\n%v", a, b)
	}
	// round(0.3 * 50) = 15 rows per partition, in their order.
	if len(a) != 60 {
		t.Fatalf("%d rows, want 60", len(a))
	}
	if !slices.IsSortedFunc(a, func(x, y string) int {
		var i, j int
		fmt.Sscan(x, &i)
		fmt.Sscan(y, &j)
		return i - j
	}) {
		t.Fatalf("rows out of order: %v", a)
	}
	// Partitions draw differently: the places picked differ.
	tbl := tableLines(t, mustCompute(t, ctx, s1.Select("pos")))
	p0, p1 := tbl[:15], tbl[15:30]
	if slices.Equal(p0, p1) {
		t.Fatalf("partitions 0 and 1 picked the same places %v", p0)
	}
	if slices.Equal(a, ids(df.Sample(0.3, 43))) {
		t.Fatal("another seed picked the same rows")
	}
	// Half to even per partition: 0.25 * 50 = 12.5 -> 12.
	if n, err := df.Sample(0.25, 1).Len(ctx); err != nil || n != 48 {
		t.Fatalf("Len = %d, %v; want 48", n, err)
	}
	if n, err := df.Sample(0, 1).Len(ctx); err != nil || n != 0 {
		t.Fatalf("frac 0: %d, %v", n, err)
	}
	all := ids(df.Sample(1, 1))
	if len(all) != 200 || all[0] != "0" || all[199] != "199" {
		t.Fatalf("frac 1: %d rows", len(all))
	}
	// After a filter, the sample runs in the filter's query; a sample of
	// the filtered rows only.
	f := df.Filter("id % 2 = 0").Sample(0.5, 7)
	got := ids(f)
	if len(got) != 4*12 { // 25 even ids per partition, round(12.5) = 12
		t.Fatalf("%d rows, want 48", len(got))
	}
	for _, g := range got {
		var i int
		fmt.Sscan(g, &i)
		if i%2 != 0 {
			t.Fatalf("odd id %d sampled after the filter", i)
		}
	}
	for _, frac := range []float64{-0.1, 1.5, math.NaN()} {
		wantErr(t, df.Sample(frac, 1).Err(), "sample_test.go:", "Sample", "frac is", "[0, 1]")
	}
}
