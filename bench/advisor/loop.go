package main

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"
	"slices"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/config"
)

// branch is the expensive shared branch of the compute-in-a-loop case: n
// rounds of arithmetic over a slice of size values.
var branch = dusk.Register("bench.branch", func(size, rounds int) []float64 {
	xs := make([]float64, size)
	for r := range rounds {
		for i := range xs {
			xs[i] = math.Sqrt(xs[i] + float64(i+r))
		}
	}
	return xs
})

// step is the cheap part each computation of the loop adds.
var step = dusk.Register("bench.step", func(xs []float64, k int) float64 {
	s := 0.0
	for i := k; i < len(xs); i += 7 {
		s += xs[i]
	}
	return s
})

// computeLoop times the guide's "compute in a loop": steps computations
// in a row, each a cheap step over one expensive branch built once,
// computed five ways: Compute in the loop with persist-shared off (the
// branch runs for every computation), the advice followed (one
// ComputeAll of every step, or the branch persisted by hand and its future
// passed), and Compute in the loop with persist-shared on, the steps built
// in the loop (the second computation notices the branch computed again
// and keeps it) or all before it (the first sees lazy values outside its
// graph that use the branch, and keeps it). Ratios are printed against
// the ComputeAll run.
func computeLoop(ctx context.Context, steps, size, rounds, repeat, workers int) {
	fmt.Printf("compute-loop: %d computations in a row over one branch (%d values, %d rounds), %d worker processes of 1 thread\n",
		steps, size, rounds, workers)
	type mode struct {
		name   string
		active bool // persist-shared
		run    func(c *dusk.Client, base *dusk.Delayed[[]float64]) error
	}
	loop := func(c *dusk.Client, arg any) error {
		for k := range steps {
			if _, err := dusk.Compute(ctx, c, dusk.Call[float64](step, arg, k)); err != nil {
				return err
			}
		}
		return nil
	}
	inLoop := func(c *dusk.Client, base *dusk.Delayed[[]float64]) error { return loop(c, base) }
	modes := []mode{
		{"loop (persist-shared off)", false, inLoop},
		{"one ComputeAll", false, func(c *dusk.Client, base *dusk.Delayed[[]float64]) error {
			ds := make([]dusk.Lazy, steps)
			for k := range ds {
				ds[k] = dusk.Call[float64](step, base, k)
			}
			_, err := dusk.ComputeAll(ctx, c, ds)
			return err
		}},
		{"loop, persisted by hand", false, func(c *dusk.Client, base *dusk.Delayed[[]float64]) error {
			f, err := dusk.Persist(ctx, c, base)
			if err != nil {
				return err
			}
			defer f.Release()
			return loop(c, f)
		}},
		{"loop (persist-shared on)", true, inLoop},
		{"steps built first, on", true, func(c *dusk.Client, base *dusk.Delayed[[]float64]) error {
			ds := make([]*dusk.Delayed[float64], steps)
			for k := range ds {
				ds[k] = dusk.Call[float64](step, base, k)
			}
			for _, d := range ds {
				if _, err := dusk.Compute(ctx, c, d); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	times := make([][]time.Duration, len(modes))
	for r := range repeat {
		for i, m := range modes {
			cfg := config.New()
			if err := cfg.Set("optimization.persist-shared.active", m.active); err != nil {
				log.Fatal(err)
			}
			c, err := dusk.Connect(ctx, "", dusk.LocalConfig(cfg), dusk.LocalProcesses(), dusk.LocalWorkers(workers), dusk.LocalThreads(1), dusk.LocalDashboard("off"))
			if err != nil {
				log.Fatal(err)
			}
			start := time.Now()
			if err := m.run(c, dusk.Call[[]float64](branch, size, rounds)); err != nil {
				log.Fatal(err)
			}
			el := time.Since(start)
			times[i] = append(times[i], el)
			c.Close()
			fmt.Fprintf(os.Stderr, "round %d: %-28s %7.2f s\n", r+1, m.name, el.Seconds())
		}
	}
	med := func(ds []time.Duration) time.Duration { s := slices.Clone(ds); slices.Sort(s); return s[len(s)/2] }
	base := med(times[1])
	fmt.Printf("%-28s %10s %18s\n", "mode", "median s", "vs one ComputeAll")
	for i, m := range modes {
		fmt.Printf("%-28s %10.2f %17.2fx\n", m.name, med(times[i]).Seconds(), float64(med(times[i]))/float64(base))
	}
}
