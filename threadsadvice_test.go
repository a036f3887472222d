package dusk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/diagnostics/event"
)

// fNap sleeps for us microseconds: a task that waits, as on I/O.
var fNap = dusk.Register("it.nap", func(ctx context.Context, us int) (int, error) {
	select {
	case <-time.After(time.Duration(us) * time.Microsecond):
		return us, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
})

// fSpin does n rounds of integer work: a task that only computes.
var fSpin = dusk.Register("it.spin", func(n int) uint64 {
	x := uint64(1)
	for i := range n {
		x = x*6364136223846793005 + uint64(i)
	}
	return x
})

// threadsFinding runs n tasks of fn over arg on one worker of nthreads
// threads and returns the advisor's threads-vs-workload finding, if any.
// It waits for a heartbeat first: the rule compares with the worker's
// GOMAXPROCS, which heartbeats carry.
func threadsFinding(t *testing.T, nthreads, n int, fn *dusk.Func, arg int) *dusk.Finding {
	t.Helper()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(1), dusk.LocalThreads(nthreads))
	items := make([]int, n)
	for i := range items {
		items[i] = arg
	}
	fs, err := dusk.Map[any](ctx, c, fn, items)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dusk.Gather(ctx, fs); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "a heartbeat tells the worker's GOMAXPROCS", func() bool {
		for _, e := range c.Local().Events().Snapshot() {
			if e.Kind == event.WorkerSample && e.Memory != nil && e.Memory.Procs > 0 {
				return true
			}
		}
		return false
	})
	fnd, err := c.Advise(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return findingOf(fnd, "threads-vs-workload")
}

// Tasks that sleep 30 ms (as on I/O) on a worker of two threads: the
// workers' measurements show them off the CPU, and the advisor asks for
// more threads. Their twin, tasks that sleep 100 µs, is too short to be
// worth more threads.
func TestThreadsForIO(t *testing.T) {
	t.Parallel()
	f := threadsFinding(t, 2, 24, fNap, 30_000)
	if f == nil || !strings.Contains(f.Message, "off the CPU") || !strings.Contains(f.Advice, "more threads") {
		t.Fatalf("sleeping tasks: want a finding asking for more threads, got %+v", f)
	}
	t.Log(f.Message)
	if f := threadsFinding(t, 2, 24, fNap, 100); f != nil {
		t.Fatalf("tasks of 100 µs: %s", f.Message)
	}
}

// CPU-bound tasks on a worker of one thread: computing, not waiting, so
// no finding (more threads would not help, and one thread per core is
// what the rule advises). The rule's other side, many CPU-bound tasks at
// once on saturated processors, depends on how busy the machine is while
// the test runs, so it is evidenced on recorded figures
// (advisor.TestThreadsVsWorkload), not by a workload here.
func TestThreadsForCPU(t *testing.T) {
	if f := threadsFinding(t, 1, 8, fSpin, 40_000_000); f != nil {
		t.Fatalf("CPU-bound tasks on one thread: %s", f.Message)
	}
}
