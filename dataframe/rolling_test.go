package dataframe_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk/dataframe"
)

// The layouts of the window tests: 200 rows (ids 0 to 199) in 10
// partitions of 15, 1, 1, 2, 20, 0, 0, 11, 20 and 20 rows, and 150 rows in
// 10 partitions of 3, 2, 1, 15, 0, 0, 13, 15, 15 and 15 rows.
const (
	keep200       = "id < 14 OR id = 19 OR id IN (21, 45, 60, 61) OR (id >= 80 AND id < 100) OR (id >= 140 AND id < 150) OR id >= 159"
	keep200Layout = "[15 1 1 2 20 0 0 11 20 20]"
	keep150       = "id < 3 OR id IN (17, 18, 33) OR (id >= 45 AND id < 60) OR (id >= 90 AND id NOT IN (100, 101))"
	keep150Layout = "[3 2 1 15 0 0 13 15 15 15]"
)

func TestRollingRowWindowMatchesDuckDBAcrossEdges(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeTSRows(200)
	// A 5-row window spans several small and empty partitions.
	si := sortedFrame(t, ctx, c, rows, "id", 10, keep200)
	out := si.Rolling(dataframe.RowWindow(5)).Agg(dataframe.Sum("x"), dataframe.Mean("x"), dataframe.Min("v"), dataframe.Max("v"), dataframe.Count("x"), dataframe.Std("x"), dataframe.Sum("v").As("vs"))
	if err := out.Err(); err != nil {
		t.Fatal(err)
	}
	if ex := out.Explain(); !strings.Contains(ex, "Rolling 5 rows on id") || !strings.Contains(ex, "rows borrowed from the partitions before") {
		t.Fatalf("Explain:\n%s", ex)
	}
	if d := out.Divisions(); d == nil || d.Column != "id" {
		t.Fatalf("Rolling lost the divisions: %v", d)
	}
	tbl := mustCompute(t, ctx, out)
	if got := fmt.Sprint(partitionRows(tbl)); got != keep200Layout {
		t.Fatalf("partitions of %s rows, want %s", got, keep200Layout)
	}
	db := openDuckDB(t)
	duckdbTable(t, db, "t", rows)
	keepRows(t, db, "t", keep200)
	want := duckdbRows(t, db, `SELECT id, sum(x) OVER w, avg(x) OVER w, min(v) OVER w, max(v) OVER w, count(x) OVER w, stddev_samp(x) OVER w, sum(v) OVER w
		FROM t WINDOW w AS (ORDER BY id ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) ORDER BY id`)
	sameRows(t, "Rolling(RowWindow(5))", windowLines(tbl), want)
	if got := fmt.Sprint(out.Columns()); got != "[id x_sum x_mean v_min v_max x_count x_std vs]" {
		t.Fatalf("columns %s", got)
	}

	// A window longer than all the partitions before it together.
	long := mustCompute(t, ctx, si.Rolling(dataframe.RowWindow(60)).Agg(dataframe.Sum("v")))
	want = duckdbRows(t, db, `SELECT id, sum(v) OVER (ORDER BY id ROWS BETWEEN 59 PRECEDING AND CURRENT ROW) FROM t ORDER BY id`)
	sameRows(t, "Rolling(RowWindow(60))", windowLines(long), want)
}

func TestRollingTimeWindowMatchesDuckDBAcrossEdges(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeTSRows(150)
	// Small and empty partitions: windows of 1h and 4h span several.
	si := sortedFrame(t, ctx, c, rows, "t", 10, keep150)
	db := openDuckDB(t)
	duckdbTable(t, db, "t", rows)
	keepRows(t, db, "t", keep150)
	for _, w := range []struct{ span, interval string }{{"1h", "1 HOUR"}, {"4h", "4 HOURS"}} {
		out := si.Rolling(dataframe.TimeWindow(w.span)).Agg(dataframe.Sum("x"), dataframe.Count("x"), dataframe.Max("v"), dataframe.Std("x"), dataframe.Mean("v"))
		tbl := mustCompute(t, ctx, out)
		if got := fmt.Sprint(partitionRows(tbl)); got != keep150Layout {
			t.Fatalf("partitions of %s rows, want %s", got, keep150Layout)
		}
		want := duckdbRows(t, db, fmt.Sprintf(`SELECT epoch_us(t), sum(x) OVER w, count(x) OVER w, max(v) OVER w, stddev_samp(x) OVER w, avg(v) OVER w
			FROM t WINDOW w AS (ORDER BY t RANGE BETWEEN INTERVAL %s PRECEDING AND CURRENT ROW) ORDER BY t`, w.interval))
		sameRows(t, "Rolling(TimeWindow("+w.span+"))", windowLines(tbl), want)
	}

	// A window of a day reaches back over every partition.
	day := mustCompute(t, ctx, si.Rolling(dataframe.TimeWindow("1d")).Agg(dataframe.Count("x")))
	want := duckdbRows(t, db, `SELECT epoch_us(t), count(x) OVER (ORDER BY t RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND CURRENT ROW) FROM t ORDER BY t`)
	sameRows(t, `Rolling(TimeWindow("1d"))`, windowLines(day), want)
}

