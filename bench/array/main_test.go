package main

import (
	"context"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/array"
	"github.com/dusk-go/dusk/bench/internal/benchcheck"
	"github.com/dusk-go/dusk/internal/testcluster"
)

// TestAdvisorFindsNothing runs every workload on a 1000×1000 array in
// chunks of 250² (and a dot product of 500² matrices) under a performance
// report: the advisor has no warning about any. At this size the rules
// measured in bytes (rechunk and array moves: 256 MiB; small chunks: 100
// blocks) cannot fire; the check is that nothing else does.
func TestAdvisorFindsNothing(t *testing.T) {
	ctx := testcluster.Context(t)
	c := testcluster.New(t, ctx, nil, dusk.LocalWorkers(2), dusk.LocalThreads(1))
	for _, w := range arrayWorkloads(1000, 250, 500) {
		benchcheck.Check(t, ctx, c, w.name, func(ctx context.Context) error {
			var in *array.Array
			if w.prepare != nil {
				var err error
				if in, err = w.prepare(ctx, c); err != nil {
					return err
				}
			}
			a, err := w.make(c, in)
			if err != nil {
				return err
			}
			_, err = a.Compute(ctx)
			return err
		})
	}
}
