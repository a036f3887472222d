package dataframe_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe"
)

// Over 40 persisted partitions (enough for the optimizer to coalesce
// them), a group-by's partials run over runs of partitions in one DuckDB
// query each, through Assign and Categorize: the result is DuckDB's. A
// MapPartitionsSQL below a group-by still runs partition by partition,
// and Nlargest, whose ties go by the rows' order, keeps the frame's order.
func TestPartialsOverRunsOfPartitions(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rec := nullyData(t, 4000)
	mem, err := fromRecord(t, ctx, c, rec, 40).Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Release()
	byK, err := mem.Filter("x IS NULL OR x > 1000010").Assign("b", "rn % 4").Categorize(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	g := byK.GroupBy("b", "k").Agg(dataframe.Sum("x"), dataframe.Count("i"))
	if ex := g.Explain(); !strings.Contains(ex, "Coalesce: 40 partitions") {
		t.Fatalf("the 40 partitions are not coalesced before the reduction:\n%s", ex)
	}
	want := tableLines(t, duckTable(t, "SELECT rn % 4 AS b, k, sum(x) AS x_sum, count(i) AS i_count FROM part WHERE x IS NULL OR x > 1000010 GROUP BY ALL ORDER BY b, k NULLS LAST", rec))
	if got := tableLines(t, mustCompute(t, ctx, g)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("group-by over runs: got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	p := byK.PivotTable("b", "k", "x", dataframe.Sum)
	wantP := tableLines(t, duckTable(t, "PIVOT (SELECT rn % 4 AS b, k, x FROM part WHERE x IS NULL OR x > 1000010) ON k IN ('k0', 'k1', 'k2', 'k3', 'k4') USING sum(x) GROUP BY b ORDER BY b", rec))
	if got := tableLines(t, mustCompute(t, ctx, p)); fmt.Sprint(got) != fmt.Sprint(wantP) {
		t.Fatalf("pivot over runs: got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantP, "\n"))
	}

	perPart := mem.MapPartitionsSQL("SELECT 1::BIGINT AS one, count(*) AS n FROM part").GroupBy("one").Agg(dataframe.Count("n"), dataframe.Sum("n"))
	if got := tableLines(t, mustCompute(t, ctx, perPart)); fmt.Sprint(got) != "[1|40|4000]" {
		t.Fatalf("MapPartitionsSQL under a group-by: got %v, want one row per partition (40) of 4000 rows in all", got)
	}

	top := mem.Nlargest(25, "x")
	wantTop := tableLines(t, duckTable(t, "SELECT * FROM part WHERE x IS NOT NULL ORDER BY x DESC, rn LIMIT 25", rec))
	if got := tableLines(t, mustCompute(t, ctx, top)); fmt.Sprint(got) != fmt.Sprint(wantTop) {
		t.Fatalf("Nlargest over 40 partitions: got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantTop, "\n"))
	}
}

// A reduction over Parquet that DuckDB reads makes its partials over runs
// of row groups, but not under MapPartitionsSQL: there a row group is a
// partition, and a query per partition gives other rows than one per run
// (LIMIT 1 kept one row a run, 2 in all, where there are 20 partitions).
func TestMapPartitionsUnderGroupByOverParquet(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(2000, 500, 1)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "pq")
	if err := df.ToParquet(ctx, dir, dataframe.RowGroupRows(100)); err != nil {
		t.Fatal(err)
	}
	pq := dataframe.ReadParquet(c, dir)
	out, err := pq.MapPartitionsSQL("SELECT * FROM part LIMIT 1").GroupBy("k").Agg(dataframe.Count("x")).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := out.Column(1).Data().Chunk(0).(*array.Int64).Value(0)
	if int(n) != pq.NPartitions() {
		t.Fatalf("count %d, want one row per partition: %d", n, pq.NPartitions())
	}
}
