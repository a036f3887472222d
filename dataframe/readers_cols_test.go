package dataframe_test

import (
	"path/filepath"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

// The new steps over readers: CSV splits and Parquet row groups (with a
// filter below that prunes row groups), for Sample, Concat, Nlargest and
// the query steps.
func TestColumnCallsOverReaders(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	dir := t.TempDir()
	rows := makeRows(2000, 100, 7)
	writeCSV(t, dir, "a.csv", rows[:1000])
	writeCSV(t, dir, "b.csv", rows[1000:])
	csv := dataframe.ReadCSV(c, filepath.Join(dir, "*.csv"), dataframe.BlockSize(8192))
	mem, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(3))
	if err != nil {
		t.Fatal(err)
	}
	pq := filepath.Join(t.TempDir(), "pq")
	if err := mem.ToParquet(ctx, pq, dataframe.RowGroupRows(100)); err != nil {
		t.Fatal(err)
	}
	par := dataframe.ReadParquet(c, pq)
	for name, df := range map[string]*dataframe.DataFrame{"csv": csv, "parquet": par} {
		want := rowsOf(t, mustCompute(t, ctx, mem.Filter("id < 10").Rename(map[string]string{"x": "v"}).Drop("y").Clip("v", 1, 20)))
		got := rowsOf(t, mustCompute(t, ctx, df.Filter("id < 10").Rename(map[string]string{"x": "v"}).Drop("y").Clip("v", 1, 20)))
		sameLines(t, name+" query steps", got, want)
		sameLines(t, name+" Nlargest", tableLines(t, mustCompute(t, ctx, df.Filter("id < 50").Nlargest(5, "y"))),
			tableLines(t, mustCompute(t, ctx, mem.Filter("id < 50").Nlargest(5, "y"))))
		s := df.Filter("id < 50").Sample(0.5, 3)
		a, b := tableLines(t, mustCompute(t, ctx, s)), tableLines(t, mustCompute(t, ctx, s))
		sameLines(t, name+" Sample twice", a, b)
		if len(a) == 0 || len(a) >= 1000 {
			t.Fatalf("%s: sample of %d rows", name, len(a))
		}
		cat := dataframe.Concat(df.Filter("id < 5").Select("id", "k"), mem.Filter("id >= 98").Select("k", "id"))
		if n, err := cat.Len(ctx); err != nil || n != 5*20+2*20 {
			t.Fatalf("%s: Concat Len = %d, %v", name, n, err)
		}
	}
}
