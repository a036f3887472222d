package main

import (
	"context"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/bench/internal/benchcheck"
	"github.com/dusk-go/dusk/internal/testcluster"
)

// TestAdvisorFindsNothing runs every workload at the -quick sizes under a
// performance report: the advisor must have no warning about them but
// tiny-tasks, which is this benchmark's subject (it measures what a task
// of trivial work costs the engine, so its tasks are tiny on purpose).
func TestAdvisorFindsNothing(t *testing.T) {
	ctx := testcluster.Context(t)
	c := testcluster.New(t, ctx, nil, dusk.LocalWorkers(2), dusk.LocalThreads(1))
	cfg := config{nMap: 2000, nTree: 2000, fanIn: 8, nChain: 100, nMerge: 2000}
	for _, w := range workloads(cfg) {
		benchcheck.Check(t, ctx, c, w.name, func(ctx context.Context) error { return w.run(ctx, c) }, "tiny-tasks")
	}
}

// The machine's idle share is a fraction, and quiesce returns within its
// limit whatever the machine does.
func TestIdleShare(t *testing.T) {
	if _, _, ok := cpuTimes(); !ok {
		t.Skip("no /proc/stat")
	}
	idle := idleOver(100 * time.Millisecond)
	if idle < 0 || idle > 1 {
		t.Fatalf("idle share %v, want a fraction", idle)
	}
	if got := quiesce(1.01, 0); got < 0 || got > 1 { // never reached: one sample, then the limit
		t.Fatalf("quiesce = %v, want the last sample's share", got)
	}
}
