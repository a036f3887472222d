package dataframe_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
	"github.com/dusk-go/dusk/dataframe/engine"
)

// duckTable runs query with DuckDB (the engine of this process) over rec,
// the table "part" (rec may be nil for a query of no input).
func duckTable(t *testing.T, query string, rec arrow.RecordBatch) arrow.Table {
	t.Helper()
	ctx := context.Background()
	e, err := engine.For(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var inputs []engine.Input
	if rec != nil {
		query = engine.WithCTE("part", engine.ScanView(engine.ViewIn), query)
		inputs = append(inputs, engine.Input{Name: engine.ViewIn, Rec: rec})
	}
	out, err := e.Query(ctx, query, inputs...)
	if err != nil {
		t.Fatalf("DuckDB: %v\n  in the query: %s", err, query)
	}
	return array.NewTableFromRecords(out.Schema(), []arrow.RecordBatch{out})
}

// duckRecord is duckTable's result as one record.
func duckRecord(t *testing.T, query string, rec arrow.RecordBatch) arrow.RecordBatch {
	t.Helper()
	tbl := duckTable(t, query, rec)
	tr := array.NewTableReader(tbl, tbl.NumRows())
	defer tr.Release()
	if !tr.Next() {
		t.Fatalf("no record from %s", query)
	}
	r := tr.RecordBatch()
	r.Retain()
	return r
}

// nullyData is n rows made by DuckDB: a row number rn, a key k (with
// nulls), a second key b, small integers i, floats x far from 0, floats f
// near 1 and strings s (all four with nulls).
func nullyData(t *testing.T, n int) arrow.RecordBatch {
	return duckRecord(t, fmt.Sprintf(`SELECT r::BIGINT AS rn,
		CASE WHEN r %% 13 = 5 THEN NULL ELSE 'k' || (r * 7 %% 5) END AS k,
		(r %% 2 = 0) AS b,
		CASE WHEN r %% 7 = 3 THEN NULL WHEN r %% 11 = 0 THEN 2 WHEN r %% 3 = 0 THEN -1 ELSE 1 END::BIGINT AS i,
		CASE WHEN r %% 5 = 1 THEN NULL ELSE 1e6 + (r * 37 %% 101) / 8.0 END::DOUBLE AS x,
		CASE WHEN r %% 4 = 2 THEN NULL ELSE 's' || r END AS s,
		CASE WHEN r %% 6 = 4 THEN NULL ELSE 1 + (r %% 10) / 100.0 END::DOUBLE AS f
		FROM range(%d) t(r)`, n), nil)
}

func fromRecord(t *testing.T, ctx context.Context, c *dusk.Client, rec arrow.RecordBatch, nparts int) *dataframe.DataFrame {
	t.Helper()
	df, err := dataframe.FromArrow(ctx, c, array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec}), dataframe.Partitions(nparts))
	if err != nil {
		t.Fatal(err)
	}
	return df
}

