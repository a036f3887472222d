package dataframe_test

import (
	"fmt"
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
	checkSorted(t, mustCompute(t, ctx, sampled), 0, d)

	// Given divisions are kept; they must hold the data.
	given, err := df.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds[int64](0, 100, 500, 2000)))
	if err != nil {
		t.Fatal(err)
	}
	d = given.Divisions()
	if want := []any{int64(0), int64(100), int64(500), int64(2000)}; fmt.Sprint(d.Bounds) != fmt.Sprint(want) {
		t.Fatalf("given divisions became %v; want %v", d.Bounds, want)
	}
	checkSorted(t, mustCompute(t, ctx, given), 0, d)
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
	checkFloatsWithin(t, mustCompute(t, ctx, byX), byX.Divisions())

	// Sorted data whose neighbouring partitions share a value has no
	// divisions that place each value in one partition.
	tied, err := dataframe.FromRecords(ctx, c, []row{{ID: 0}, {ID: 1}, {ID: 2}, {ID: 2}, {ID: 3}, {ID: 4}}, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tied.SetIndex(ctx, "id", dataframe.Sorted())
	wantErr(t, err, "partitions 0 and 1 both hold 2", "leave out Sorted()")

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
