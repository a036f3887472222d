package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/dusk-go/dusk"
)

// The quickstart's functions, registered by name so that workers (this
// same binary) can run them.
var (
	qsSquare = dusk.Register("quickstart.square", func(x int) int { return x * x })
	qsSum    = dusk.Register("quickstart.sum", func(xs []int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	})
	qsHits = dusk.Register("quickstart.pi-hits", func(ctx context.Context, seed uint64, n int) (int, error) {
		r := rand.New(rand.NewPCG(seed, 1))
		hits := 0
		for i := 0; i < n; i++ {
			if i%65536 == 0 && ctx.Err() != nil {
				return 0, ctx.Err()
			}
			x, y := r.Float64(), r.Float64()
			if x*x+y*y <= 1 {
				hits++
			}
		}
		return hits, nil
	})
	qsScore = dusk.Register("quickstart.score", func(table map[string]int, words []string) int {
		s := 0
		for _, w := range words {
			s += table[w]
		}
		return s
	})
)

func quickstart(args []string) error {
	fs := flag.NewFlagSet("dusk quickstart", flag.ExitOnError)
	workers := fs.Int("workers", 2, "local workers")
	threads := fs.Int("threads", 1, "threads per worker")
	processes := fs.Bool("processes", false, "run workers as processes instead of goroutines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	begin := time.Now()
	opts := []dusk.Option{dusk.LocalWorkers(*workers), dusk.LocalThreads(*threads)}
	if *processes {
		opts = append(opts, dusk.LocalProcesses())
	}
	c, err := dusk.Connect(ctx, "", opts...)
	if err != nil {
		return err
	}
	defer c.Close()
	ws, err := c.Workers(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("local cluster: scheduler at tcp://%s, %d workers × %d threads (started in %v)\n\n",
		c.Scheduler(), len(ws), *threads, time.Since(begin).Round(time.Millisecond))

	// 1. Futures: map a function over many inputs, then reduce them on the
	// cluster; the data moves worker to worker, not through here. One tiny
	// task per number is the guide's "too many small tasks" on purpose:
	// the advisor says so at the end.
	step := time.Now()
	const n = 10000
	items := make([]int, n)
	for i := range items {
		items[i] = i + 1
	}
	squares, err := dusk.Map[int](ctx, c, qsSquare, items)
	if err != nil {
		return err
	}
	total, err := dusk.Submit[int](ctx, c, qsSum, squares)
	if err != nil {
		return err
	}
	sum, err := total.Result(ctx)
	if err != nil {
		return err
	}
	want := n * (n + 1) * (2*n + 1) / 6
	fmt.Printf("1. futures: sum of squares 1..%d = %d (expected %d) — %d tasks in %v\n",
		n, sum, want, n+1, time.Since(step).Round(time.Millisecond))
	if sum != want {
		return fmt.Errorf("quickstart: wrong sum of squares: %d, want %d", sum, want)
	}

	// 2. A delayed graph: a Monte Carlo estimate of π, sampled in 64 tasks
	// and summed by a tree with fan-in 8; nothing runs until Compute.
	step = time.Now()
	const tasks, perTask = 64, 200000
	level := make([]*dusk.Delayed[int], tasks)
	for i := range level {
		level[i] = dusk.Call[int](qsHits, uint64(i), perTask)
	}
	for len(level) > 1 {
		var next []*dusk.Delayed[int]
		for i := 0; i < len(level); i += 8 {
			next = append(next, dusk.Call[int](qsSum, level[i:min(i+8, len(level))]))
		}
		level = next
	}
	hits, err := dusk.Compute(ctx, c, level[0])
	if err != nil {
		return err
	}
	pi := 4 * float64(hits) / float64(tasks*perTask)
	fmt.Printf("2. delayed: π ≈ %.4f from %d samples — %d tasks in %v\n",
		pi, tasks*perTask, tasks+9, time.Since(step).Round(time.Millisecond))

	// 3. Scatter: a lookup table is placed on every worker once, and tasks
	// take its future instead of a copy each.
	step = time.Now()
	table := make(map[string]int, 50000)
	words := make([]string, 0, 50000)
	for i := 0; i < 50000; i++ {
		w := "w" + strconv.Itoa(i)
		table[w] = i % 10
		words = append(words, w)
	}
	lookup, err := dusk.Scatter(ctx, c, table, dusk.Broadcast())
	if err != nil {
		return err
	}
	var parts []*dusk.Future[int]
	for i := 0; i < len(words); i += 1000 {
		f, err := dusk.Submit[int](ctx, c, qsScore, lookup, words[i:i+1000])
		if err != nil {
			return err
		}
		parts = append(parts, f)
	}
	scores, err := dusk.Gather(ctx, parts)
	if err != nil {
		return err
	}
	score := 0
	for _, s := range scores {
		score += s
	}
	fmt.Printf("3. scatter: a %d-entry table broadcast once, %d tasks scored %d words: %d — in %v\n",
		len(table), len(parts), len(words), score, time.Since(step).Round(time.Millisecond))

	fmt.Printf("\ndone in %v\n", time.Since(begin).Round(time.Millisecond))

	// What the optimization guide says about this run.
	findings, err := c.Advise(ctx)
	if err != nil {
		return err
	}
	if len(findings) == 0 {
		fmt.Println("\nadvisor: nothing the optimization guide warns about")
	}
	for _, f := range findings {
		fmt.Printf("\nadvisor [%s] %s: %s\n  what to do: %s\n", f.Severity, f.Rule, f.Message, f.Advice)
	}
	fmt.Fprintln(os.Stderr)
	return nil
}
