package dataframe_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// killOnce kills the worker process it runs in, once across the cluster
// (the first task to take the marker file), after that worker's shuffle
// receiver holds some pieces: a worker lost in the middle of a shuffle.
var killOnce = dusk.Register("dftest.kill-once", func(ctx context.Context, rec arrow.RecordBatch, marker string) (arrow.RecordBatch, error) {
	if marker == "" || rec.NumRows() == 0 {
		return rec, nil
	}
	if err := os.Rename(marker, marker+".taken"); err != nil {
		return rec, nil // another task took it, or it ran already
	}
	// Wait (bounded) until pieces of the shuffle reached this worker.
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if st := shuffle.LocalStats(); st.InMemory+st.Spilled > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := os.WriteFile(marker+".killed", []byte(fmt.Sprint(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // not reached
})

// TestShuffleAcrossProcessesSurvivesAKilledWorker runs a range shuffle
// between worker processes of this test binary, and kills one of them in
// the middle of it: the computation starts again and its result is right.
func TestShuffleAcrossProcessesSurvivesAKilledWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalProcesses(), dusk.LocalWorkers(2), dusk.LocalThreads(2))
	pids := c.Local().PIDs()
	dir := t.TempDir()
	rows := makeRows(40000, 1000, 9)
	for i := range rows {
		rows[i].ID = int64((i * 7919) % 1000)
	}
	for f := range 8 {
		writeCSV(t, dir, fmt.Sprintf("part-%d.csv", f), rows[f*5000:(f+1)*5000])
	}
	df := dataframe.ReadCSV(c, filepath.Join(dir, "*.csv"))

	// First without a kill: the pieces travel between processes.
	si, err := df.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds[int64](0, 100, 250, 400, 600, 800, 999)))
	if err != nil {
		t.Fatal(err)
	}
	want := rowsOf(t, mustCompute(t, ctx, df))
	tbl, ran := ranIndexed(t, ctx, si)
	checkSorted(t, tbl, 0, ran)
	if got := rowsOf(t, tbl); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatal("the shuffled rows differ from the input's")
	}

	// Then kill a worker mid-shuffle.
	marker := filepath.Join(dir, "kill")
	writeFile(t, marker, "")
	restarts := dataframe.ShuffleRestarts()
	killing := df.MapPartitions(killOnce, dataframe.Args(marker))
	si2, err := killing.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds[int64](0, 100, 250, 400, 600, 800, 999)))
	if err != nil {
		t.Fatal(err)
	}
	tbl2, ran2 := ranIndexed(t, ctx, si2)
	if _, err := os.Stat(marker + ".killed"); errors.Is(err, os.ErrNotExist) {
		t.Fatal("no worker was killed")
	}
	checkSorted(t, tbl2, 0, ran2)
	if got := rowsOf(t, tbl2); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatal("after a worker was killed mid-shuffle the rows differ from the input's")
	}
	if dataframe.ShuffleRestarts() <= restarts {
		t.Fatal("the shuffle did not start again")
	}
	killed := readFile(t, marker+".killed")
	found := false
	for _, pid := range pids {
		found = found || fmt.Sprint(pid) == killed
	}
	if !found {
		t.Fatalf("killed process %s is not one of the workers %v", killed, pids)
	}
}
