package main

import (
	"context"
	"os"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/bench/internal/benchcheck"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/internal/testcluster"
)

// TestMain lets the test binary serve as the benchmark's worker processes.
func TestMain(m *testing.M) {
	dusk.Main()
	os.Exit(m.Run())
}

// TestAdvisorFindsNothing runs the out-of-core workload at a small size
// (1 GiB in 8 MiB partitions through two worker processes of 384 MiB) under a performance
// report: the advisor has no warning about it but two that are the
// benchmark's subject: it persists three times what the workers may hold,
// so they spill (spilling) and, while the disk takes the data, pause
// (paused).
func TestAdvisorFindsNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory is memory no stored result holds, so the advisor rightly calls it unmanaged; make test runs this test without -race")
	}
	ctx := testcluster.Context(t)
	c := testcluster.New(t, ctx, nil, dusk.LocalProcesses(), dusk.LocalWorkers(2), dusk.LocalThreads(1),
		dusk.LocalMemoryLimit(512<<20), dusk.LocalDirectory(t.TempDir()), dusk.LocalConfig(config.New()))
	specs := make([]partSpec, 48)
	for i := range specs {
		specs[i] = partSpec{Seed: i, Size: 32 << 20}
	}
	benchcheck.Check(t, ctx, c, "out of core", func(ctx context.Context) error {
		parts, err := persistParts(ctx, c, specs)
		if err != nil {
			return err
		}
		got, err := reduceParts(ctx, c, parts)
		if err != nil {
			return err
		}
		if want := expectedTotal(specs); got != want {
			t.Errorf("total %d, want %d", got, want)
		}
		return nil
	}, "spilling", "paused")
}
