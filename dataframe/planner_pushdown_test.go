package dataframe_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
)

// plannerDuckDB runs a query with DuckDB alone and renders its rows as
// rowsOf renders a table, sorted.
func plannerDuckDB(t *testing.T, query string) []string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Query(query)
	if err != nil {
		t.Fatalf("DuckDB alone: %v\n  in the query: %s", err, query)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out []string
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				cells[i] = "null"
			case float64:
				cells[i] = fmt.Sprintf("%.6g", x)
			default:
				cells[i] = fmt.Sprint(x)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// plannerOther is the right side of the joins.
type plannerOther struct {
	ID int64   `df:"id"`
	V  string  `df:"v"`
	W  float64 `df:"w"`
	X  float64 `df:"x"`
}

// plannerData writes a left table (id, k, x, y) and a right one (id, v,
// w, x) as Parquet files of several row groups, sorted on id so that row
// groups have narrow statistics, and returns their directories.
func plannerData(t *testing.T, c *dusk.Client) (left, right string) {
	t.Helper()
	ctx := testContext(t)
	rows := makeRows(2000, 500, 7)
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	var others []plannerOther
	for i := range 600 {
		others = append(others, plannerOther{ID: int64(i % 300 * 2), V: fmt.Sprintf("v%d", i%5), W: float64(i) / 8, X: float64(i % 11)})
	}
	sort.Slice(others, func(i, j int) bool { return others[i].ID < others[j].ID })
	dir := t.TempDir()
	left, right = filepath.Join(dir, "left"), filepath.Join(dir, "right")
	l, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.ToParquet(ctx, left, dataframe.RowGroupRows(250)); err != nil {
		t.Fatal(err)
	}
	r, err := dataframe.FromRecords(ctx, c, others, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.ToParquet(ctx, right, dataframe.RowGroupRows(100)); err != nil {
		t.Fatal(err)
	}
	return left, right
}

// plannerPlans cuts Explain(BeforeAndAfter()) into its two plans.
func plannerPlans(t *testing.T, df *dataframe.DataFrame) (before, after string) {
	t.Helper()
	ex := df.Explain(dataframe.BeforeAndAfter())
	before, after, ok := strings.Cut(ex, "after optimization:")
	if !ok || !strings.HasPrefix(before, "before optimization:") {
		t.Fatalf("Explain(BeforeAndAfter()) is not two plans:\n%s", ex)
	}
	return before, after
}

// TestProjectionPushdownThroughMergeAndSetIndex checks that each side of
// a join reads only the keys and the columns used above it (both of two
// same-named columns when one is used), and that a SetIndex's input reads
// only what is used above it and the key.
func TestProjectionPushdownThroughMergeAndSetIndex(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	ldir, rdir := plannerData(t, c)
	for _, how := range []string{"inner", "left", "outer"} {
		m := dataframe.ReadParquet(c, ldir).Merge(dataframe.ReadParquet(c, rdir), []string{"id"}, how,
			dataframe.Strategy(dataframe.StrategyShuffle)).Select("id", "x_x", "w")
		before, after := plannerPlans(t, m)
		if strings.Count(before, "columns=[all]") != 2 || !strings.Contains(after, "columns=[id, x]") || !strings.Contains(after, "columns=[id, w, x]") {
			t.Fatalf("%s merge: the sides do not read only what is used:\n%s%s", how, before, after)
		}
		kind := map[string]string{"inner": "INNER", "left": "LEFT", "outer": "FULL OUTER"}[how]
		want := plannerDuckDB(t, fmt.Sprintf("SELECT id, l.x AS x_x, r.w FROM read_parquet('%s/*.parquet') l %s JOIN read_parquet('%s/*.parquet') r USING (id)", ldir, kind, rdir))
		if got := rowsOf(t, mustCompute(t, ctx, m)); len(want) < 100 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s merge: %d rows, DuckDB has %d", how, len(got), len(want))
		}
	}

	// Through Sorted() divisions (plus the index).
	sorted, err := dataframe.ReadParquet(c, rdir).SetIndex(ctx, "id", dataframe.Sorted())
	if err != nil {
		t.Fatal(err)
	}
	sw := sorted.Select("w")
	if before, after := plannerPlans(t, sw); !strings.Contains(before, "columns=[all]") || !strings.Contains(after, "columns=[id, w]") || sw.Divisions() != nil {
		t.Fatalf("Sorted() reads every column:\n%s%s", before, after)
	}
	want := plannerDuckDB(t, fmt.Sprintf("SELECT w FROM read_parquet('%s/*.parquet')", rdir))
	if got := rowsOf(t, mustCompute(t, ctx, sw)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Sorted() then Select: %d rows, DuckDB has %d", len(got), len(want))
	}

	// From CSV: the reader skips the columns.
	csvDir := t.TempDir()
	writeCSV(t, csvDir, "l.csv", makeRows(2000, 500, 7))
	cm := dataframe.ReadCSV(c, filepath.Join(csvDir, "*.csv")).Merge(dataframe.ReadParquet(c, rdir), []string{"id"}, "inner",
		dataframe.Strategy(dataframe.StrategyShuffle)).Select("k", "w")
	if before, after := plannerPlans(t, cm); !strings.Contains(before, "ReadCSV") || !strings.Contains(after, "partitions=1 columns=[id, k]") {
		t.Fatalf("the CSV reader reads every column:\n%s%s", before, after)
	}
	want = plannerDuckDB(t, fmt.Sprintf("SELECT l.k, r.w FROM read_csv('%s/l.csv') l JOIN read_parquet('%s/*.parquet') r USING (id)", csvDir, rdir))
	if got := rowsOf(t, mustCompute(t, ctx, cm)); len(want) < 100 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("CSV merge: %d rows, DuckDB has %d", len(got), len(want))
	}

	si, err := dataframe.ReadParquet(c, ldir).SetIndex(ctx, "x", dataframe.OutPartitions(3))
	if err != nil {
		t.Fatal(err)
	}
	s := si.Select("x", "k")
	before, after := plannerPlans(t, s)
	if !strings.Contains(before, "columns=[all]") || !strings.Contains(after, "columns=[k, x]") {
		t.Fatalf("SetIndex reads every column:\n%s%s", before, after)
	}
	want = plannerDuckDB(t, fmt.Sprintf("SELECT x, k FROM read_parquet('%s/*.parquet')", ldir))
	if got := rowsOf(t, mustCompute(t, ctx, s)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("SetIndex then Select: %d rows, DuckDB has %d", len(got), len(want))
	}
}

