package main

import (
	"context"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/bench/internal/benchcheck"
	"github.com/dusk-go/dusk/internal/testcluster"
)

// TestAdvisorFindsNothing runs the well-tuned modes of the large-argument
// workload (auto-scatter on, the default; the map scattered by hand) at a
// small size under a performance report: no warning. The literal mode with
// auto-scatter off is the bad pattern the benchmark measures, left out.
func TestAdvisorFindsNothing(t *testing.T) {
	ctx := testcluster.Context(t)
	table := makeTable(200_000) // 2.6 MB encoded: over auto-scatter's 1 MiB
	for _, m := range []mode{modes[1], modes[2]} {
		c := testcluster.New(t, ctx, nil, dusk.LocalWorkers(2), dusk.LocalThreads(1))
		benchcheck.Check(t, ctx, c, m.name, func(ctx context.Context) error {
			return runMode(ctx, c, m, table, 20)
		})
	}
}
