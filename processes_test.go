package dusk_test

import (
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/dusk-go/dusk"
)

// The core flows with workers as processes of the test binary.
func TestProcessesCoreFlows(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalProcesses(), dusk.LocalWorkers(2), dusk.LocalThreads(2))
	pids := c.Local().PIDs()
	if len(pids) != 2 {
		t.Fatalf("PIDs() = %v; want 2 worker processes", pids)
	}
	for name, pid := range pids {
		if pid == os.Getpid() || pid <= 0 {
			t.Fatalf("worker %s has PID %d", name, pid)
		}
	}

	// Submit and Result.
	f, err := dusk.Submit[int](ctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 2 {
		t.Fatalf("inc(1) = %v, %v", v, err)
	}
	// Map, Gather, and a slice of futures as an argument.
	items := make([]int, 100)
	for i := range items {
		items[i] = i
	}
	fs, err := dusk.Map[int](ctx, c, fDouble, items)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dusk.Gather(ctx, fs)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != 2*i {
			t.Fatalf("Gather[%d] = %d", i, v)
		}
	}
	total, err := dusk.Submit[int](ctx, c, fSum, fs)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := total.Result(ctx); err != nil || v != 9900 {
		t.Fatalf("sum = %v, %v", v, err)
	}
	// Delayed graphs.
	a := dusk.Call[int](fInc, 1)
	d := dusk.Call[int](fAdd, dusk.Call[int](fDouble, a), dusk.Call[int](fInc, a))
	if v, err := dusk.Compute(ctx, c, d); err != nil || v != 7 {
		t.Fatalf("diamond = %v, %v", v, err)
	}
	out, err := dusk.ComputeAll(ctx, c, []dusk.Lazy{d, a}, dusk.Optimize(false))
	if err != nil || out[0] != 7 || out[1] != 2 {
		t.Fatalf("ComputeAll = %v, %v", out, err)
	}
	// Structs and strings cross process boundaries.
	p, err := dusk.Submit[point](ctx, c, fMove, point{X: 1, Tag: "q"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := p.Result(ctx); err != nil || v != (point{X: 3, Tag: "q+"}) {
		t.Fatalf("move = %+v, %v", v, err)
	}
	// A task restricted to a worker runs in that worker's process, and
	// reads a broadcast value there.
	const size = 128 << 10
	b, err := dusk.Scatter(ctx, c, make([]byte, size), dusk.Broadcast())
	if err != nil {
		t.Fatal(err)
	}
	for name, pid := range pids {
		g, err := dusk.Submit[int](ctx, c, fPID.With(dusk.Workers(name)))
		if err != nil {
			t.Fatal(err)
		}
		if v, err := g.Result(ctx); err != nil || v != pid {
			t.Fatalf("task restricted to %s ran in process %v (%v); want %d", name, v, err, pid)
		}
		n, err := dusk.Submit[int](ctx, c, fLen.With(dusk.Workers(name)), b)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := n.Result(ctx); err != nil || v != size {
			t.Fatalf("len(broadcast) on %s = %v, %v", name, v, err)
		}
	}
	// Run reaches every worker process.
	runPIDs, err := dusk.Run[int](ctx, c, fPID)
	if err != nil {
		t.Fatal(err)
	}
	gotPIDs := slices.Sorted(maps.Values(runPIDs))
	wantPIDs := slices.Sorted(maps.Values(pids))
	if !slices.Equal(gotPIDs, wantPIDs) {
		t.Fatalf("Run(pid) = %v; want the worker processes %v", gotPIDs, wantPIDs)
	}
	if _, err := dusk.Run[int64](ctx, c, fGC); err != nil {
		t.Fatal(err)
	}
	// Errors and panics come back from other processes with their stack.
	e, err := dusk.Submit[int](ctx, c, fFail, "remote failure")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Result(ctx)
	var te *dusk.TaskError
	if !errors.As(err, &te) || te.Kind != "error" || te.Message != "remote failure" {
		t.Fatalf("remote error = %v", err)
	}
	pf, err := dusk.Submit[int](ctx, c, fPanic, "remote")
	if err != nil {
		t.Fatal(err)
	}
	_, err = pf.Result(ctx)
	if !errors.As(err, &te) || te.Kind != "panic" || !strings.Contains(te.Stack, "errors_test.go") {
		t.Fatalf("remote panic = %v", err)
	}
	// Retries work across processes (each process counts its own calls,
	// so a task that always fails is retried and then fails).
	r, err := dusk.Submit[int](ctx, c, fFlaky.With(dusk.Retries(2)), uniq(t), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Result(ctx); !errors.As(err, &te) || !strings.Contains(te.Message, "flaky failure") {
		t.Fatalf("always-failing task with retries = %v", err)
	}
	// Still working.
	if v, err := dusk.Compute(ctx, c, dusk.Call[int](fInc, 9)); err != nil || v != 10 {
		t.Fatalf("after failures: %v, %v", v, err)
	}
}

// Cancel and Restart with worker processes.
func TestProcessesCancelAndRestart(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalProcesses(), dusk.LocalWorkers(2), dusk.LocalThreads(1))
	before := c.Local().PIDs()

	blocked, err := dusk.Submit[int](ctx, c, fBlock, uniq(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := blocked.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	if err := blocked.Wait(ctx); !errors.Is(err, dusk.ErrCancelled) {
		t.Fatalf("cancelled = %v", err)
	}
	// Work runs after the cancellation.
	fs, err := dusk.Map[int](ctx, c, fInc, []int{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dusk.Gather(ctx, fs); err != nil {
		t.Fatal(err)
	}

	running, err := dusk.Submit[int](ctx, c, fBlock, uniq(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := running.Wait(ctx); !errors.Is(err, dusk.ErrCancelled) {
		t.Fatalf("running task after Restart = %v; want cancelled", err)
	}
	waitUntil(t, ctx, "new worker processes replace the old ones", func() bool {
		now := c.Local().PIDs()
		if len(now) != len(before) {
			return false
		}
		for name, pid := range now {
			if before[name] == pid {
				return false
			}
		}
		return len(workerAddrs(t, ctx, c)) == len(before)
	})
	for name, pid := range c.Local().PIDs() {
		if err := syscall.Kill(before[name], 0); err == nil {
			t.Errorf("the old process %d of %s is still alive after Restart (new: %d)", before[name], name, pid)
		}
	}
	if v, err := dusk.Compute(ctx, c, dusk.Call[int](fInc, 1)); err != nil || v != 2 {
		t.Fatalf("after Restart: %v, %v", v, err)
	}
}

// A worker process killed while the data of a computation is on it: the
// lost results are recomputed from their lineage, the computation
// completes with the right result, and the nanny starts a new process.
func TestWorkerDeathRecomputesFromLineage(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalProcesses(), dusk.LocalWorkers(2), dusk.LocalThreads(1))
	items := make([]int, 50)
	for i := range items {
		items[i] = i
	}
	fs, err := dusk.Map[int](ctx, c, fInc, items)
	if err != nil {
		t.Fatal(err)
	}
	if err := dusk.Wait(ctx, fs...); err != nil {
		t.Fatal(err)
	}
	// Kill the worker holding the most results.
	ws, err := c.Workers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(ws, func(a, b dusk.WorkerInfo) int { return int(b.NBytes - a.NBytes) })
	victim := ws[0]
	if victim.NBytes == 0 {
		t.Fatalf("no worker holds results: %+v", ws)
	}
	pid := c.Local().PIDs()[victim.Name]
	if pid == 0 {
		t.Fatalf("no PID for worker %s in %v", victim.Name, c.Local().PIDs())
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	total, err := dusk.Submit[int](ctx, c, fSum, fs)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := total.Result(ctx); err != nil || v != 50*51/2 {
		t.Fatalf("sum after a worker died = %v, %v; want %d", v, err, 50*51/2)
	}
	got, err := dusk.Gather(ctx, fs)
	if err != nil {
		t.Fatalf("Gather after a worker died: %v", err)
	}
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("result %d = %d after a worker died", i, v)
		}
	}
	waitUntil(t, ctx, "the nanny starts a new worker process", func() bool {
		p := c.Local().PIDs()[victim.Name]
		return p != 0 && p != pid && len(workerAddrs(t, ctx, c)) == 2
	})
	// The new worker takes work.
	g, err := dusk.Submit[int](ctx, c, fPID.With(dusk.Workers(victim.Name)))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := g.Result(ctx); err != nil || v != c.Local().PIDs()[victim.Name] {
		t.Fatalf("task on the restarted worker ran in %v (%v); want its new process %d", v, err, c.Local().PIDs()[victim.Name])
	}
}

// Results of tasks restricted to a worker whose process is killed are
// recomputed on that worker once its nanny brings it back, and a
// computation on top of them completes.
func TestWorkerDeathRestrictedLineage(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalProcesses(), dusk.LocalWorkers(2), dusk.LocalThreads(1))
	pids := c.Local().PIDs()
	// A chain held on worker-0 only.
	base, err := dusk.Submit[int](ctx, c, fInc.With(dusk.Workers("worker-0")), 1)
	if err != nil {
		t.Fatal(err)
	}
	mid, err := dusk.Submit[int](ctx, c, fDouble.With(dusk.Workers("worker-0")), base)
	if err != nil {
		t.Fatal(err)
	}
	if err := mid.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pids["worker-0"], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	top, err := dusk.Submit[int](ctx, c, fAdd, mid, base)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := top.Result(ctx); err != nil || v != 6 {
		t.Fatalf("add(double(inc(1)), inc(1)) after its worker died = %v, %v; want 6", v, err)
	}
}
