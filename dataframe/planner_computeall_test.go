package dataframe_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

// TestComputeAllSharesEqualSteps computes two DataFrames built apart over
// one shuffle join in one graph: ExplainAll shows the join once, and each
// result is what DuckDB computes.
func TestComputeAllSharesEqualSteps(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	ldir, rdir := plannerData(t, c)
	join := func() *dataframe.DataFrame {
		return dataframe.ReadParquet(c, ldir).Merge(dataframe.ReadParquet(c, rdir), []string{"id"}, "inner",
			dataframe.Strategy(dataframe.StrategyShuffle)).Select("id", "x_x", "w")
	}
	a := join().Filter("w > x_x") // (x_x is renamed: the filter stays above the join)
	b := join().GroupBy("id").Agg(dataframe.Sum("w"), dataframe.Max("x_x"))
	ex := dataframe.ExplainAll(a, b)
	_, second, _ := strings.Cut(ex, "DataFrame 2:")
	if strings.Count(ex, "Merge how=inner") != 1 || !strings.Contains(second, "shared)") {
		t.Fatalf("the join is not shared:\n%s", ex)
	}
	tbls, err := dataframe.ComputeAll(ctx, a, b)
	if err != nil {
		t.Fatal(err)
	}
	j := fmt.Sprintf("SELECT id, l.x AS x_x, r.w FROM read_parquet('%s/*.parquet') l JOIN read_parquet('%s/*.parquet') r USING (id)", ldir, rdir)
	wantA := plannerDuckDB(t, fmt.Sprintf("SELECT * FROM (%s) WHERE w > x_x", j))
	wantB := plannerDuckDB(t, fmt.Sprintf("SELECT id, sum(w), max(x_x) FROM (%s) GROUP BY id", j))
	if got := rowsOf(t, tbls[0]); len(wantA) < 100 || fmt.Sprint(got) != fmt.Sprint(wantA) {
		t.Fatalf("first result: %d rows, DuckDB %d", len(got), len(wantA))
	}
	if got := rowsOf(t, tbls[1]); len(wantB) < 100 || fmt.Sprint(got) != fmt.Sprint(wantB) {
		t.Fatalf("second result: %d rows, DuckDB %d", len(got), len(wantB))
	}
	if !tbls[1].Schema().Equal(b.Schema()) {
		t.Fatalf("second result's schema %s, planned %s", tbls[1].Schema(), b.Schema())
	}

	// Mistakes.
	other := newCluster(t, ctx)
	_, err = dataframe.ComputeAll(ctx, a, dataframe.ReadParquet(other, ldir))
	wantErr(t, err, "ComputeAll", "different clients")
	_, err = dataframe.ComputeAll(ctx, a, a.Select("nope"))
	wantErr(t, err, "Select", `no column "nope"`)
}
