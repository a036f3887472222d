package dataframe_test

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe"
)

// Categorical columns through Rename and IsIn, in memory and over CSV.
func TestColumnCallsOnCategories(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	dir := t.TempDir()
	rows := makeRows(400, 40, 5)
	writeCSV(t, dir, "a.csv", rows)
	mem, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(3))
	if err != nil {
		t.Fatal(err)
	}
	for name, df := range map[string]*dataframe.DataFrame{"memory": mem, "csv": dataframe.ReadCSV(c, filepath.Join(dir, "a.csv"), dataframe.BlockSize(4096))} {
		cat, err := df.Categorize(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		r := cat.Rename(map[string]string{"k": "key"}).Drop("y")
		if r.Err() != nil {
			t.Fatal(r.Err())
		}
		if got := r.Categories("key"); !slices.Equal(got, cat.Categories("k")) || len(got) != 5 {
			t.Fatalf("%s: categories of the renamed column %v", name, got)
		}
		tbl := mustCompute(t, ctx, r.IsIn("key", "k01", "k03"))
		if _, ok := tbl.Schema().Field(1).Type.(*arrow.DictionaryType); !ok {
			t.Fatalf("%s: the renamed column came out as %s", name, tbl.Schema().Field(1).Type)
		}
		var want int64
		for _, row := range rows {
			if row.K == "k01" || row.K == "k03" {
				want++
			}
		}
		if tbl.NumRows() != want {
			t.Fatalf("%s: IsIn on a categorical column: %d rows, want %d", name, tbl.NumRows(), want)
		}
		wantErr(t, cat.IsIn("k", 1).Err(), "IsIn", `1 (int) does not fit column "k"`)
	}
}

// NaN is a value: FillNA and DropNA leave it; Clip leaves it too.
func TestNaNIsNotNull(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	type r struct {
		X *float64 `df:"x"`
	}
	df, err := dataframe.FromRecords(ctx, c, []r{{ptr(math.NaN())}, {nil}, {ptr(5.0)}, {ptr(-5.0)}}, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "FillNA", tableLines(t, mustCompute(t, ctx, df.FillNA(0))), []string{"NaN", "0", "5", "-5"})
	sameLines(t, "DropNA", tableLines(t, mustCompute(t, ctx, df.DropNA("any"))), []string{"NaN", "5", "-5"})
	sameLines(t, "Clip", tableLines(t, mustCompute(t, ctx, df.Clip("x", -1, 1))), []string{"NaN", "null", "1", "-1"})
}

// A renamed categorical column over Parquet row groups that a filter
// prunes: the optimizer plans the step again and it stays categorical.
func TestRenameCategoricalOverPrunedParquet(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(2000, 100, 7)
	mem, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(3))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := mem.Categorize(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	pq := filepath.Join(t.TempDir(), "pq")
	if err := cat.ToParquet(ctx, pq, dataframe.RowGroupRows(100)); err != nil {
		t.Fatal(err)
	}
	r := dataframe.ReadParquet(c, pq).Filter("id < 10").Rename(map[string]string{"k": "key"})
	tbl := mustCompute(t, ctx, r)
	if _, ok := tbl.Schema().Field(1).Type.(*arrow.DictionaryType); !ok {
		t.Fatalf("key came out as %s", tbl.Schema().Field(1).Type)
	}
	var want []string
	for _, row := range rows {
		if row.ID < 10 {
			want = append(want, fmt.Sprintf("%d|%s|%.6g|%.6g", row.ID, row.K, row.X, row.Y))
		}
	}
	sort.Strings(want)
	sameLines(t, "renamed over Parquet", rowsOf(t, tbl), want)
}
