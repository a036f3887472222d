package dusk_test

import (
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/worker"
)

// settleTimeout bounds waits for something that should follow at once
// from a message already sent: long enough never to matter when the code
// is right, short enough that a missing message fails the test without
// waiting for the whole test deadline.
const settleTimeout = 30 * time.Second

// A running task cancelled through its future stops: Result says it was
// cancelled, and the task's context was cancelled.
func TestCancelRunningTask(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	name := uniq(t)
	f, err := dusk.Submit[int](ctx, c, fBlock, name)
	if err != nil {
		t.Fatal(err)
	}
	waitClosed(t, ctx, sig(name+"/started").C(), "the task starts")
	if err := f.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = f.Result(ctx)
	if !errors.Is(err, dusk.ErrCancelled) {
		t.Fatalf("Result of a cancelled future = %v; want an error matching dusk.ErrCancelled", err)
	}
	var ce *dusk.CancelledError
	if !errors.As(err, &ce) || ce.Key != f.Key() {
		t.Fatalf("Result = %v; want a *dusk.CancelledError for %s", err, f.Key())
	}
	if f.Status() != dusk.Cancelled {
		t.Fatalf("Status = %s, want cancelled", f.Status())
	}
	waitClosed(t, ctx, sig(name+"/cancelled").C(), "the task's context is cancelled")

	// A task that never started (it waits for a worker) is cancelled too.
	g, err := dusk.Submit[int](ctx, c, fInc.With(dusk.Workers("nobody-"+name)), 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	if err := g.Wait(ctx); !errors.Is(err, dusk.ErrCancelled) {
		t.Fatalf("Wait on a cancelled waiting task = %v", err)
	}
	// The cluster keeps working, on the thread the cancelled task held.
	fs, err := dusk.Map[int](ctx, c, fInc, []int{1, 2, 3, 4, 5, 6, 7, 8})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dusk.Gather(ctx, fs); err != nil {
		t.Fatal(err)
	}
}

// Futures lists what the client holds; Cancel(Futures()...) cancels all of
// it: running tasks stop, and finished results are dropped.
func TestFuturesAndCancelEverything(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalThreads(4))
	if len(c.Futures()) != 0 {
		t.Fatalf("a new client holds %v", c.Futures())
	}
	var names []string
	var blocked []*dusk.Future[int]
	for range 3 {
		name := uniq(t)
		names = append(names, name)
		f, err := dusk.Submit[int](ctx, c, fBlock, name)
		if err != nil {
			t.Fatal(err)
		}
		blocked = append(blocked, f)
	}
	done, err := dusk.Submit[int](ctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := done.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	scattered, err := dusk.Scatter(ctx, c, "data")
	if err != nil {
		t.Fatal(err)
	}
	if err := scattered.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	want := []dusk.Key{done.Key(), scattered.Key()}
	for _, f := range blocked {
		want = append(want, f.Key())
	}
	slices.Sort(want)
	var got []dusk.Key
	for _, k := range c.Futures() {
		got = append(got, k.Key())
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("Futures() = %v; want %v", got, want)
	}
	// A released future is no longer held.
	extra, err := dusk.Submit[int](ctx, c, fInc, 2)
	if err != nil {
		t.Fatal(err)
	}
	extra.Release()
	for _, k := range c.Futures() {
		if k.Key() == extra.Key() {
			t.Fatalf("Futures() lists the released %s", extra.Key())
		}
	}

	for _, n := range names {
		waitClosed(t, ctx, sig(n+"/started").C(), "the blocking tasks start")
	}
	if err := c.Cancel(ctx, c.Futures()...); err != nil {
		t.Fatal(err)
	}
	for _, f := range blocked {
		if err := f.Wait(ctx); !errors.Is(err, dusk.ErrCancelled) {
			t.Fatalf("%s after Cancel: %v", f, err)
		}
	}
	for _, n := range names {
		waitClosed(t, ctx, sig(n+"/cancelled").C(), "the blocking tasks' contexts are cancelled")
	}
	// Finished and scattered futures end cancelled as well.
	settle, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	for _, f := range []interface {
		Status() dusk.Status
		Key() dusk.Key
	}{done, scattered} {
		if !eventually(settle, func() bool { return f.Status() == dusk.Cancelled }) {
			t.Errorf("%s: a finished future is %s after Cancel; want cancelled", f.Key(), f.Status())
		}
	}
	if _, err := done.Result(settle); !errors.Is(err, dusk.ErrCancelled) {
		t.Errorf("Result of a finished future after Cancel = %v; want an error matching dusk.ErrCancelled", err)
	}
	// New work runs.
	f, err := dusk.Submit[int](ctx, c, fInc, 41)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 42 {
		t.Fatalf("after cancelling everything: %v, %v", v, err)
	}
}

// Run calls a function on every worker and returns one result per worker
// address.
func TestRunOnEveryWorker(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(3))
	addrs := workerAddrs(t, ctx, c)
	freed, err := dusk.Run[int64](ctx, c, fGC)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for a := range freed {
		got = append(got, a)
	}
	slices.Sort(got)
	if !slices.Equal(got, addrs) {
		t.Fatalf("Run(gc) answered for %v; want every worker %v", got, addrs)
	}
	sums, err := dusk.Run[int](ctx, c, fAdd, 40, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != len(addrs) {
		t.Fatalf("Run(add) = %v", sums)
	}
	for a, v := range sums {
		if v != 42 {
			t.Fatalf("Run(add) on %s = %d", a, v)
		}
	}
	// In-process workers share this process.
	pids, err := dusk.Run[int](ctx, c, fPID)
	if err != nil {
		t.Fatal(err)
	}
	for a, p := range pids {
		if p != os.Getpid() {
			t.Fatalf("in-process worker %s runs in process %d, not %d", a, p, os.Getpid())
		}
	}
	// Mistakes are caught before anything runs.
	_, err = dusk.Run[int](ctx, c, fAdd, 1)
	line := thisLine() - 1
	checkMentions(t, err, "it.add", "takes 2 arguments", "manage_test.go:"+itoa(line))
	_, err = dusk.Run[int](ctx, c, fAdd, 1, "x")
	checkMentions(t, err, "it.add", "have string, want int")
	// A failing function reports its error.
	_, err = dusk.Run[int](ctx, c, fFail, "run failed here")
	checkMentions(t, err, "it.fail", "run failed here")
}

// Restart drops every task and replaces every worker: held futures end
// cancelled, as many workers come back, and new work runs.
func TestRestart(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(3))
	before := workerAddrs(t, ctx, c)
	done, err := dusk.Submit[int](ctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := done.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	name := uniq(t)
	blocked, err := dusk.Submit[int](ctx, c, fBlock, name)
	if err != nil {
		t.Fatal(err)
	}
	waitClosed(t, ctx, sig(name+"/started").C(), "the blocking task starts")

	if err := c.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := blocked.Wait(ctx); !errors.Is(err, dusk.ErrCancelled) {
		t.Fatalf("a running task's future after Restart: %v; want cancelled", err)
	}
	waitClosed(t, ctx, sig(name+"/cancelled").C(), "the running task's context is cancelled")

	settle, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	if !eventually(settle, func() bool { return done.Status() == dusk.Cancelled }) {
		t.Errorf("a finished future is %s after Restart; want cancelled", done.Status())
	}
	if _, err := done.Result(settle); !errors.Is(err, dusk.ErrCancelled) {
		t.Errorf("Result of a finished future after Restart = %v; want an error matching dusk.ErrCancelled", err)
	}

	waitUntil(t, ctx, "as many fresh workers run as before", func() bool {
		now := workerAddrs(t, ctx, c)
		if len(now) != len(before) {
			return false
		}
		for _, a := range now {
			if slices.Contains(before, a) {
				return false
			}
		}
		return true
	})
	fs, err := dusk.Map[int](ctx, c, fInc, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	if err != nil {
		t.Fatal(err)
	}
	got, err := dusk.Gather(ctx, fs)
	if err != nil {
		t.Fatalf("after Restart: %v", err)
	}
	if got[9] != 11 {
		t.Fatalf("after Restart: %v", got)
	}
	s, err := dusk.Scatter(ctx, c, []int{1, 2, 3}, dusk.Broadcast())
	if err != nil {
		t.Fatal(err)
	}
	sum, err := dusk.Submit[int](ctx, c, fSum, s)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := sum.Result(ctx); err != nil || v != 6 {
		t.Fatalf("scatter after Restart: %v, %v", v, err)
	}
}

// Right after Restart returns, the cluster reports as many workers as
// before, all of them new.
func TestRestartReturnsWithFreshWorkers(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(2))
	before := workerAddrs(t, ctx, c)
	if err := c.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	ws, err := c.Workers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var now []string
	for _, w := range ws {
		now = append(now, w.Address)
	}
	if len(now) != len(before) {
		t.Errorf("right after Restart the scheduler lists workers %v; before it had %v", now, before)
	}
	for _, a := range now {
		if slices.Contains(before, a) {
			t.Errorf("right after Restart the scheduler still lists the old worker %s", a)
		}
	}
}

// A task cancelled right after it was submitted (both messages likely
// reach the scheduler, and then the worker, together) does not keep a
// thread: later work on the same single-threaded worker runs.
func TestCancelRightAfterSubmit(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(1), dusk.LocalThreads(1))
	settle, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	for i := range 20 {
		name := uniq(t)
		f, err := dusk.Submit[int](ctx, c, fBlock, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Cancel(ctx); err != nil {
			t.Fatal(err)
		}
		if err := f.Wait(settle); !errors.Is(err, dusk.ErrCancelled) {
			t.Fatalf("round %d: cancelled future: %v", i, err)
		}
		g, err := dusk.Submit[int](ctx, c, fInc, i)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := g.Result(settle); err != nil || v != i+1 {
			t.Fatalf("round %d: a task after a cancelled one = %v, %v (the cancelled task still holds the only thread?)", i, v, err)
		}
		if sig(name + "/started").fired() {
			waitClosed(t, settle, sig(name+"/cancelled").C(), "the cancelled task's context is cancelled")
		}
	}
}

// Restart called right after Submit returned drops that task too: the
// future ends cancelled (the task must not survive the restart and run on
// a fresh worker).
func TestRestartRightAfterSubmit(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(2), dusk.LocalThreads(1))
	settle, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	for i := range 5 {
		f, err := dusk.Submit[int](ctx, c, fBlock, uniq(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Restart(ctx); err != nil {
			t.Fatal(err)
		}
		if err := f.Wait(settle); !errors.Is(err, dusk.ErrCancelled) {
			t.Fatalf("round %d: a task submitted before Restart: %v (status %s); want it cancelled by the restart", i, err, f.Status())
		}
	}
}

// A worker that comes back from a restart at the address it had (the OS
// may give a fresh listener the port just freed, and does here) is a new
// worker like any other: Restart returns, and the scheduler lists it once.
func TestRestartWorkerBackAtItsAddress(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(1), dusk.LocalThreads(1))
	var port atomic.Int64 // the first worker's, then every later one's
	newWorker := func() (*worker.Worker, error) {
		w, err := worker.New(worker.Options{Scheduler: c.Scheduler(), Security: wire.Security{Token: c.Local().Token()},
			Name: "same-port", NThreads: 1, Host: "127.0.0.1", Port: int(port.Load()), Logger: quietLogger(), Version: dusk.Version})
		if err != nil {
			return nil, err
		}
		_, p, _ := net.SplitHostPort(w.Address())
		n, _ := strconv.Atoi(p)
		port.Store(int64(n))
		return w, nil
	}
	runCtx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- worker.Serve(runCtx, newWorker, worker.ServeOptions{Logger: quietLogger()}) }()
	t.Cleanup(func() {
		stop()
		<-served
	})
	waitUntil(t, ctx, "both workers joined", func() bool { return len(workerAddrs(t, ctx, c)) == 2 })
	addr := net.JoinHostPort("127.0.0.1", strconv.FormatInt(port.Load(), 10))
	for i := range 3 {
		restart, cancel := context.WithTimeout(ctx, settleTimeout)
		defer cancel()
		if err := c.Restart(restart); err != nil {
			t.Fatalf("round %d: Restart with a worker coming back at %s: %v", i, addr, err)
		}
		now := workerAddrs(t, ctx, c)
		if len(now) != 2 || !slices.Contains(now, addr) {
			t.Fatalf("round %d: after Restart the scheduler lists %v; want 2 workers, one at %s", i, now, addr)
		}
		f, err := dusk.Submit[int](ctx, c, fInc.With(dusk.Workers(addr)), i)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := f.Result(restart); err != nil || v != i+1 {
			t.Fatalf("round %d: a task on the worker back at %s = %v, %v", i, addr, v, err)
		}
	}
	select {
	case err := <-served:
		t.Fatalf("the worker at %s stopped: %v", addr, err)
	default:
	}
}

// A worker that stops while running a task does not fail the task: its
// context was cancelled by the worker's shutdown, not by the task, so the
// task waits for another worker that may run it.
func TestWorkerStoppingDoesNotFailItsTasks(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(1), dusk.LocalThreads(1))
	name := uniq(t)
	extra := "extra-" + name
	stop := startStoppableWorker(t, c, extra, 1, nil)
	f, err := dusk.Submit[int](ctx, c, fBlock.With(dusk.Workers(extra)), name)
	if err != nil {
		t.Fatal(err)
	}
	waitClosed(t, ctx, sig(name+"/started").C(), "the task starts on the extra worker")
	stop()
	waitUntil(t, ctx, "the task waits for its worker again, or fails", func() bool {
		_, stalled := c.Stalled()[f.Key()]
		return stalled || f.Status() != dusk.Pending
	})
	if f.Status() != dusk.Pending {
		t.Fatalf("after its worker stopped, the task is %s: %v; want it pending, waiting for a worker that may run it", f.Status(), f.Err())
	}
}