func TestRollingErrors(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeTSRows(20)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, df.Rolling(dataframe.RowWindow(3)).Agg(dataframe.Sum("x")).Err(), "rolling_test.go:", "Rolling", "SetIndex first")
	si := sortedFrame(t, ctx, c, rows, "id", 2, "")
	wantErr(t, si.Rolling(dataframe.TimeWindow("1h")).Agg(dataframe.Sum("x")).Err(), "timestamp index", `"id"`)
	wantErr(t, si.Rolling(dataframe.RowWindow(0)).Agg(dataframe.Sum("x")).Err(), "RowWindow(0)")
	wantErr(t, si.Rolling(dataframe.TimeWindow("an hour")).Agg(dataframe.Sum("x")).Err(), `TimeWindow("an hour")`, "Go duration")
	wantErr(t, si.Rolling(dataframe.RowWindow(3)).Agg(dataframe.Sum("nope")).Err(), `no column "nope"`)
	wantErr(t, si.Rolling(dataframe.RowWindow(3)).Agg(dataframe.NUnique("x")).Err(), "no windowed form")
	wantErr(t, si.Rolling(dataframe.RowWindow(3)).Agg(dataframe.Sum("x"), dataframe.Max("x").As("x_sum")).Err(), `"x_sum"`, "As")
	wantErr(t, si.Rolling(dataframe.RowWindow(3)).Agg(dataframe.Sum("g")).Err(), "Rolling.Agg")
	wantErr(t, si.Assign("__dusk_halo_pos", "1").Rolling(dataframe.RowWindow(3)).Agg(dataframe.Sum("x")).Err(), "Rolling", `"__dusk_halo_pos"`, "rename it")
}

// Divisions from Sorted() let rows of one timestamp continue into the next
// partition; they are peers in a time window (SQL's RANGE frame), so the
// window of the last rows of a partition takes in the first rows of the
// next.
func TestRollingTimeWindowPeersAcrossSortedEdges(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeTSRows(40)
	for i := range rows {
		rows[i].T = tsBase.Add(time.Duration(i) * 10 * time.Minute)
	}
	rows[10].T, rows[11].T = rows[9].T, rows[9].T
	rows[20].T = rows[19].T
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	si, err := df.SetIndex(ctx, "t", dataframe.Sorted())
	if err != nil {
		t.Fatal(err)
	}
	tbl := mustCompute(t, ctx, si.Rolling(dataframe.TimeWindow("30m")).Agg(dataframe.Sum("x"), dataframe.Count("x")))
	if got := fmt.Sprint(partitionRows(tbl)); got != "[10 10 10 10]" {
		t.Fatalf("partitions of %s rows", got)
	}
	db := openDuckDB(t)
	duckdbTable(t, db, "t", rows)
	want := duckdbRows(t, db, `SELECT epoch_us(t), sum(x) OVER w, count(x) OVER w FROM t
		WINDOW w AS (ORDER BY t RANGE BETWEEN INTERVAL 30 MINUTES PRECEDING AND CURRENT ROW) ORDER BY t`)
	sameRows(t, `Rolling(TimeWindow("30m")) over Sorted() divisions`, windowLines(tbl), want)
}

// A row window of Sum, Mean, Min, Max and Count over int64 and float64
// columns is computed in Go (Explain says so): the same rows as DuckDB's
// window functions across small and empty partitions, with nulls, NaN,
// windows that hold only nulls, and an int64 sum that overflows (an
// error, as in DuckDB).
func TestRollingRowWindowInGoMatchesDuckDB(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeTSRows(200)
	const xn = "CASE WHEN id % 7 = 3 OR (id >= 100 AND id < 150) THEN NULL WHEN id = 45 THEN 'NaN'::DOUBLE ELSE x END"
	const vn = "CASE WHEN id % 5 = 1 OR (id >= 100 AND id < 150) THEN NULL ELSE v - 14 END"
	si := sortedFrame(t, ctx, c, rows, "id", 10, keep200).Assign("xn", xn).Assign("vn", vn)
	db := openDuckDB(t)
	duckdbTable(t, db, "t", rows)
	keepRows(t, db, "t", keep200)
	for _, n := range []int{1, 3, 7, 60} {
		out := si.Rolling(dataframe.RowWindow(n)).Agg(dataframe.Sum("xn"), dataframe.Mean("xn"), dataframe.Min("xn"), dataframe.Max("xn"), dataframe.Count("xn"),
			dataframe.Sum("vn"), dataframe.Mean("vn"), dataframe.Min("vn"), dataframe.Max("vn"), dataframe.Count("vn"))
		if ex := out.Explain(); !strings.Contains(ex, "computed in Go") {
			t.Fatalf("Explain:\n%s", ex)
		}
		tbl := mustCompute(t, ctx, out)
		if got := fmt.Sprint(partitionRows(tbl)); got != keep200Layout {
			t.Fatalf("partitions of %s rows, want %s", got, keep200Layout)
		}
		want := duckdbRows(t, db, fmt.Sprintf(`SELECT id, sum(xn) OVER w, avg(xn) OVER w, min(xn) OVER w, max(xn) OVER w, count(xn) OVER w,
			(sum(vn) OVER w)::BIGINT, avg(vn::DOUBLE) OVER w, min(vn) OVER w, max(vn) OVER w, count(vn) OVER w
			FROM (SELECT id, %s AS xn, %s AS vn FROM t) WINDOW w AS (ORDER BY id ROWS BETWEEN %d PRECEDING AND CURRENT ROW) ORDER BY id`, xn, vn, n-1))
		sameRows(t, fmt.Sprintf("Rolling(RowWindow(%d)) in Go", n), windowLines(tbl), want)
	}
	if ex := si.Rolling(dataframe.RowWindow(3)).Agg(dataframe.Std("xn")).Explain(); strings.Contains(ex, "computed in Go") {
		t.Fatalf("Std is DuckDB's; Explain:\n%s", ex)
	}
	big := si.Assign("big", "CASE WHEN id = 61 THEN 9223372036854775800 ELSE v + 10 END")
	_, err := big.Rolling(dataframe.RowWindow(3)).Agg(dataframe.Sum("big")).Compute(ctx)
	wantErr(t, err, "BIGINT")
}
