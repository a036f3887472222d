package dataframe_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk/dataframe"
)

func TestResampleMatchesDuckDBTimeBucket(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeTSRows(150)
	// Partitions of 3, 2, 0, 1, 34, 1, 59, 49 and 1 rows: hour bins cross
	// several of them.
	b := []any{micros(rows, 0), micros(rows, 3), micros(rows, 5), micros(rows, 5), micros(rows, 6), micros(rows, 40), micros(rows, 41), micros(rows, 100), micros(rows, 149), micros(rows, 149) + int64(time.Hour/time.Microsecond)}
	si := tsFrame(t, ctx, c, rows, "t", b...)
	db := openDuckDB(t)
	duckdbTable(t, db, "t", rows)
	for _, f := range []struct{ freq, interval string }{{"1h", "1 hour"}, {"7m", "7 minutes"}, {"1d", "1 day"}, {"25m", "25 minutes"}} {
		out := si.Resample(f.freq).Agg(dataframe.Sum("x"), dataframe.Mean("x"), dataframe.Count("x"), dataframe.Min("v"), dataframe.Max("v"), dataframe.Std("x"), dataframe.Sum("v"), dataframe.NUnique("g"))
		if err := out.Err(); err != nil {
			t.Fatal(err)
		}
		if ex := out.Explain(); !strings.Contains(ex, "Resample "+f.freq+" on t") {
			t.Fatalf("Explain:\n%s", ex)
		}
		tbl := mustCompute(t, ctx, out)
		want := duckdbRows(t, db, fmt.Sprintf(`SELECT epoch_us(time_bucket(INTERVAL '%s', t)) AS b, sum(x), avg(x), count(x), min(v), max(v), stddev_samp(x), sum(v), count(DISTINCT g)
			FROM t GROUP BY b ORDER BY b`, f.interval))
		sameRows(t, "Resample("+f.freq+")", windowLines(tbl), want)
		// The result is sorted with divisions that hold every partition.
		d := out.Divisions()
		if d == nil || d.Column != "t" || len(d.Bounds) != si.NPartitions()+1 {
			t.Fatalf("Resample(%s): divisions %v", f.freq, d)
		}
		chunks := tbl.Column(0).Data().Chunks()
		for p, ch := range chunks {
			lo, hi := d.Bounds[p].(int64), d.Bounds[p+1].(int64)
			for i := range ch.Len() {
				us, err := strconv.ParseInt(windowCell(ch, i), 10, 64)
				if err != nil || us < lo || us > hi || (p < len(chunks)-1 && us == hi) {
					t.Fatalf("Resample(%s): partition %d holds bin %s, outside [%d, %d)", f.freq, p, windowCell(ch, i), lo, hi)
				}
			}
		}
	}
}

func TestResampleErrors(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeTSRows(20)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, df.Resample("1h").Agg(dataframe.Sum("x")).Err(), "resample_test.go:", "Resample", "SetIndex first")
	byID := tsFrame(t, ctx, c, rows, "id", 0, 10, 19)
	wantErr(t, byID.Resample("1h").Agg(dataframe.Sum("x")).Err(), "Resample", "timestamp index", `"id"`)
	byT := tsFrame(t, ctx, c, rows, "t", micros(rows, 0), micros(rows, 10), micros(rows, 19))
	wantErr(t, byT.Resample("hourly").Agg(dataframe.Sum("x")).Err(), "Resample", `freq "hourly"`)
	wantErr(t, byT.Resample("-1h").Agg(dataframe.Sum("x")).Err(), "Resample", "positive")
	wantErr(t, byT.Resample("1h").Agg(dataframe.Sum("nope")).Err(), `no column "nope"`)
	wantErr(t, byT.Resample("1h").Agg(dataframe.Sum("x").As("t")).Err(), `"t"`, "As")
	wantErr(t, byT.Resample("1h").Agg().Err(), "no aggregations")
	wantErr(t, byT.Assign("__dusk_bucket", "1").Resample("1h").Agg(dataframe.Sum("x")).Err(), "Resample", `"__dusk_bucket"`, "rename it")
}

// nullTimeRow is a row whose timestamp may be null.
type nullTimeRow struct {
	T *time.Time `df:"t"`
	X float64    `df:"x"`
}

// Rows with a null timestamp (SetIndex places them last) are left out of
// Resample's bins, and form their own window (of peers) in Rolling, as in
// DuckDB.
func TestResampleAndRollingWithNullTimestamps(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	base := makeTSRows(60)
	var rows []nullTimeRow
	var vals []string
	for i, r := range base {
		tr := r.T
		row := nullTimeRow{T: &tr, X: r.X}
		lit := fmt.Sprintf("make_timestamp(%d::BIGINT)::TIMESTAMPTZ", tr.UnixMicro())
		if i%7 == 3 {
			row.T, lit = nil, "NULL"
		}
		rows = append(rows, row)
		vals = append(vals, fmt.Sprintf("(%s, %v)", lit, r.X))
	}
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(3))
	if err != nil {
		t.Fatal(err)
	}
	si, err := df.SetIndex(ctx, "t", dataframe.WithDivisions(micros(base, 0), micros(base, 10), micros(base, 11), micros(base, 30), micros(base, 59)))
	if err != nil {
		t.Fatal(err)
	}
	db := openDuckDB(t)
	if _, err := db.Exec("SET TimeZone = 'UTC'; CREATE TABLE t (t TIMESTAMPTZ, x DOUBLE); INSERT INTO t VALUES " + strings.Join(vals, ", ")); err != nil {
		t.Fatal(err)
	}
	want := duckdbRows(t, db, `SELECT epoch_us(time_bucket(INTERVAL '1 hour', t)) AS b, sum(x), count(*) FROM t WHERE t IS NOT NULL GROUP BY b ORDER BY b`)
	sameRows(t, "Resample with null timestamps", windowLines(mustCompute(t, ctx, si.Resample("1h").Agg(dataframe.Sum("x"), dataframe.Count("x")))), want)
	want = duckdbRows(t, db, `SELECT epoch_us(t), sum(x) OVER w, count(x) OVER w FROM t WINDOW w AS (ORDER BY t RANGE BETWEEN INTERVAL 1 HOUR PRECEDING AND CURRENT ROW) ORDER BY t NULLS LAST`)
	sameRows(t, "Rolling with null timestamps", windowLines(mustCompute(t, ctx, si.Rolling(dataframe.TimeWindow("1h")).Agg(dataframe.Sum("x"), dataframe.Count("x")))), want)
}
