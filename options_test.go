package dusk_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
)

// Tasks that wait for a worker run in priority order once it comes: the
// tasks are restricted to a worker that joins only after all of them are
// known to be waiting, and it has one thread.
func TestPriority(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(1), dusk.LocalThreads(1))
	name := uniq(t)
	late := "late-" + name
	prios := []int{0, 5, -3, 10, 2, 7, -1}
	fs := make([]*dusk.Future[int], len(prios))
	for i, p := range prios {
		f, err := dusk.Submit[int](ctx, c, fRecord.With(dusk.Workers(late), dusk.Priority(p)), name, p)
		if err != nil {
			t.Fatal(err)
		}
		fs[i] = f
	}
	waitUntil(t, ctx, "every task waits for the late worker", func() bool {
		st := c.Stalled()
		for _, f := range fs {
			if _, ok := st[f.Key()]; !ok {
				return false
			}
		}
		return true
	})
	startWorker(t, c, late, 1, nil)
	if err := dusk.Wait(ctx, fs...); err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(prios)
	slices.SortFunc(want, func(a, b int) int { return b - a })
	if got := orderOf(name); !slices.Equal(got, want) {
		t.Fatalf("tasks ran in the order %v; want highest priority first: %v", got, want)
	}
}

// A function that fails its first N calls succeeds with Retries(N), and
// fails with the last error with fewer retries.
func TestRetries(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	name := uniq(t)
	f, err := dusk.Submit[int](ctx, c, fFlaky.With(dusk.Retries(3)), name, 3)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 4 {
		t.Fatalf("flaky with 3 retries = %v, %v; want success on attempt 4", v, err)
	}
	if n := counter(name).Load(); n != 4 {
		t.Fatalf("ran %d times; want 4", n)
	}

	name = uniq(t)
	g, err := dusk.Submit[int](ctx, c, fFlaky.With(dusk.Retries(2)), name, 3)
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Result(ctx)
	var te *dusk.TaskError
	if !errors.As(err, &te) || te.Kind != "error" || !strings.Contains(te.Message, "flaky failure 3") {
		t.Fatalf("flaky with 2 retries = %v; want the third failure's error", err)
	}
	if n := counter(name).Load(); n != 3 {
		t.Fatalf("ran %d times; want 3 (one try and two retries)", n)
	}
	// No retries by default.
	name = uniq(t)
	h, err := dusk.Submit[int](ctx, c, fFlaky, name, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Result(ctx); err == nil {
		t.Fatal("a failing task without retries succeeded")
	}
	if n := counter(name).Load(); n != 1 {
		t.Fatalf("ran %d times without retries; want 1", n)
	}
}

// A task needing a resource no worker has waits, is reported as stalled
// with the resource's name, and runs once a worker with it joins.
func TestResourcesNoWorkerHasThem(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	f, err := dusk.Submit[int](ctx, c, fInc.With(dusk.Resources(map[string]float64{"GPU": 1})), 1)
	if err != nil {
		t.Fatal(err)
	}
	var reason string
	waitUntil(t, ctx, "the GPU task is reported stalled", func() bool {
		r, ok := c.Stalled()[f.Key()]
		reason = r
		return ok
	})
	if !strings.Contains(reason, "GPU") {
		t.Fatalf("stall reason %q does not name GPU", reason)
	}
	if f.Status() != dusk.Pending {
		t.Fatalf("a stalled task is %s; want pending", f.Status())
	}
	// Other work goes on meanwhile.
	g, err := dusk.Submit[int](ctx, c, fInc, 2)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := g.Result(ctx); err != nil || v != 3 {
		t.Fatalf("other work = %v, %v", v, err)
	}
	// A worker with a GPU joins: the task runs.
	startWorker(t, c, "gpu-"+uniq(t), 1, map[string]float64{"GPU": 1})
	if v, err := f.Result(ctx); err != nil || v != 2 {
		t.Fatalf("GPU task after a GPU worker joined = %v, %v", v, err)
	}
	if _, ok := c.Stalled()[f.Key()]; ok {
		t.Fatal("the task is still reported stalled after it ran")
	}
}

// Tasks with resources run on workers that supply them, and no more of
// them at once than the resources allow.
func TestResourcesSupplied(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(2), dusk.LocalThreads(4), dusk.LocalResources(map[string]float64{"GPU": 1}))
	name := uniq(t)
	gpu := fConcurrent.With(dusk.Resources(map[string]float64{"GPU": 1}))
	fs := make([]*dusk.Future[int], 6)
	for i := range fs {
		f, err := dusk.Submit[int](ctx, c, gpu, name)
		if err != nil {
			t.Fatal(err)
		}
		fs[i] = f
	}
	waitUntil(t, ctx, "two GPU tasks run", func() bool { return counter(name+"/calls").Load() >= 2 })
	sig(name).fire()
	if err := dusk.Wait(ctx, fs...); err != nil {
		t.Fatal(err)
	}
	if m := counter(name + "/max").Load(); m > 2 {
		t.Fatalf("%d tasks needing a GPU ran at once on 2 workers with one GPU each", m)
	}
	if n := counter(name + "/calls").Load(); n != 6 {
		t.Fatalf("%d of 6 GPU tasks ran", n)
	}
	// Tasks without resources run beside them.
	g, err := dusk.Submit[int](ctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := g.Result(ctx); err != nil || v != 2 {
		t.Fatalf("plain task = %v, %v", v, err)
	}
}

// A task restricted to a worker runs there: its result is stored on it.
func TestWorkerRestrictions(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(3))
	addrs := workerAddrs(t, ctx, c)
	const size = 64 << 10
	var held []*dusk.Future[[]byte]
	for i, addr := range addrs {
		f, err := dusk.Submit[[]byte](ctx, c, fBytes.With(dusk.Workers(addr)), size*(i+1))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		held = append(held, f)
	}
	bytes := workerBytes(t, ctx, c)
	for i, addr := range addrs {
		if n := bytes[addr]; n < int64(size*(i+1)) || n >= int64(size*(i+2)) {
			t.Errorf("worker %s holds %d bytes; want the %d of the task restricted to it", addr, n, size*(i+1))
		}
	}
	// By name.
	f, err := dusk.Submit[int](ctx, c, fInc.With(dusk.Workers("worker-1")), 1)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 2 {
		t.Fatalf("restricted by name = %v, %v", v, err)
	}
	_ = held
}

