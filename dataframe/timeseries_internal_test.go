package dataframe

import (
	"encoding/json"
	"testing"
	"time"
)

// TestTimeseriesTasksCarryNoData checks that the plan of Timeseries holds,
// for each partition, only the numbers a worker makes it from: the one
// argument of its task.
func TestTimeseriesTasksCarryNoData(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	df := Timeseries(nil, start, start.Add(30*24*time.Hour), time.Second, 24*time.Hour, Seed(7))
	if df.Err() != nil {
		t.Fatal(df.Err())
	}
	n := df.n.(*timeseriesNode)
	parts, err := n.lower(nil)
	if err != nil || len(parts) != 30 || len(n.specs) != 30 {
		t.Fatalf("%d parts, %d specs (%v); want 30", len(parts), len(n.specs), err)
	}
	for i, sp := range n.specs {
		b, err := json.Marshal(sp)
		if err != nil || len(b) > 128 {
			t.Fatalf("partition %d's argument is %d bytes (%v): %s", i, len(b), err, b)
		}
		// The partition it makes holds a day of seconds.
		rec, err := timeseriesPartition(sp)
		if err != nil {
			t.Fatal(err)
		}
		if rec.NumRows() != 86400 {
			t.Fatalf("partition %d holds %d rows, want 86400", i, rec.NumRows())
		}
		rec.Release()
	}
}
