package dataframe_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

// TestPivotTableMatchesDuckDB pivots a categorical column over 7
// partitions with nulls in the index, the categories and the values, and
// compares with DuckDB's PIVOT of the same rows; also over data placed by
// a hash of (index, category), where one index value's rows are in
// several partitions.
func TestPivotTableMatchesDuckDB(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rec := nullyData(t, 500)
	df, err := fromRecord(t, ctx, c, rec, 7).Categorize(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	in := "'k0', 'k1', 'k2', 'k3', 'k4'"
	for _, tc := range []struct {
		agg   func(string) dataframe.Aggregation
		using string
	}{
		{dataframe.Sum, "sum(x)"},
		{dataframe.Count, "count(x)"},
		{dataframe.Median, "median(x)"},
		{dataframe.Last, "last(x ORDER BY rn) FILTER (WHERE x IS NOT NULL)"},
	} {
		p := df.PivotTable("i", "k", "x", tc.agg)
		if p.Err() != nil {
			t.Fatal(p.Err())
		}
		if got := strings.Join(p.Columns(), " "); got != "i k0 k1 k2 k3 k4" {
			t.Fatalf("columns = %s", got)
		}
		want := tableLines(t, duckTable(t, fmt.Sprintf("PIVOT part ON k IN (%s) USING %s GROUP BY i ORDER BY i", in, tc.using), rec))
		if got := tableLines(t, mustCompute(t, ctx, p)); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("PivotTable with %s: got\n%s\nwant\n%s", tc.using, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	if got := df.PivotTable("i", "k", "x", dataframe.Sum).Explain(); !strings.Contains(got, "PivotTable x by k (in Go)") {
		t.Fatalf("the last step of a pivot of sums is not done in Go:\n%s", got)
	}
	// Data placed on (index, category) pairs: every index value's rows
	// must still come to one row.
	placed := df.GroupBy("i", "k").SplitOut(3).Agg(dataframe.Sum("x").As("x"))
	p := placed.PivotTable("i", "k", "x", dataframe.Max)
	want := tableLines(t, duckTable(t, fmt.Sprintf("PIVOT (SELECT i, k, sum(x) AS x FROM part GROUP BY i, k) ON k IN (%s) USING max(x) GROUP BY i ORDER BY i", in), rec))
	if got := tableLines(t, mustCompute(t, ctx, p)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("PivotTable of data placed on (i, k): got\n%s\nwant\n%s\nplan:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), p.Explain())
	}
	// Sorted on the index with known divisions: each partition spread
	// on its own, in order.
	byB, err := df.Assign("b", "rn % 50").SetIndex(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	p = byB.PivotTable("b", "k", "x", dataframe.Sum)
	if ex := p.Explain(); !strings.Contains(ex, "no shuffle") || p.NPartitions() < 2 {
		t.Fatalf("a pivot of data sorted on its index is not spread partition by partition:\n%s", ex)
	}
	want = tableLines(t, duckTable(t, fmt.Sprintf("PIVOT (SELECT rn %% 50 AS b, k, x FROM part) ON k IN (%s) USING sum(x) GROUP BY b ORDER BY b", in), rec))
	if got := tableLines(t, mustCompute(t, ctx, p)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("PivotTable of data sorted on b: got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	plain := fromRecord(t, ctx, c, rec, 2)
	wantErr(t, plain.PivotTable("i", "k", "x", dataframe.Sum).Err(), "reshape_test.go:", "PivotTable", `column "k" is not categorical`, "Categorize")
	wantErr(t, df.PivotTable("i", "k", "nope", dataframe.Sum).Err(), "PivotTable", `"nope"`)
	wantErr(t, df.PivotTable("i", "k", "x", nil).Err(), "PivotTable", "no aggregation")
	wantErr(t, df.PivotTable("i", "k", "s", dataframe.Var).Err(), "reshape_test.go:", "PivotTable", "needs an integer or floating-point column")
	wantErr(t, df.PivotTable("k", "k", "x", dataframe.Sum).Err(), "PivotTable", "must differ")
}

// TestMeltMatchesDuckDB melts value columns over 5 partitions, nulls
// kept, and compares with the same rows made by DuckDB with UNION ALL; value columns of
// types that do not hold each other exactly are an error.
func TestMeltMatchesDuckDB(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rec := nullyData(t, 300)
	df := fromRecord(t, ctx, c, rec, 5).Assign("i32", "i::INTEGER")
	// An int32 and a float64 column: float64 values.
	m := df.Melt([]string{"rn", "k"}, []string{"i32", "x"}, "", "")
	if m.Err() != nil {
		t.Fatal(m.Err())
	}
	if got := fmt.Sprint(m.Schema()); !strings.Contains(got, "variable: type=utf8") || !strings.Contains(got, "value: type=float64") {
		t.Fatalf("schema %s", got)
	}
	want := rowsOf(t, duckTable(t, "SELECT rn, k, 'i32' AS variable, i::DOUBLE AS value FROM part UNION ALL SELECT rn, k, 'x', x FROM part", rec))
	got := rowsOf(t, mustCompute(t, ctx, m))
	if len(got) != 600 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Melt: %d rows, want 600\ngot %v\nwant %v", len(got), got[:5], want[:5])
	}
	// Strings and a categorical column, every other column an id; named
	// results.
	cat, err := fromRecord(t, ctx, c, rec, 5).Categorize(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	ms := cat.Melt([]string{"rn", "b", "i", "x", "f"}, nil, "col", "val")
	if got := strings.Join(ms.Columns(), " "); got != "rn b i x f col val" {
		t.Fatalf("columns = %s (%v)", got, ms.Err())
	}
	want = rowsOf(t, duckTable(t, "SELECT rn, b, i, x, f, 'k' AS col, k AS val FROM part UNION ALL SELECT rn, b, i, x, f, 's', s FROM part", rec))
	if got := rowsOf(t, mustCompute(t, ctx, ms)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Melt of strings: got %d rows, want %d", len(got), len(want))
	}
	wantErr(t, df.Melt([]string{"rn"}, []string{"i", "x"}, "", "").Err(), "reshape_test.go:", "Melt", `"i" (int64)`, `"x" (float64)`, "Assign")
	wantErr(t, df.Melt([]string{"rn"}, []string{"x", "s"}, "", "").Err(), "Melt", `"x"`, `"s"`, "no common type")
	wantErr(t, df.Melt([]string{"rn"}, []string{"nope"}, "", "").Err(), "Melt", `"nope"`)
	wantErr(t, df.Melt([]string{"rn"}, []string{"x"}, "rn", "").Err(), "Melt", `"rn"`)
	wantErr(t, df.Melt([]string{"rn"}, []string{"x"}, "v", "v").Err(), "Melt", "different names")
	wantErr(t, df.Melt([]string{"rn"}, []string{"rn"}, "", "").Err(), "Melt", "both an id column and a value column")
}
