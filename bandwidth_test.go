package dusk_test

import (
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/internal/incompressible"
)

// A worker that fetches a value of a few megabytes from another reports
// the rate it reached in its heartbeats (Client.Workers shows it), and
// the worker that only served it reports none: the scheduler weighs
// transfers with what the workers measure, not only scheduler.bandwidth.
func TestWorkersReportTheBandwidthTheirFetchesReach(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(2), dusk.LocalThreads(1))
	ws := workersNow(t, ctx, c)
	if len(ws) != 2 {
		t.Fatalf("%d workers, want 2", len(ws))
	}
	from, to := ws[0], ws[1]
	for _, w := range ws {
		if w.Bandwidth != 0 {
			t.Fatalf("worker %s reports %.0f B/s before any fetch", w.Name, w.Bandwidth)
		}
	}
	const size = 4 * mib
	data := incompressible.Bytes(incompressible.Part{Seed: 7, Size: size})
	x, err := dusk.Scatter(ctx, c, data, dusk.OnWorkers(from.Name))
	if err != nil {
		t.Fatal(err)
	}
	n, err := dusk.Submit[int](ctx, c, fLen.With(dusk.Workers(to.Name)), x)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := n.Result(ctx); err != nil || got != size {
		t.Fatalf("len on %s = %d, %v; want %d", to.Name, got, err, size)
	}
	var rate float64
	waitUntil(t, ctx, to.Name+" reports its fetch's bandwidth", func() bool {
		for _, w := range workersNow(t, ctx, c) {
			if w.Name == to.Name {
				rate = w.Bandwidth
			}
		}
		return rate > 0
	})
	for _, w := range workersNow(t, ctx, c) {
		if w.Name == from.Name && w.Bandwidth != 0 {
			t.Errorf("worker %s fetched nothing but reports %.0f B/s", w.Name, w.Bandwidth)
		}
	}
	t.Logf("%s fetched %d bytes at %.0f MB/s", to.Name, size, rate/1e6)
}
