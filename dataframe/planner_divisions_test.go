package dataframe_test

import (
	"testing"

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

// TestDivisionsAreExact checks that the first and last division are the
// data's least and greatest value, sampled or given, and that every
// partition lies within its divisions; and that given divisions of the
// wrong type are refused.
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
	checkSorted(t, mustCompute(t, ctx, sampled), 0, d)

	given, err := df.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds[int64](0, 100, 500, 2000)))
	if err != nil {
		t.Fatal(err)
	}
	d = given.Divisions()
	if want := []any{int64(7), int64(100), int64(500), int64(906)}; len(d.Bounds) != 4 || d.Bounds[0] != want[0] || d.Bounds[1] != want[1] || d.Bounds[2] != want[2] || d.Bounds[3] != want[3] {
		t.Fatalf("given divisions became %v; want %v", d.Bounds, want)
	}
	checkSorted(t, mustCompute(t, ctx, given), 0, d)

	// Floats for a float column.
	byX, err := df.SetIndex(ctx, "x", dataframe.WithDivisions(dataframe.Bounds(0.0, 5.5, 30.0)))
	if err != nil {
		t.Fatal(err)
	}
	if d := byX.Divisions(); d.Bounds[0] != 0.0 || d.Bounds[2] != 24.0 {
		t.Fatalf("divisions on x: %v; want 0 ... 24 (x is i%%97/4)", d.Bounds)
	}

	_, err = df.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds("a", "m", "z")))
	wantErr(t, err, "SetIndex", `column "id"`, "Bounds[int64]")
	_, err = df.SetIndex(ctx, "x", dataframe.WithDivisions(dataframe.Bounds[int64](0, 10)))
	wantErr(t, err, `column "x"`, "Bounds[float64]")
}