// TestFilterPushdown checks that a Filter moves below an Assign that does
// not make a column it reads and below a Select, reaching the Parquet
// reader's row-group statistics; and into the sides of joins as each kind
// allows, with what cannot move left above.
func TestFilterPushdown(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	ldir, rdir := plannerData(t, c)
	L := dataframe.ReadParquet(c, ldir)
	R := dataframe.ReadParquet(c, rdir)

	// Through Assign and Select to the reader: row groups pruned.
	f := L.Assign("z", "x * 2").Select("id", "z", "k").Filter("id < 100")
	before, after := plannerPlans(t, f)
	if strings.Contains(before, "pruned-by") || !strings.Contains(after, "row-groups=2/8") || !strings.Contains(after, "pruned-by=[id < 100]") {
		t.Fatalf("the filter does not reach the reader:\n%s%s", before, after)
	}
	want := plannerDuckDB(t, fmt.Sprintf("SELECT id, x * 2 AS z, k FROM read_parquet('%s/*.parquet') WHERE id < 100", ldir))
	if got := rowsOf(t, mustCompute(t, ctx, f)); len(want) < 100 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("filter through Assign: %d rows, DuckDB has %d", len(got), len(want))
	}
	// A filter on the assigned column stays above it.
	g := L.Assign("x", "id * 1.0").Filter("x < 50")
	if _, after := plannerPlans(t, g); strings.Contains(after, "pruned-by") || strings.Contains(after, "moved down") {
		t.Fatalf("a filter on the assigned column moved:\n%s", after)
	}
	want = plannerDuckDB(t, fmt.Sprintf("SELECT id, k, id * 1.0 AS x, y FROM read_parquet('%s/*.parquet') WHERE id * 1.0 < 50", ldir))
	if got := rowsOf(t, mustCompute(t, ctx, g)); len(want) < 100 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("filter on the assigned column: %d rows, DuckDB has %d", len(got), len(want))
	}

	// Below a group-by, when it reads only the keys.
	for _, tc := range []struct {
		expr, above string
	}{{"id < 100 AND k <> 'k03'", ""}, {"id < 100 AND x_sum > 10", `Filter "(x_sum > 10)" (left above)`}} {
		gb := L.GroupBy("id", "k").Agg(dataframe.Sum("x")).Filter(tc.expr)
		_, after := plannerPlans(t, gb)
		top := strings.TrimSpace(strings.Split(after, "\n")[1])
		if !strings.Contains(after, "row-groups=2/8") || (tc.above == "") != strings.HasPrefix(top, "GroupBy") || !strings.HasPrefix(top, tc.above) {
			t.Fatalf("filter %q over a group-by: want the key's part at the reader and %q above:\n%s", tc.expr, tc.above, after)
		}
		want := plannerDuckDB(t, fmt.Sprintf("SELECT * FROM (SELECT id, k, sum(x) AS x_sum FROM read_parquet('%s/*.parquet') GROUP BY id, k) WHERE %s", ldir, tc.expr))
		if got := rowsOf(t, mustCompute(t, ctx, gb)); len(want) < 50 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("filter %q over a group-by: %d rows, DuckDB has %d", tc.expr, len(got), len(want))
		}
	}

	// Into joins: id is the key, y the left's, v the right's; x_x is
	// the left's x renamed, x_y the right's: each goes to its side as x.
	const expr = "id < 150 AND v = 'v1' AND y > 3 AND x_x > 3 AND x_y > 1"
	cases := []struct {
		how                string
		left, right, above string // the filter each side gets, and what stays above
	}{
		{how: "inner", left: `Filter "(id < 150) AND (y > 3) AND (\"x\" > 3)"`, right: `Filter "(id < 150) AND (v = 'v1') AND (\"x\" > 1)"`},
		{how: "left", left: `Filter "(id < 150) AND (y > 3) AND (\"x\" > 3)"`, right: `Filter "(id < 150)"`, above: `(v = 'v1') AND (x_y > 1)`},
		{how: "right", left: `Filter "(id < 150)"`, right: `Filter "(id < 150) AND (v = 'v1') AND (\"x\" > 1)"`, above: `(y > 3) AND (x_x > 3)`},
		{how: "outer", left: `Filter "(id < 150)"`, right: `Filter "(id < 150)"`, above: `(v = 'v1') AND (y > 3) AND (x_x > 3) AND (x_y > 1)`},
	}
	for _, tc := range cases {
		m := L.Merge(R, []string{"id"}, tc.how, dataframe.Strategy(dataframe.StrategyShuffle)).Filter(expr)
		_, after := plannerPlans(t, m)
		lines := strings.Split(after, "\n")
		top := strings.TrimSpace(lines[1])
		if tc.above == "" && strings.HasPrefix(top, "Filter") || tc.above != "" && !strings.HasPrefix(top, fmt.Sprintf("Filter %q (left above)", tc.above)) {
			t.Fatalf("%s merge: want %q above the join:\n%s", tc.how, tc.above, after)
		}
		if strings.Count(after, "(moved down)") != 2 || !strings.Contains(after, tc.left+" (moved down)") || !strings.Contains(after, tc.right+" (moved down)") {
			t.Fatalf("%s merge: want the left side filtered by %s and the right by %s:\n%s", tc.how, tc.left, tc.right, after)
		}
		// The key's filter reaches both readers' statistics.
		if !strings.Contains(after, "row-groups=3/8 columns=[all] partitions=1 pruned-by=") || !strings.Contains(after, "row-groups=2/6 columns=[all] partitions=1 pruned-by=") {
			t.Fatalf("%s merge: the readers do not skip row groups:\n%s", tc.how, after)
		}
		kind := map[string]string{"inner": "INNER", "left": "LEFT", "right": "RIGHT", "outer": "FULL OUTER"}[tc.how]
		want := plannerDuckDB(t, fmt.Sprintf("SELECT * FROM (SELECT id, l.k, l.x AS x_x, l.y, r.v, r.w, r.x AS x_y FROM read_parquet('%s/*.parquet') l %s JOIN read_parquet('%s/*.parquet') r USING (id)) WHERE %s", ldir, kind, rdir, expr))
		if got := rowsOf(t, mustCompute(t, ctx, m)); len(want) < 10 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s merge then filter: %d rows, DuckDB has %d\n%v\n%v", tc.how, len(got), len(want), got, want)
		}
	}
	// Expressions not cut at their ANDs: BETWEEN, OR.
	for _, e := range []string{"id BETWEEN 10 AND 100", "y > 40 OR id BETWEEN 10 AND 100 AND v = 'v2'"} {
		m := L.Merge(R, []string{"id"}, "left", dataframe.Strategy(dataframe.StrategyShuffle)).Filter(e)
		want := plannerDuckDB(t, fmt.Sprintf("SELECT * FROM (SELECT id, l.k, l.x AS x_x, l.y, r.v, r.w, r.x AS x_y FROM read_parquet('%s/*.parquet') l LEFT JOIN read_parquet('%s/*.parquet') r USING (id)) WHERE %s", ldir, rdir, e))
		if got := rowsOf(t, mustCompute(t, ctx, m)); len(want) < 10 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("filter %q: %d rows, DuckDB has %d\n%s", e, len(got), len(want), m.Explain())
		}
	}
}

