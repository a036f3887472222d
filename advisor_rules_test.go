package dusk_test

// Evidence for the advisor's rules about tasks (failed-tasks, tiny-tasks,
// large-results, idle-workers, recomputed): each rule is provoked by a
// real workload on a local cluster and stays silent on a well-tuned twin
// that does the same work the right way. Findings come from c.Advise (the
// cluster's recent past) or from a performance report of the workload.

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/diagnostics/report"
)

var (
	// advOdd fails on odd numbers.
	advOdd = dusk.Register("adv.odd", func(x int) (int, error) {
		if x%2 == 1 {
			return 0, fmt.Errorf("odd input %d", x)
		}
		return x, nil
	})
	// advIncAll is fInc over a batch: one task for many items.
	advIncAll = dusk.Register("adv.incall", func(xs []int) []int {
		out := make([]int, len(xs))
		for i, x := range xs {
			out[i] = x + 1
		}
		return out
	})
	// advWait is a task that takes ms milliseconds (waiting, as on I/O).
	advWait = dusk.Register("adv.wait", func(ctx context.Context, ms int) (int, error) {
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
			return ms, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	})
)

// adviceUntil waits until c.Advise has a finding of rule (the scheduler
// gets the workers' events and memory samples a moment after the work),
// and returns it.
func adviceUntil(t *testing.T, ctx context.Context, c *dusk.Client, rule string) dusk.Finding {
	t.Helper()
	var got *dusk.Finding
	var last []dusk.Finding
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for got == nil {
		fs, err := c.Advise(ctx)
		if err != nil {
			t.Fatal(err)
		}
		last, got = fs, findingOf(fs, rule)
		if got != nil {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no %s finding; the advisor says: %+v", rule, last)
		case <-tick.C:
		}
	}
	return *got
}

// noAdvice checks that c.Advise has no finding of rule.
func noAdvice(t *testing.T, ctx context.Context, c *dusk.Client, rule string) {
	t.Helper()
	fs, err := c.Advise(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f := findingOf(fs, rule); f != nil {
		t.Errorf("the well-tuned twin has a %s finding: %s", rule, f.Message)
	}
}

// reportOn runs f under a performance report and returns its data, the
// advisor's findings included.
func reportOn(t *testing.T, ctx context.Context, c *dusk.Client, f func() error) report.Data {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := c.PerformanceReport(ctx, path, f); err != nil {
		t.Fatal(err)
	}
	return readReportJSON(t, filepath.Join(filepath.Dir(path), "report.json"))
}

// mentions checks that a finding's message holds each of want.
func mentions(t *testing.T, f dusk.Finding, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(f.Message, w) {
			t.Errorf("%s finding %q lacks %q", f.Rule, f.Message, w)
		}
	}
}

func TestAdviceFailedTasks(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	bad := newCluster(t, ctx)
	fs, err := dusk.Map[int](ctx, bad, advOdd, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		_, _ = f.Result(ctx) // five of them fail, as they should
	}
	mentions(t, adviceUntil(t, ctx, bad, "failed-tasks"), "5 task runs failed", "adv.odd (5 of")

	// The twin gives the function only the inputs it accepts.
	good := newCluster(t, ctx)
	fs, err = dusk.Map[int](ctx, good, advOdd, []int{0, 2, 4, 6, 8, 10, 12, 14, 16, 18})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dusk.Gather(ctx, fs); err != nil {
		t.Fatal(err)
	}
	noAdvice(t, ctx, good, "failed-tasks")
}

func TestAdviceTinyTasks(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	items := make([]int, 2000)
	for i := range items {
		items[i] = i
	}
	// One microsecond task per item.
	bad := newCluster(t, ctx)
	fs, err := dusk.Map[int](ctx, bad, fInc, items)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dusk.Gather(ctx, fs); err != nil {
		t.Fatal(err)
	}
	mentions(t, adviceUntil(t, ctx, bad, "tiny-tasks"), "2000 tasks of it.inc")

	// The twin: the same increments, 100 items a task.
	good := newCluster(t, ctx)
	var batches [][]int
	for i := 0; i < len(items); i += 100 {
		batches = append(batches, items[i:i+100])
	}
	bs, err := dusk.Map[[]int](ctx, good, advIncAll, batches)
	if err != nil {
		t.Fatal(err)
	}
	out, err := dusk.Gather(ctx, bs)
	if err != nil || len(out) != 20 || out[19][99] != 2000 {
		t.Fatalf("batched increments: %v", err)
	}
	noAdvice(t, ctx, good, "tiny-tasks")
}

