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
	// Small and empty partitions: bins cross several of them.
	si := sortedFrame(t, ctx, c, rows, "t", 10, keep150)
	db := openDuckDB(t)
	duckdbTable(t, db, "t", rows)
	keepRows(t, db, "t", keep150)
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
	byID := sortedFrame(t, ctx, c, rows, "id", 2, "")
	wantErr(t, byID.Resample("1h").Agg(dataframe.Sum("x")).Err(), "Resample", "timestamp index", `"id"`)
	byT := sortedFrame(t, ctx, c, rows, "t", 2, "")
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

// Rows with a null timestamp (last, where SetIndex places them) are left
// out of Resample's bins, and form their own window (of peers) in Rolling,
// as in DuckDB.
func TestResampleAndRollingWithNullTimestamps(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	base := makeTSRows(60)
	var rows, nulls []nullTimeRow
	var vals []string
	for i, r := range base {
		tr := r.T
		lit := fmt.Sprintf("make_timestamp(%d::BIGINT)::TIMESTAMPTZ", tr.UnixMicro())
		if i%7 == 3 {
			nulls = append(nulls, nullTimeRow{X: r.X})
			lit = "NULL"
		} else {
			rows = append(rows, nullTimeRow{T: &tr, X: r.X})
		}
		vals = append(vals, fmt.Sprintf("(%s, %v)", lit, r.X))
	}
	si := sortedFrame(t, ctx, c, append(rows, nulls...), "t", 4, "")
	db := openDuckDB(t)
	if _, err := db.Exec("SET TimeZone = 'UTC'; CREATE TABLE t (t TIMESTAMPTZ, x DOUBLE); INSERT INTO t VALUES " + strings.Join(vals, ", ")); err != nil {
		t.Fatal(err)
	}
	want := duckdbRows(t, db, `SELECT epoch_us(time_bucket(INTERVAL '1 hour', t)) AS b, sum(x), count(*) FROM t WHERE t IS NOT NULL GROUP BY b ORDER BY b`)
	sameRows(t, "Resample with null timestamps", windowLines(mustCompute(t, ctx, si.Resample("1h").Agg(dataframe.Sum("x"), dataframe.Count("x")))), want)
	want = duckdbRows(t, db, `SELECT epoch_us(t), sum(x) OVER w, count(x) OVER w FROM t WINDOW w AS (ORDER BY t RANGE BETWEEN INTERVAL 1 HOUR PRECEDING AND CURRENT ROW) ORDER BY t NULLS LAST`)
	sameRows(t, "Rolling with null timestamps", windowLines(mustCompute(t, ctx, si.Rolling(dataframe.TimeWindow("1h")).Agg(dataframe.Sum("x"), dataframe.Count("x")))), want)
}
