package dataframe_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

// plannerWant renders rows (id, k, x, y) like rowsOf renders a table,
// sorted, keeping those keep says.
func plannerWant(rows []row, keep func(r row) bool) []string {
	var out []string
	for _, r := range rows {
		if keep(r) {
			out = append(out, fmt.Sprintf("%d|%s|%.6g|%.6g", r.ID, r.K, r.X, r.Y))
		}
	}
	return plannerSorted(out)
}

func plannerSorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// TestLocAndIndexFilterPrunePartitions checks Loc (inclusive, only the
// overlapping partitions read) and the planner's pruning of partitions
// for a Filter on the index: the plan changes, the rows do not.
func TestLocAndIndexFilterPrunePartitions(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := plannerRows(3000)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(5))
	if err != nil {
		t.Fatal(err)
	}
	si, err := df.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds[int64](0, 200, 400, 600, 2000)))
	if err != nil {
		t.Fatal(err)
	}
	// Divisions [7 200 400 600 906].
	loc := si.Loc(250, 450)
	if loc.Err() != nil || loc.NPartitions() != 2 {
		t.Fatalf("Loc(250, 450): %v, %d partitions; want 2", loc.Err(), loc.NPartitions())
	}
	if ex := loc.Explain(); !strings.Contains(ex, "Loc [250, 450]: partitions [1, 2] of 4") {
		t.Fatalf("Explain does not show the pruning:\n%s", ex)
	}
	want := plannerWant(rows, func(r row) bool { return r.ID >= 250 && r.ID <= 450 })
	if got := rowsOf(t, mustCompute(t, ctx, loc)); len(want) < 100 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Loc(250, 450): %d rows, want %d", len(got), len(want))
	}
	// Inclusive at both ends, on a division.
	edge := rowsOf(t, mustCompute(t, ctx, si.Loc(int64(400), int64(400))))
	if want := plannerWant(rows, func(r row) bool { return r.ID == 400 }); len(want) == 0 || fmt.Sprint(edge) != fmt.Sprint(want) {
		t.Fatalf("Loc(400, 400): %v, want %v", edge, want)
	}
	none := si.Loc(950, 990)
	if none.NPartitions() != 1 {
		t.Fatalf("Loc beyond the data: %d partitions, want 1", none.NPartitions())
	}
	if tbl := mustCompute(t, ctx, none); tbl.NumRows() != 0 {
		t.Fatalf("Loc beyond the data: %d rows", tbl.NumRows())
	}
	wantErr(t, si.Loc("a", "b").Err(), "Loc", `column "id"`)
	wantErr(t, si.Loc(5, 1).Err(), "Loc", "above")
	wantErr(t, df.Loc(1, 5).Err(), "Loc", "SetIndex")

	// A Filter on the index reads the partitions that may hold its rows.
	const expr = "id >= 650 AND x > 1"
	f := si.Filter(expr)
	ex := f.Explain(dataframe.BeforeAndAfter())
	before, after, _ := strings.Cut(ex, "after optimization:")
	// ... and the filter runs before the range shuffle: fewer rows move.
	if strings.Contains(before, "partitions [3, 3] of 4") || !strings.Contains(after, "Filter on the index id: partitions [3, 3] of 4") ||
		!regexp.MustCompile(`SetIndex \[id\]: range shuffle 5 -> 4 partitions.*\n *Filter "id >= 650 AND x > 1" \(moved down\)`).MatchString(after) {
		t.Fatalf("plan before and after:\n%s", ex)
	}
	want = plannerWant(rows, func(r row) bool { return r.ID >= 650 && r.X > 1 })
	got := rowsOf(t, mustCompute(t, ctx, f))
	unopt := rowsOf(t, mustCompute(t, ctx, df.Filter(expr)))
	if len(want) < 100 || fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprint(unopt) != fmt.Sprint(want) {
		t.Fatalf("filter on the index: %d rows, without divisions %d, want %d", len(got), len(unopt), len(want))
	}
	// Divisions follow the pruning.
	if d := f.Divisions(); d == nil || len(d.Bounds) != 5 {
		t.Fatalf("the filter's divisions before running: %v", d)
	}
}
