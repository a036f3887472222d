//go:build duckdb_arrow

package dataframe_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

// TestBroadcastMergeJoinedInParquetScans: a broadcast inner Merge whose
// large side is a Filter over ReadParquet is joined in the scan tasks
// (Explain says so, before optimization it did not), with the rows, in
// their order, of the same Merge over the same partitions persisted in
// memory (which joins in tasks of its own): the broadcast side on either
// hand, scans of several DuckDB batches, and scans of fewer rows than the
// broadcast side (joined the other way round).
func TestBroadcastMergeJoinedInParquetScans(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	dir := t.TempDir()
	ldir, rdir := filepath.Join(dir, "left"), filepath.Join(dir, "right")
	l, err := dataframe.FromRecords(ctx, c, makeRows(15_000, 1_000, 7), dataframe.Partitions(3))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.ToParquet(ctx, ldir, dataframe.RowGroupRows(1_000)); err != nil {
		t.Fatal(err)
	}
	var others []plannerOther
	for i := range 600 {
		// Each id twice: a scan row matches two rows, in their order.
		others = append(others, plannerOther{ID: int64(i % 300 * 3), V: fmt.Sprintf("v%d", i%5), W: float64(i) / 8, X: float64(i % 11)})
	}
	r, err := dataframe.FromRecords(ctx, c, others, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.ToParquet(ctx, rdir); err != nil {
		t.Fatal(err)
	}
	facts, dim := dataframe.ReadParquet(c, ldir), dataframe.ReadParquet(c, rdir)
	mem, err := facts.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	on, bc := []string{"id"}, dataframe.Strategy(dataframe.StrategyBroadcast)
	for _, filter := range []string{"y > 3", "y > 48"} {
		for _, smallLeft := range []bool{false, true} {
			merge := func(f *dataframe.DataFrame) *dataframe.DataFrame {
				f = f.Filter(filter)
				if smallLeft {
					return dim.Merge(f, on, "inner", bc).Filter("v <> 'v2'").Select("id", "w", "k", "x_y")
				}
				return f.Merge(dim, on, "inner", bc).Filter("v <> 'v2'").Select("id", "w", "k", "x_x")
			}
			name := fmt.Sprintf("%q, broadcast left %v", filter, smallLeft)
			scanned, plain := merge(facts), merge(mem)
			before, after := plannerPlans(t, scanned)
			if strings.Contains(before, "in each Parquet scan task") || !strings.Contains(after, "joined in Go in each Parquet scan task") {
				t.Fatalf("%s: the merge is not joined in the scan tasks:\n%s%s", name, before, after)
			}
			if ex := plain.Explain(); strings.Contains(ex, "in each Parquet scan task") {
				t.Fatalf("%s: the merge of partitions in memory is joined in scan tasks:\n%s", name, ex)
			}
			got, want := tableLines(t, mustCompute(t, ctx, scanned)), tableLines(t, mustCompute(t, ctx, plain))
			if len(want) < 50 || !slices.Equal(got, want) {
				t.Fatalf("%s: %d rows joined in the scans, %d in tasks of their own (or in another order)", name, len(got), len(want))
			}
		}
	}
}