func TestAdviceLargeResults(t *testing.T) {
	t.Parallel()
	ctx := memoryContext(t)
	// 144 MiB as two results of 72 MiB, each 28% of a worker's 256 MiB.
	bad, _ := memoryCluster(t, ctx, 256*mib, nil)
	fs, err := dusk.Map[[]byte](ctx, bad, fBytes, []int{72 * mib, 72 * mib})
	if err != nil {
		t.Fatal(err)
	}
	if err := dusk.Wait(ctx, fs...); err != nil {
		t.Fatal(err)
	}
	mentions(t, adviceUntil(t, ctx, bad, "large-results"), "it.bytes average 72 MiB", "28%")

	// The twin: the same 144 MiB in 16 pieces of 9 MiB.
	good, _ := memoryCluster(t, ctx, 256*mib, nil)
	sizes := make([]int, 16)
	for i := range sizes {
		sizes[i] = 9 * mib
	}
	fs, err = dusk.Map[[]byte](ctx, good, fBytes, sizes)
	if err != nil {
		t.Fatal(err)
	}
	if err := dusk.Wait(ctx, fs...); err != nil {
		t.Fatal(err)
	}
	noAdvice(t, ctx, good, "large-results")
}

// TestAdviceIdleWorkers computes 8 tasks of 600 ms one after another, each
// waiting for its result (the guide's "compute in a loop"), on 4 threads:
// the threads are busy at most a quarter of the run (at least 4.8 s,
// whatever the machine's load). The twin computes them at once: 1.2 s at
// best, 4.8 s of task time; it has a finding only if the run takes over
// 2.4 s, that is if submitting and gathering 8 tasks costs over 1.2 s.
func TestAdviceIdleWorkers(t *testing.T) {
	// Not parallel: the rule measures how busy the threads were over the
	// run, and the package's parallel tests (each with clusters of its
	// own, under the race detector) stretched a run of 1.3 s of tasks to
	// 4.2 s, as gaps the rule then reports.
	ctx := testContext(t)
	const n, ms = 8, 600
	c := newCluster(t, ctx)
	d := reportOn(t, ctx, c, func() error {
		for i := range n {
			if _, err := dusk.Compute(ctx, c, dusk.Call[int](advWait, ms+i)); err != nil {
				return err
			}
		}
		return nil
	})
	f := findingOf(d.Findings, "idle-workers")
	if f == nil {
		t.Fatalf("computing in a loop: no idle-workers finding: %+v", d.Findings)
	}
	mentions(t, *f, "The 4 worker threads were busy")

	d = reportOn(t, ctx, c, func() error {
		ds := make([]dusk.Lazy, n)
		for i := range ds {
			ds[i] = dusk.Call[int](advWait, ms+i)
		}
		_, err := dusk.ComputeAll(ctx, c, ds)
		return err
	})
	if f := findingOf(d.Findings, "idle-workers"); f != nil {
		t.Errorf("computing at once: %s", f.Message)
	}
	if d.Summary.Tasks != n {
		t.Errorf("the twin's report holds %d tasks, want %d", d.Summary.Tasks, n)
	}
}

func TestAdviceRecomputed(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	// Two computations share an intermediate result and compute it each.
	bad := newCluster(t, ctx)
	shared := dusk.Call[int](fInc, 41)
	for _, d := range []*dusk.Delayed[int]{dusk.Call[int](fDouble, shared), dusk.Call[int](fAdd, shared, 1)} {
		if _, err := dusk.Compute(ctx, bad, d, dusk.Optimize(false)); err != nil {
			t.Fatal(err)
		}
	}
	mentions(t, adviceUntil(t, ctx, bad, "recomputed"), "1 task ran to completion more than once", "it.inc (1 task, 1 run again")

	// The twin persists it once and builds both on its future.
	good := newCluster(t, ctx)
	p, err := dusk.Persist(ctx, good, dusk.Call[int](fInc, 41))
	if err != nil {
		t.Fatal(err)
	}
	a, errA := dusk.Compute(ctx, good, dusk.Call[int](fDouble, p), dusk.Optimize(false))
	b, errB := dusk.Compute(ctx, good, dusk.Call[int](fAdd, p, 1), dusk.Optimize(false))
	if err := errors.Join(errA, errB); err != nil || a != 84 || b != 43 {
		t.Fatalf("on the persisted result: %d, %d, %v", a, b, err)
	}
	noAdvice(t, ctx, good, "recomputed")
}
