package dataframe_test

import (
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

func TestNlargestNsmallest(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	type r struct {
		ID int64    `df:"id"`
		X  *float64 `df:"x"`
		K  string   `df:"k"`
		N  int32    `df:"n"`
	}
	var rows []r
	for i := range 300 {
		row := r{ID: int64(i), K: fmt.Sprintf("s%03d", (i*31)%97), N: int32((i * 7) % 13)}
		switch {
		case i%11 == 4:
		case i%17 == 5:
			row.X = ptr(math.NaN())
		default:
			row.X = ptr(float64((i*29)%41) / 2) // many ties
		}
		rows = append(rows, row)
	}
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(12))
	if err != nil {
		t.Fatal(err)
	}
	line := func(x r) string { return fmt.Sprintf("%d|%s|%s|%d", x.ID, ff(x.X), x.K, x.N) }
	// pandas: drop nulls and NaN, sort stably by the column, take n.
	expect := func(n int, less func(a, b r) bool, valid func(r) bool) []string {
		var keep []r
		for _, x := range rows {
			if valid(x) {
				keep = append(keep, x)
			}
		}
		sort.SliceStable(keep, func(i, j int) bool { return less(keep[i], keep[j]) })
		var out []string
		for i := 0; i < n && i < len(keep); i++ {
			out = append(out, line(keep[i]))
		}
		return out
	}
	xValid := func(x r) bool { return x.X != nil && !math.IsNaN(*x.X) }
	all := func(r) bool { return true }
	for _, n := range []int{0, 1, 7, 25, 1000} {
		sameLines(t, fmt.Sprintf("Nlargest(%d, x)", n), tableLines(t, mustCompute(t, ctx, df.Nlargest(n, "x"))),
			expect(n, func(a, b r) bool { return *a.X > *b.X }, xValid))
		sameLines(t, fmt.Sprintf("Nsmallest(%d, x)", n), tableLines(t, mustCompute(t, ctx, df.Nsmallest(n, "x"))),
			expect(n, func(a, b r) bool { return *a.X < *b.X }, xValid))
	}
	sameLines(t, "Nlargest(9, n)", tableLines(t, mustCompute(t, ctx, df.Nlargest(9, "n"))),
		expect(9, func(a, b r) bool { return a.N > b.N }, all))
	sameLines(t, "Nsmallest(5, k)", tableLines(t, mustCompute(t, ctx, df.Nsmallest(5, "k"))),
		expect(5, func(a, b r) bool { return a.K < b.K }, all))
	// After a filter, and one partition out.
	top := df.Filter("id >= 100").Nlargest(4, "x")
	if top.NPartitions() != 1 {
		t.Fatalf("NPartitions = %d", top.NPartitions())
	}
	sameLines(t, "filtered", tableLines(t, mustCompute(t, ctx, top)),
		expect(4, func(a, b r) bool { return *a.X > *b.X }, func(x r) bool { return x.ID >= 100 && xValid(x) }))

	wantErr(t, df.Nlargest(-1, "x").Err(), "nlargest_test.go:", "Nlargest", "n is -1")
	wantErr(t, df.Nsmallest(3, "zz").Err(), "Nsmallest", `no column "zz"`)
	type b struct {
		B bool `df:"b"`
	}
	bd, _ := dataframe.FromRecords(ctx, c, []b{{true}})
	wantErr(t, bd.Nlargest(1, "b").Err(), "Nlargest", `column "b" is bool`)
}
