package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/bench/internal/benchcheck"
	"github.com/dusk-go/dusk/internal/testcluster"
)

// TestAdvisorFindsNothing runs dusk's twelve workloads on 400,000 generated
// rows in 10 files (the merges take a tenth of the partitions), each under
// a performance report: the advisor has no warning about any. (The program's flags say where the data and the
// written Parquet go: the test points them at its own directory.)
func TestAdvisorFindsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("generates data and runs eight dataframe workloads")
	}
	dir := t.TempDir()
	*dataFlag = filepath.Join(dir, "data")
	*outFlag = filepath.Join(dir, "results", "dataframe.json")
	if err := generate(*dataFlag, 400_000, 10); err != nil {
		t.Fatal(err)
	}
	if err := generatePlanner(*dataFlag, 400_000); err != nil {
		t.Fatal(err)
	}
	ctx := testcluster.Context(t)
	c := testcluster.New(t, ctx, nil, dusk.LocalWorkers(2), dusk.LocalThreads(1))
	err := runDuskOn(ctx, c, func(name string, f func() (string, error)) error {
		benchcheck.Check(t, ctx, c, name, func(context.Context) error {
			summary, err := f()
			t.Logf("%s: %s", name, summary)
			return err
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