// TestGroupByNewAggsMatchDuckDB compares First, Last, Median, Var, Prod
// and Size (with named outputs) with DuckDB's GROUP BY on the same rows,
// over 9 partitions with nulls in keys and values: through a tree of
// combining steps, through SplitOut, and after a filter.
func TestGroupByNewAggsMatchDuckDB(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rec := nullyData(t, 700)
	df := fromRecord(t, ctx, c, rec, 9)
	aggs := []dataframe.Aggregation{
		dataframe.First("x"), dataframe.Last("x").As("last_x"), dataframe.First("s"), dataframe.Last("s"),
		dataframe.Median("x"), dataframe.Median("i").As("med_i"), dataframe.Var("x"), dataframe.Var("i"),
		dataframe.Prod("i"), dataframe.Prod("f").As("pf"), dataframe.Size(), dataframe.Count("x").As("n_x"),
		dataframe.Sum("i").As("total"),
	}
	// The keys, a WHERE clause and the keys again.
	sql := `SELECT %[1]s,
		first(x ORDER BY rn) FILTER (WHERE x IS NOT NULL) AS x_first,
		last(x ORDER BY rn) FILTER (WHERE x IS NOT NULL) AS last_x,
		first(s ORDER BY rn) FILTER (WHERE s IS NOT NULL) AS s_first,
		last(s ORDER BY rn) FILTER (WHERE s IS NOT NULL) AS s_last,
		median(x) AS x_median, median(i) AS med_i, var_samp(x) AS x_var, var_samp(i) AS i_var,
		product(i)::BIGINT AS i_prod, product(f) AS pf, count(*) AS size, count(x) AS n_x, sum(i)::BIGINT AS total
		FROM part %[2]s GROUP BY %[1]s`
	want := rowsOf(t, duckTable(t, fmt.Sprintf(sql, "k", ""), rec))
	tree := df.GroupBy("k").SplitEvery(3).Agg(aggs...)
	if tree.Err() != nil {
		t.Fatal(tree.Err())
	}
	if got := strings.Join(tree.Columns(), " "); got != "k x_first last_x s_first s_last x_median med_i x_var i_var i_prod pf size n_x total" {
		t.Fatalf("columns = %s", got)
	}
	wantTypes := "utf8 float64 float64 utf8 utf8 float64 float64 float64 float64 int64 float64 int64 int64 int64"
	var types []string
	for _, f := range tree.Schema().Fields() {
		types = append(types, f.Type.String())
	}
	if got := strings.Join(types, " "); got != wantTypes {
		t.Fatalf("types = %s, want %s", got, wantTypes)
	}
	tt := mustCompute(t, ctx, tree)
	if got := rowsOf(t, tt); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("tree: got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	so := df.GroupBy("k").SplitOut(3).Agg(aggs...)
	if got := rowsOf(t, mustCompute(t, ctx, so)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("split out: got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The Go kernels keep the old aggregations; with a new one DuckDB
	// does all.
	if ex := df.GroupBy("k").Agg(dataframe.Sum("x"), dataframe.Count("x")).Explain(); !strings.Contains(ex, "in Go") {
		t.Fatalf("Sum and Count not aggregated in Go:\n%s", ex)
	}
	if ex := df.GroupBy("k").Agg(dataframe.Sum("x"), dataframe.Size()).Explain(); strings.Contains(ex, "in Go") {
		t.Fatalf("Size aggregated in Go:\n%s", ex)
	}
	// 50 tiny partitions, coalesced into runs of neighbours: the same
	// first and last values.
	many := fromRecord(t, ctx, c, rec, 50).GroupBy("k").Agg(aggs...)
	if !strings.Contains(many.Explain(), "coalesce") {
		t.Fatalf("tiny partitions not coalesced:\n%s", many.Explain())
	}
	if got := rowsOf(t, mustCompute(t, ctx, many)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("50 partitions: got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Over a query chain (a filter), by two keys.
	want2 := rowsOf(t, duckTable(t, fmt.Sprintf(sql, "k, b", "WHERE rn % 3 <> 0"), rec))
	two := df.Filter("rn % 3 <> 0").GroupBy("k", "b").Agg(aggs...)
	if got := rowsOf(t, mustCompute(t, ctx, two)); fmt.Sprint(got) != fmt.Sprint(want2) {
		t.Fatalf("two keys after a filter: got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want2, "\n"))
	}
}

// TestGroupByAggNamesAndErrors checks named outputs and the errors of bad
// aggregations.
func TestGroupByAggNamesAndErrors(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rec := nullyData(t, 50)
	df := fromRecord(t, ctx, c, rec, 3)
	g := df.GroupBy("k")
	named := g.Agg(dataframe.Sum("x").As("total"), dataframe.Size().As("rows"), dataframe.Size())
	if named.Err() != nil {
		t.Fatal(named.Err())
	}
	if got := strings.Join(named.Columns(), " "); got != "k total rows size" {
		t.Fatalf("columns = %s", got)
	}
	wantErr(t, g.Agg(dataframe.Sum("x").As("t"), dataframe.Mean("i").As("t")).Err(), "groupby_aggs_test.go:", "Agg", `two result columns are named "t"`, "As")
	wantErr(t, g.Agg(dataframe.Sum("x").As("k")).Err(), `two result columns are named "k"`)
	wantErr(t, g.Agg(dataframe.Size(), dataframe.Size()).Err(), `two result columns are named "size"`)
	wantErr(t, g.Agg(dataframe.Sum("x").As("")).Err(), "needs a name")
	wantErr(t, g.Agg(dataframe.Sum("x").As("__dusk_pos")).Err(), "dusk's own")
	wantErr(t, g.Agg(dataframe.Sum("")).Err(), "no column")
	wantErr(t, g.Agg(dataframe.Median("nope")).Err(), `"nope"`)
	for _, a := range []dataframe.Aggregation{dataframe.Median("s"), dataframe.Var("s"), dataframe.Prod("b")} {
		wantErr(t, g.Agg(a).Err(), "groupby_aggs_test.go:", "needs an integer or floating-point column", "Assign")
	}
	// dusk's own column name in the input, where First numbers rows.
	pos := df.Assign("__dusk_pos", "rn")
	wantErr(t, pos.GroupBy("k").Agg(dataframe.First("x")).Err(), "groupby_aggs_test.go:", `"__dusk_pos"`, "rename")
	wantErr(t, pos.GroupBy("k").Transform(groupDemean).Err(), "groupby_aggs_test.go:", "Transform", `"__dusk_pos"`, "rename")
	if pos.GroupBy("k").Agg(dataframe.Sum("x")).Err() != nil {
		t.Fatal("a sum is refused over a column named __dusk_pos")
	}
	// An int64 product that overflows is an error, not a rounded float.
	big := df.Assign("i", "3000000000::BIGINT").GroupBy("b").Agg(dataframe.Prod("i"))
	if big.Err() != nil {
		t.Fatal(big.Err())
	}
	_, err := big.Compute(ctx)
	wantErr(t, err, "Overflow")
}

// TestGroupByFirstLastOverParquet takes First and Last of a frame read
// from Parquet (row groups that DuckDB reads itself, after a filter) in
// the files' order, against DuckDB on the same rows.
func TestGroupByFirstLastOverParquet(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rec := nullyData(t, 600)
	dir := t.TempDir() + "/pq"
	if err := fromRecord(t, ctx, c, rec, 6).ToParquet(ctx, dir, dataframe.RowGroupRows(40)); err != nil {
		t.Fatal(err)
	}
	df := dataframe.ReadParquet(c, dir).Filter("rn % 4 <> 1")
	out := df.GroupBy("k").Agg(dataframe.First("x"), dataframe.Last("s"), dataframe.Median("f"), dataframe.Size())
	want := rowsOf(t, duckTable(t, `SELECT k, first(x ORDER BY rn) FILTER (WHERE x IS NOT NULL), last(s ORDER BY rn) FILTER (WHERE s IS NOT NULL),
		median(f), count(*) FROM part WHERE rn % 4 <> 1 GROUP BY k`, rec))
	if got := rowsOf(t, mustCompute(t, ctx, out)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("over Parquet: got\n%s\nwant\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), out.Explain())
	}
}
