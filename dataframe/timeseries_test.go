package dataframe_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe"
)

func TestTimeseries(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(54 * time.Hour)
	freq := 7 * time.Minute
	df := dataframe.Timeseries(c, start, end, freq, 6*time.Hour, dataframe.Seed(42))
	if df.Err() != nil {
		t.Fatal(df.Err())
	}
	if df.NPartitions() != 9 {
		t.Fatalf("%d partitions, want 9", df.NPartitions())
	}
	if got := strings.Join(df.Columns(), ","); got != "timestamp,id,name,x,y" {
		t.Fatalf("columns %s", got)
	}
	d := df.Divisions()
	if d == nil || d.Column != "timestamp" || len(d.Bounds) != 10 {
		t.Fatalf("divisions %+v", d)
	}
	for i, b := range d.Bounds {
		if want := start.Add(time.Duration(i) * 6 * time.Hour).UnixMicro(); b != want {
			t.Fatalf("bound %d = %v, want %d", i, b, want)
		}
	}
	tbl := mustCompute(t, ctx, df)
	// A row every 7 minutes: ceil(54h / 7min).
	wantRows := int64((54*60 + 6) / 7)
	if tbl.NumRows() != wantRows {
		t.Fatalf("%d rows, want %d", tbl.NumRows(), wantRows)
	}
	chunks := tbl.Column(0).Data().Chunks()
	if len(chunks) != 9 {
		t.Fatalf("%d chunks, want one per partition", len(chunks))
	}
	next := start.UnixMicro()
	for p, ch := range chunks {
		ts := ch.(*array.Timestamp)
		lo, hi := d.Bounds[p].(int64), d.Bounds[p+1].(int64)
		for i := range ts.Len() {
			v := int64(ts.Value(i))
			if v != next || v < lo || v >= hi {
				t.Fatalf("partition %d row %d: timestamp %d, want %d in [%d, %d)", p, i, v, next, lo, hi)
			}
			next += freq.Microseconds()
		}
	}
	if next < end.UnixMicro() {
		t.Fatalf("rows stop at %d before the end %d", next, end.UnixMicro())
	}
	// Values in their ranges.
	lines := tableLines(t, tbl)
	for _, l := range lines {
		f := strings.Split(l, "|")
		var x, y float64
		var id int64
		fmt.Sscan(f[1], &id)
		fmt.Sscan(f[3], &x)
		fmt.Sscan(f[4], &y)
		if id < 800 || id > 1200 || x < -1 || x >= 1 || y < -1 || y >= 1 || f[2] == "" || f[2] == "null" {
			t.Fatalf("row out of range: %s", l)
		}
	}
	// The same seed makes the same table, another seed another one.
	again := tableLines(t, mustCompute(t, ctx, dataframe.Timeseries(c, start, end, freq, 6*time.Hour, dataframe.Seed(42))))
	if !slices.Equal(lines, again) {
		t.Fatal("the same seed made another table")
	}
	other := tableLines(t, mustCompute(t, ctx, dataframe.Timeseries(c, start, end, freq, 6*time.Hour, dataframe.Seed(43))))
	if slices.Equal(lines, other) {
		t.Fatal("another seed made the same table")
	}
	// Partitions of another size hold the same times (values differ: each
	// partition draws its own stream).
	n, err := dataframe.Timeseries(c, start, end, freq, 5*time.Hour).Len(ctx)
	if err != nil || n != wantRows {
		t.Fatalf("Len with 5h partitions = %d, %v; want %d", n, err, wantRows)
	}
	// The divisions' column works with the Dt functions (a timestamp
	// without a zone).
	hours := df.AssignExpr("h", dataframe.Col("timestamp").Dt().Hour()).FilterExpr(dataframe.Col("h").Eq(5)).Select("timestamp")
	got := mustCompute(t, ctx, hours)
	var want int64
	for v := start; v.Before(end); v = v.Add(freq) {
		if v.Hour() == 5 {
			want++
		}
	}
	if got.NumRows() != want {
		t.Fatalf("%d rows at hour 5, want %d", got.NumRows(), want)
	}
	if tp := got.Schema().Field(0).Type.(*arrow.TimestampType); tp.TimeZone != "" || tp.Unit != arrow.Microsecond {
		t.Fatalf("timestamp type %s", tp)
	}
	// A time constant compared with the naive timestamps, as UTC.
	cut := start.Add(10*time.Hour + 3*time.Minute)
	late, err := df.FilterExpr(dataframe.Col("timestamp").Ge(cut)).Len(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wantLate int64
	for v := start; v.Before(end); v = v.Add(freq) {
		if !v.Before(cut) {
			wantLate++
		}
	}
	if late != wantLate {
		t.Fatalf("%d rows at or after %s, want %d", late, cut, wantLate)
	}
}

func TestTimeseriesMistakes(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	wantErr(t, dataframe.Timeseries(c, start, start, time.Minute, time.Hour).Err(), "timeseries_test.go:", "Timeseries", "not after start")
	wantErr(t, dataframe.Timeseries(c, start, start.Add(time.Hour), 0, time.Hour).Err(), "freq 0s")
	wantErr(t, dataframe.Timeseries(c, start, start.Add(time.Hour), time.Nanosecond, time.Hour).Err(), "freq 1ns")
	wantErr(t, dataframe.Timeseries(c, start, start.Add(time.Hour), time.Second, -time.Hour).Err(), "partitionFreq -1h0m0s")
}
