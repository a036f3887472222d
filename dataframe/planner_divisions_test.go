package dataframe_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe"
)

// plannerRows returns n rows whose ids run from 7 to 906, scrambled across
// partitions.
func plannerRows(n int) []row {
	rows := makeRows(n, 997, 5)
	for i := range rows {
		rows[i].ID = 7 + int64((i*7919)%900)
	}
	return rows
}

// TestDivisionsAreExact checks that sampled divisions start at the data's
// least value and end at its greatest, that given divisions are kept and
// must hold the data (a value outside is an error), that every partition
// lies within its divisions, and that given divisions of the wrong type
// are refused.
func TestDivisionsAreExact(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	df, err := dataframe.FromRecords(ctx, c, plannerRows(3000), dataframe.Partitions(5))
	if err != nil {
		t.Fatal(err)
	}
	sampled, err := df.SetIndex(ctx, "id", dataframe.OutPartitions(4))
	if err != nil {
		t.Fatal(err)
	}
	d := sampled.Divisions()
	if d.Bounds[0] != int64(7) || d.Bounds[len(d.Bounds)-1] != int64(906) {
		t.Fatalf("sampled divisions %v; want them to start at 7 and end at 906", d.Bounds)
	}
	tbl, ran := ranIndexed(t, ctx, sampled)
	if r := ran.Bounds; r[0] != int64(7) || r[len(r)-1] != int64(906) {
		t.Fatalf("divisions %v after the run; want them to start at 7 and end at 906", r)
	}
	checkSorted(t, tbl, 0, ran)

	// Given divisions are kept; they must hold the data.
	given, err := df.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds[int64](0, 100, 500, 2000)))
	if err != nil {
		t.Fatal(err)
	}
	d = given.Divisions()
	if want := []any{int64(0), int64(100), int64(500), int64(2000)}; fmt.Sprint(d.Bounds) != fmt.Sprint(want) {
		t.Fatalf("given divisions became %v; want %v", d.Bounds, want)
	}
	tbl, ran = ranIndexed(t, ctx, given)
	if r := ran.Bounds; r[0] != int64(0) || r[len(r)-1] != int64(2000) {
		t.Fatalf("divisions %v after the run; want them to start at 0 and end at 2000", r)
	}
	checkSorted(t, tbl, 0, ran)
	for _, b := range []dataframe.DivisionBounds{dataframe.Bounds[int64](10, 500, 2000), dataframe.Bounds[int64](0, 500, 900)} {
		narrow, err := df.SetIndex(ctx, "id", dataframe.WithDivisions(b))
		if err != nil {
			t.Fatal(err)
		}
		_, err = narrow.Compute(ctx)
		wantErr(t, err, `column "id"`, "division given to WithDivisions")
	}

	// Floats for a float column.
	byX, err := df.SetIndex(ctx, "x", dataframe.WithDivisions(dataframe.Bounds(0.0, 5.5, 30.0)))
	if err != nil {
		t.Fatal(err)
	}
	xs, xd := ranIndexed(t, ctx, byX)
	checkFloatsWithin(t, xs, xd)

	// Sorted data whose neighbouring partitions share a value: the
	// divisions do not place each value in one partition, so a group-by
	// on the index still combines partitions, and in a merge with data of
	// the same divisions the tied side moves to the other's.
	tied, err := dataframe.FromRecords(ctx, c, []row{{ID: 0}, {ID: 1}, {ID: 2}, {ID: 2}, {ID: 3}, {ID: 4}}, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := tied.SetIndex(ctx, "id", dataframe.Sorted())
	if err != nil {
		t.Fatal(err)
	}
	if d := ts.Divisions(); fmt.Sprint(d.Bounds) != "[0 2 4]" {
		t.Fatalf("divisions of the tied data: %v", d.Bounds)
	}
	g := ts.GroupBy("id").Agg(dataframe.Count("x"))
	if ex := g.Explain(); !strings.Contains(ex, "tree reduction") {
		t.Fatalf("a group-by on tied divisions is taken as placed:\n%s", ex)
	}
	if got := rowsOf(t, mustCompute(t, ctx, g)); fmt.Sprint(got) != "[0|1 1|1 2|2 3|1 4|1]" {
		t.Fatalf("group-by on tied divisions: %v", got)
	}
	five, err := dataframe.FromRecords(ctx, c, []row{{ID: 0}, {ID: 1}, {ID: 2}, {ID: 3}, {ID: 4}}, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := five.Select("id").SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds[int64](0, 2, 4)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		m     *dataframe.DataFrame
		moved string
	}{
		{ts.Merge(fs, []string{"id"}, "inner", dataframe.BroadcastThreshold(0)), "only the left side moved"},
		{fs.Merge(ts, []string{"id"}, "inner", dataframe.BroadcastThreshold(0)), "only the right side moved"},
	} {
		m := tc.m
		// The tied side moves to the other's divisions.
		if ex := m.Explain(); !strings.Contains(ex, tc.moved) {
			t.Fatalf("a merge with tied divisions: want %q:\n%s", tc.moved, ex)
		}
		if n := mustCompute(t, ctx, m).NumRows(); n != 6 {
			t.Fatalf("merge with tied divisions: %d rows, want 6", n)
		}
	}

	_, err = df.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds("a", "m", "z")))
	wantErr(t, err, "SetIndex", `column "id"`, "Bounds[int64]")
	_, err = df.SetIndex(ctx, "x", dataframe.WithDivisions(dataframe.Bounds[int64](0, 10)))
	wantErr(t, err, `column "x"`, "Bounds[float64]")
}

// checkFloatsWithin checks that every partition's values of x (column 2)
// lie within its divisions.
func checkFloatsWithin(t *testing.T, tbl arrow.Table, d *dataframe.Divisions) {
	t.Helper()
	for p, ch := range tbl.Column(2).Data().Chunks() {
		lo, hi := d.Bounds[p].(float64), d.Bounds[p+1].(float64)
		for _, v := range ch.(*array.Float64).Float64Values() {
			if v < lo || v > hi {
				t.Fatalf("partition %d holds %g, outside [%g, %g]", p, v, lo, hi)
			}
		}
	}
}