// TestSharedStepReadsWhatEveryReaderNeeds reads one reader in two
// branches that need different columns: it reads the columns of both
// (it read only the first branch's, and the second failed).
func TestSharedStepReadsWhatEveryReaderNeeds(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	ldir, _ := plannerData(t, c)
	X := dataframe.ReadParquet(c, ldir)
	m := X.Select("k").Merge(X.GroupBy("k").Agg(dataframe.Sum("x")), []string{"k"}, "inner", dataframe.Strategy(dataframe.StrategyShuffle))
	if ex := m.Explain(); strings.Count(ex, "ReadParquet") != 1 || !strings.Contains(ex, "columns=[k, x]") {
		t.Fatalf("the shared reader does not read k and x once:\n%s", ex)
	}
	want := plannerDuckDB(t, fmt.Sprintf("SELECT l.k, g.x_sum FROM read_parquet('%s/*.parquet') l JOIN (SELECT k, sum(x) AS x_sum FROM read_parquet('%s/*.parquet') GROUP BY k) g USING (k)", ldir, ldir))
	if got := rowsOf(t, mustCompute(t, ctx, m)); len(want) < 100 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%d rows, DuckDB %d", len(got), len(want))
	}
}

// Columns go down through Categorize too (it encodes the columns it
// finds): a pivot of three columns reads only those of a wider frame, and
// its result is the same.
func TestProjectionPushdownThroughCategorize(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rec := nullyData(t, 400)
	df, err := fromRecord(t, ctx, c, rec, 4).Assign("b", "i % 3").Categorize(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	p := df.PivotTable("b", "k", "x", dataframe.Sum)
	ex := p.Explain()
	if !strings.Contains(ex, "Categorize k") || strings.Contains(ex, "columns [all]") || !strings.Contains(ex, "columns [") {
		t.Fatalf("the columns the pivot does not read are still read under Categorize:\n%s", ex)
	}
	want := tableLines(t, duckTable(t, "PIVOT (SELECT i % 3 AS b, k, x FROM part) ON k IN ('k0', 'k1', 'k2', 'k3', 'k4') USING sum(x) GROUP BY b ORDER BY b", rec))
	if got := tableLines(t, mustCompute(t, ctx, p)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Steps the optimizer did not look through before (Concat, Sample) keep
// their inputs' rewrites: each frame of a Concat reads only the row groups
// its filter may keep, and the result is DuckDB's.
func TestPushdownBelowConcatAndSample(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	ldir, rdir := plannerData(t, c)
	L := dataframe.ReadParquet(c, ldir)
	cc := dataframe.Concat(L.Filter("id < 100"), L.Filter("id >= 500"))
	_, after := plannerPlans(t, cc)
	if strings.Count(after, "pruned-by=") != 2 {
		t.Fatalf("the filters under Concat do not reach their readers:\n%s", after)
	}
	want := plannerDuckDB(t, fmt.Sprintf("SELECT * FROM read_parquet('%[1]s/*.parquet') WHERE id < 100 UNION ALL SELECT * FROM read_parquet('%[1]s/*.parquet') WHERE id >= 500", ldir))
	if got := rowsOf(t, mustCompute(t, ctx, cc)); len(want) < 100 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Concat of filtered frames: %d rows, DuckDB has %d", len(got), len(want))
	}
	// The columns used above a Concat go down to each frame's reader: the
	// right frame lacks w (nulls in the result), and k and y are read by
	// neither.
	R := dataframe.ReadParquet(c, rdir)
	pc := dataframe.Concat(L.Filter("id < 100"), R.Filter("id >= 500")).Select("id", "x", "w")
	before, after := plannerPlans(t, pc)
	if strings.Count(before, "columns=[all]") != 2 || !strings.Contains(after, "columns=[id, x]") || !strings.Contains(after, "columns=[id, w, x]") {
		t.Fatalf("the columns used above Concat do not reach its readers:\nbefore %s\nafter %s", before, after)
	}
	want = plannerDuckDB(t, fmt.Sprintf("SELECT id, x, NULL FROM read_parquet('%s/*.parquet') WHERE id < 100 UNION ALL SELECT id, x, w FROM read_parquet('%s/*.parquet') WHERE id >= 500", ldir, rdir))
	if got := rowsOf(t, mustCompute(t, ctx, pc)); len(want) < 100 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Concat with a projection above: %d rows %v, DuckDB has %d %v", len(got), got[:2], len(want), want[:2])
	}
	// A filter above a Concat goes into each frame, down to its reader's
	// row groups, when every frame has its columns; over a column one
	// frame lacks it stays above.
	fc := dataframe.Concat(L, R).Filter("id < 60")
	if _, after := plannerPlans(t, fc); strings.Count(after, "pruned-by=") != 2 {
		t.Fatalf("the filter above Concat does not reach its readers:\n%s", after)
	}
	want = plannerDuckDB(t, fmt.Sprintf("SELECT id, k, x, y, NULL, NULL FROM read_parquet('%s/*.parquet') WHERE id < 60 UNION ALL SELECT id, NULL, x, NULL, v, w FROM read_parquet('%s/*.parquet') WHERE id < 60", ldir, rdir))
	if got := rowsOf(t, mustCompute(t, ctx, fc)); len(want) < 60 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Concat then Filter: %d rows %v, DuckDB has %d %v", len(got), got[:2], len(want), want[:2])
	}
	wc := dataframe.Concat(L, R).Filter("w > 10")
	if _, after := plannerPlans(t, wc); strings.Contains(after, "pruned-by=") {
		t.Fatalf("a filter on a column one frame lacks went below Concat:\n%s", after)
	}
	want = plannerDuckDB(t, fmt.Sprintf("SELECT id, NULL, x, NULL, v, w FROM read_parquet('%s/*.parquet') WHERE w > 10", rdir))
	if got := rowsOf(t, mustCompute(t, ctx, wc)); len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Concat then Filter on w: %d rows, DuckDB has %d", len(got), len(want))
	}
	// A Sample keeps its input's partitions (it draws per partition), so
	// only rewrites that keep them go below it; the result is the same
	// optimized or not.
	s := L.Assign("z", "x * 2").Sample(0.5, 7)
	got1 := rowsOf(t, mustCompute(t, ctx, s))
	got2 := rowsOf(t, mustCompute(t, ctx, s))
	if len(got1) == 0 || fmt.Sprint(got1) != fmt.Sprint(got2) {
		t.Fatalf("a sample drew %d rows, then %d", len(got1), len(got2))
	}
}

