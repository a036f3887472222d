//go:build linux

package dusk_test

import (
	"os"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/internal/incompressible"
	"github.com/dusk-go/dusk/internal/testdisk"
)

// TestFaultSuiteFullSpillDisk gives the workers a spill directory on a 4
// MiB file system and more data than fits under their target: spilling
// fails with the disk full, and the workers say so (SpillFailed) and pause
// rather than lose anything or die; the data they hold reads back intact;
// released, they resume; no partial file is left on the disk.
func TestFaultSuiteFullSpillDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	disk := testdisk.Small(t, 4<<20)
	ctx := memoryContext(t)
	cfg := config.New()
	for k, v := range map[string]any{"worker.memory.target": 0.3, "worker.memory.spill": 0.3, "worker.memory.pause": 0.5} {
		if err := cfg.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	c, err := dusk.Connect(ctx, "", dusk.LocalProcesses(), dusk.LocalWorkers(2), dusk.LocalThreads(1),
		dusk.LocalMemoryLimit(256*mib), dusk.LocalDirectory(disk), dusk.LocalConfig(cfg),
		dusk.LocalDashboard("off"), dusk.Logger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	// 12 partitions of 8 MiB on each worker: 96 MiB, past its 77 MiB target.
	ps := specs(24, 8*mib)
	fs := make([]*dusk.Future[[]byte], len(ps))
	for i, p := range ps {
		f, err := dusk.Submit[[]byte](ctx, c, faultBlob.With(dusk.Workers("worker-"+itoa(i%2))), "", p)
		if err != nil {
			t.Fatal(err)
		}
		fs[i] = f
	}
	waitUntil(t, ctx, "a worker reports that spilling failed", func() bool {
		for _, w := range workersNow(t, ctx, c) {
			if w.Memory.SpillFailed {
				return true
			}
		}
		return false
	})
	// What finished is intact, in memory or in the files that fit.
	var held []*dusk.Future[[]byte]
	var heldSpecs []partSpec
	for i, f := range fs {
		if f.Status() == dusk.Finished {
			held = append(held, f)
			heldSpecs = append(heldSpecs, ps[i])
		}
	}
	if len(held) == 0 {
		t.Fatal("no partition finished before spilling failed")
	}
	for i, f := range held {
		b, err := f.Result(ctx)
		if err != nil {
			t.Fatalf("reading a partition held by a worker whose disk is full: %v", err)
		}
		if got, want := incompressible.CRC(b), expectedCRCs(heldSpecs[i : i+1])[0]; got != want {
			t.Fatalf("partition %d read back with checksum %08x, want %08x", i, got, want)
		}
	}
	// Released, the workers run again.
	all := make([]dusk.Keyer, len(fs))
	for i, f := range fs {
		all[i] = f
	}
	if err := c.Cancel(ctx, all...); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "the workers hold nothing and run", func() bool {
		for _, w := range workersNow(t, ctx, c) {
			if w.Status != "running" || w.NBytes != 0 {
				return false
			}
		}
		return true
	})
	if f, err := dusk.Submit[int](ctx, c, faultSquare, "", 3); err != nil {
		t.Fatal(err)
	} else if v, err := f.Result(ctx); err != nil || v != 9 {
		t.Fatalf("after the disk filled, square(3) = %v, %v", v, err)
	}
	pids := c.Local().PIDs()
	c.Close()
	if left := leftBehind(t, disk, pids); len(left) > 0 {
		t.Fatalf("left behind after the cluster closed: %v", left)
	}
	if ents, _ := os.ReadDir(disk); len(ents) > 0 {
		t.Fatalf("files left on the full disk: %v", ents)
	}
}