// A task restricted to a worker that is not there waits (stalled, with a
// reason naming the worker) unless AllowOtherWorkers lets it run
// elsewhere.
func TestWorkerRestrictionsAllowOtherWorkers(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	ghost := "ghost-" + uniq(t)
	strict, err := dusk.Submit[int](ctx, c, fInc.With(dusk.Workers(ghost)), 1)
	if err != nil {
		t.Fatal(err)
	}
	loose, err := dusk.Submit[int](ctx, c, fInc.With(dusk.Workers(ghost), dusk.AllowOtherWorkers()), 10)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := loose.Result(ctx); err != nil || v != 11 {
		t.Fatalf("with AllowOtherWorkers = %v, %v", v, err)
	}
	var reason string
	waitUntil(t, ctx, "the strictly restricted task is reported stalled", func() bool {
		r, ok := c.Stalled()[strict.Key()]
		reason = r
		return ok
	})
	if !strings.Contains(reason, ghost) {
		t.Fatalf("stall reason %q does not name the worker %s", reason, ghost)
	}
	if strict.Status() != dusk.Pending {
		t.Fatalf("strictly restricted task is %s; want pending", strict.Status())
	}
	startWorker(t, c, ghost, 1, nil)
	if v, err := strict.Result(ctx); err != nil || v != 2 {
		t.Fatalf("restricted task after its worker joined = %v, %v", v, err)
	}
}
