package dataframe_test

import (
	"fmt"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// TestShuffleSpillsWithinTheWorkersBudget shuffles more data than the
// receivers may hold in memory (a quarter of each worker's limit): pieces
// go to disk, no receiver holds more than its budget and one message, and
// the result is right.
func TestShuffleSpillsWithinTheWorkersBudget(t *testing.T) {
	ctx := testContext(t)
	const limit = 16 << 20 // per worker; the receivers' budget is 4 MiB
	c := newCluster(t, ctx, dusk.LocalMemoryLimit(limit))
	rows := makeRows(400000, 50000, 20)
	for i := range rows {
		rows[i].ID = int64((i * 7919) % 50000)
	}
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(16))
	if err != nil {
		t.Fatal(err)
	}
	if b := df.EstimatedBytes(); b < 2*limit/4 {
		t.Fatalf("the data (%d bytes) would not need the receivers to spill", b)
	}
	before := shuffle.LocalStats()
	si, err := df.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds[int64](0, 10000, 20000, 30000, 40000, 49999)))
	if err != nil {
		t.Fatal(err)
	}
	tbl, ran := ranIndexed(t, ctx, si)
	checkSorted(t, tbl, 0, ran)
	if tbl.NumRows() != int64(len(rows)) {
		t.Fatalf("%d rows after the shuffle, want %d", tbl.NumRows(), len(rows))
	}
	after := shuffle.LocalStats()
	if after.Spilled <= before.Spilled {
		t.Fatal("the receivers did not spill")
	}
	// In-process workers share this process: Peak is the most one of them
	// held, at most its budget plus the message that tipped it over.
	if budget := int64(limit / 4); after.Peak > budget+(9<<20) {
		t.Fatalf("a receiver held %d bytes, over its budget %d and one message", after.Peak, budget)
	}
	if got, want := rowsOf(t, tbl), rowsOf(t, mustCompute(t, ctx, df)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatal("rows differ after a shuffle that spilled")
	}
}
