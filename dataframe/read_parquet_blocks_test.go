package dataframe_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

// TestReadParquetGroupsRowGroups checks that ReadParquet reads the
// consecutive row groups of a file as one partition, up to
// ParquetBlockSize: 4 files of 4 row groups are 4 partitions by default,
// 8 with a block of about two row groups, 16 with ParquetBlockSize(1);
// each partition holds its row groups' rows in the file's order, read by
// arrow-go (Persist) or by DuckDB (a query), and row groups pruned by
// their statistics are left out before the grouping (a file's groups left
// are one partition; different files' are not).
func TestReadParquetGroupsRowGroups(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	// 4 files of 1000 rows, row groups of 250 rows; ids ascend.
	df, dir := rowsToParquet(t, ctx, c, 250)
	want := tableLines(t, mustCompute(t, ctx, df))
	all := dataframe.ReadParquet(c, dir)
	group := all.EstimatedBytes() / 16 // about one row group's size
	for _, tc := range []struct {
		name  string
		df    *dataframe.DataFrame
		parts int
	}{
		{"default", all, 4},
		{"two row groups", dataframe.ReadParquet(c, dir, dataframe.ParquetBlockSize(group*5/2)), 8},
		{"one row group", dataframe.ReadParquet(c, dir, dataframe.ParquetBlockSize(1)), 16},
	} {
		if n := tc.df.NPartitions(); n != tc.parts {
			t.Fatalf("%s: %d partitions, want %d\n%s", tc.name, n, tc.parts, tc.df.Explain())
		}
		if ex := tc.df.Explain(); !strings.Contains(ex, fmt.Sprintf("row-groups=16/16 columns=[all] partitions=%d", tc.parts)) {
			t.Fatalf("%s: the plan does not show %d partitions:\n%s", tc.name, tc.parts, ex)
		}
		rowsEach := 4000 / tc.parts
		mem, err := tc.df.Persist(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for name, d := range map[string]*dataframe.DataFrame{
			"arrow-go": mem,
			"DuckDB":   tc.df.Filter("id >= 0"), // a query: DuckDB reads the files
		} {
			tbl := mustCompute(t, ctx, d)
			if got := tableLines(t, tbl); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s, read by %s: %d rows, not the rows written in order (%d)", tc.name, name, len(got), len(want))
			}
			chunks := tbl.Column(0).Data().Chunks()
			if len(chunks) != tc.parts {
				t.Fatalf("%s, read by %s: %d partitions computed, want %d", tc.name, name, len(chunks), tc.parts)
			}
			for i, ch := range chunks {
				if ch.Len() != rowsEach {
					t.Fatalf("%s, read by %s: partition %d has %d rows, want %d", tc.name, name, i, ch.Len(), rowsEach)
				}
			}
		}
		mem.Release()
	}
	// Pruned: the second half of the first file and the first half of
	// the second are left, two partitions of two row groups each.
	q := all.Filter("id >= 700 AND id < 1300")
	if ex := q.Explain(); !strings.Contains(ex, "row-groups=4/16 columns=[all] partitions=2 pruned-by=[id >= 700 AND id < 1300]") {
		t.Fatalf("the pruned read is not 2 partitions of 4 row groups:\n%s", ex)
	}
	got := rowsOf(t, mustCompute(t, ctx, q))
	if exp := rowsOf(t, mustCompute(t, ctx, df.Filter("id >= 700 AND id < 1300"))); len(got) != 600 || fmt.Sprint(got) != fmt.Sprint(exp) {
		t.Fatalf("the pruned read gives %d rows, want the 600 in memory", len(got))
	}
}