// TestMergeSideDropsColumnsOnlyItsFilterRead: a Filter moved into a side
// of a join passes on only the columns the join's result needs; the
// column it alone read (the right's v) is picked away below the join, not
// broadcast and gathered (it was, up to the Select above the join).
func TestMergeSideDropsColumnsOnlyItsFilterRead(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	ldir, rdir := plannerData(t, c)
	for _, strategy := range []string{dataframe.StrategyBroadcast, dataframe.StrategyShuffle} {
		m := dataframe.ReadParquet(c, ldir).Merge(dataframe.ReadParquet(c, rdir), []string{"id"}, "inner", dataframe.Strategy(strategy)).
			Filter("v = 'v1' AND y > 3").Select("id", "k", "w")
		_, after := plannerPlans(t, m)
		if !strings.Contains(after, "columns [id, w] (no copy)") || !strings.Contains(after, "columns=[id, v, w]") {
			t.Fatalf("%s: the right side passes on v, which only its filter reads:\n%s", strategy, after)
		}
		want := plannerDuckDB(t, fmt.Sprintf("SELECT id, l.k, r.w FROM read_parquet('%s/*.parquet') l JOIN read_parquet('%s/*.parquet') r USING (id) WHERE r.v = 'v1' AND l.y > 3", ldir, rdir))
		if got := rowsOf(t, mustCompute(t, ctx, m)); len(want) < 10 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: %d rows, DuckDB has %d", strategy, len(got), len(want))
		}
	}
}
