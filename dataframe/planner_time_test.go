package dataframe_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe"
)

// plannerEvent has a timestamp column (microseconds, UTC).
type plannerEvent struct {
	At time.Time `df:"at"`
	N  int64     `df:"n"`
}

// TestTimeDivisionsAndLoc sets an index on a timestamp column with
// divisions given as times, and selects a range of it with Loc.
func TestTimeDivisionsAndLoc(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []plannerEvent
	for i := range 500 {
		evs = append(evs, plannerEvent{At: t0.Add(time.Duration((i*37)%500) * time.Hour), N: int64(i)})
	}
	df, err := dataframe.FromRecords(ctx, c, evs, dataframe.Partitions(3))
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	si, err := df.SetIndex(ctx, "at", dataframe.WithDivisions(dataframe.Bounds(t0, t0.Add(5*day), t0.Add(10*day), t0.Add(30*day))))
	if err != nil {
		t.Fatal(err)
	}
	d := si.Divisions()
	if want := t0.Add(30 * day).UnixMicro(); d.Bounds[0] != t0.UnixMicro() || d.Bounds[3] != want {
		t.Fatalf("divisions %v; want them from %d to %d (microseconds)", d.Bounds, t0.UnixMicro(), want)
	}
	tbl, ran := ranIndexed(t, ctx, si)
	checkTimesWithin(t, tbl, ran)
	lo, hi := t0.Add(6*day), t0.Add(8*day)
	loc := si.Loc(lo, hi)
	if loc.NPartitions() != 1 {
		t.Fatalf("Loc over one partition's range: %d partitions\n%s", loc.NPartitions(), loc.Explain())
	}
	var want []string
	for _, e := range evs {
		if !e.At.Before(lo) && !e.At.After(hi) {
			want = append(want, fmt.Sprint(e.N))
		}
	}
	got := rowsOf(t, mustCompute(t, ctx, loc.Select("n")))
	if len(want) != 49 || fmt.Sprint(got) != fmt.Sprint(plannerSorted(want)) {
		t.Fatalf("Loc(%s, %s): %d rows, want %d", lo, hi, len(got), len(want))
	}
	_, err = df.SetIndex(ctx, "at", dataframe.WithDivisions(dataframe.Bounds(t0, t0.Add(time.Nanosecond))))
	wantErr(t, err, `column "at"`, "finer")
	wantErr(t, si.Loc(int64(1), int64(2)).Err(), "Loc", "Bounds[time.Time]")
}

// checkTimesWithin checks that every partition's times (column 0) lie
// within its divisions.
func checkTimesWithin(t *testing.T, tbl arrow.Table, d *dataframe.Divisions) {
	t.Helper()
	for p, ch := range tbl.Column(0).Data().Chunks() {
		lo, hi := d.Bounds[p].(int64), d.Bounds[p+1].(int64)
		for _, v := range ch.(*array.Timestamp).TimestampValues() {
			if int64(v) < lo || int64(v) > hi {
				t.Fatalf("partition %d holds %d, outside [%d, %d]", p, v, lo, hi)
			}
		}
	}
}
