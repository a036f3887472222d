package dusk_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/task"
)

var (
	// where appends the address of the worker that runs it to prev.
	fWhere = dusk.Register("it.where", func(ctx context.Context, prev []string) ([]string, error) {
		rt, ok := task.FromContext(ctx)
		if !ok {
			return nil, errors.New("where: not in a task")
		}
		return append(slices.Clone(prev), rt.Address()), nil
	})
	// whereBoth joins a and b and appends the address of the worker that
	// runs it.
	fWhereBoth = dusk.Register("it.where-both", func(ctx context.Context, a, b []string) ([]string, error) {
		rt, ok := task.FromContext(ctx)
		if !ok {
			return nil, errors.New("where-both: not in a task")
		}
		return append(slices.Concat(a, b), rt.Address()), nil
	})
	// recordItem records the item's tag in the order of its name.
	fRecordItem = dusk.Register("it.record-item", func(it recordItem) int {
		recordOrder(it.Name, it.Tag)
		return it.Tag
	})
)

type recordItem struct {
	Name string
	Tag  int
}

// whereTree is a graph of 11 tasks that each append their worker's
// address: four chains of two, joined in pairs, then joined.
func whereTree() *dusk.Delayed[[]string] {
	var mids []*dusk.Delayed[[]string]
	for i := 0; i < 2; i++ {
		a := dusk.Call[[]string](fWhere, dusk.Call[[]string](fWhere, []string{}))
		b := dusk.Call[[]string](fWhere, dusk.Call[[]string](fWhere, []string{}))
		mids = append(mids, dusk.Call[[]string](fWhereBoth, a, b))
	}
	return dusk.Call[[]string](fWhereBoth, mids[0], mids[1])
}

// allAt fails the test unless got has n addresses, all want.
func allAt(t *testing.T, what string, got []string, n int, want string) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%s: %d tasks reported where they ran (%v); want %d", what, len(got), got, n)
	}
	for _, a := range got {
		if a != want {
			t.Fatalf("%s ran on %v; want every task on %s", what, got, want)
		}
	}
}

// workerAddr waits until the worker named name is running and returns
// its address.
func workerAddr(t *testing.T, ctx context.Context, c *dusk.Client, name string) string {
	t.Helper()
	var addr string
	waitUntil(t, ctx, "worker "+name+" runs", func() bool {
		ws, err := c.Workers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if w.Name == name && w.Status == "running" {
				addr = w.Address
				return true
			}
		}
		return false
	})
	return addr
}

// Under WithWorkers every task of a Submit, a Map, a Compute and a
// Persist runs on the named worker; a function's own Workers win, also
// inside a fused graph; an inner WithWorkers replaces the outer one.
func TestAnnotateWorkers(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(3), dusk.LocalThreads(2))
	addrs := workerAddrs(t, ctx, c)
	if len(addrs) != 3 {
		t.Fatalf("workers %v; want 3", addrs)
	}
	target := addrs[1]
	actx := dusk.WithWorkers(ctx, target)

	f, err := dusk.Submit[[]string](actx, c, fWhere, []string{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.Result(actx)
	if err != nil {
		t.Fatal(err)
	}
	allAt(t, "Submit", v, 1, target)

	items := make([][]string, 12)
	fs, err := dusk.Map[[]string](actx, c, fWhere, items)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := dusk.Gather(actx, fs)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vals {
		allAt(t, "Map item "+itoa(i), v, 1, target)
	}

	for _, width := range []int{0, 1} {
		v, err := dusk.Compute(actx, c, whereTree(), dusk.FuseWidth(width))
		if err != nil {
			t.Fatal(err)
		}
		allAt(t, "Compute with FuseWidth("+itoa(width)+")", v, 11, target)
	}

	p, err := dusk.Persist(actx, c, whereTree())
	if err != nil {
		t.Fatal(err)
	}
	v, err = p.Result(actx)
	if err != nil {
		t.Fatal(err)
	}
	allAt(t, "Persist", v, 11, target)
	if ws := p.Workers(); !slices.Equal(ws, []string{target}) {
		t.Fatalf("the persisted result is held by %v; want %s", ws, target)
	}

	// A function restricted with Workers keeps its worker, in a graph
	// fused blockwise around it.
	own := addrs[2]
	mixed := dusk.Call[[]string](fWhereBoth,
		dusk.Call[[]string](fWhere.With(dusk.Workers(own)), []string{}),
		dusk.Call[[]string](fWhere, []string{}))
	v, err = dusk.Compute(actx, c, mixed, dusk.FuseWidth(1))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{own, target, target}; !slices.Equal(v, want) {
		t.Fatalf("a function's own Workers under WithWorkers ran on %v; want %v", v, want)
	}

	// Nested: the inner restriction wins.
	inner := dusk.WithWorkers(actx, addrs[0])
	v, err = dusk.Compute(inner, c, whereTree())
	if err != nil {
		t.Fatal(err)
	}
	allAt(t, "Compute under a nested WithWorkers", v, 11, addrs[0])
}

// A task under WithWorkers of a worker that is not there waits, unless
// WithAllowOtherWorkers lets it run elsewhere; WithAllowOtherWorkers does
// not loosen a function's own Workers; WithWorkers() with no names lifts
// an outer restriction.
func TestAnnotateAllowOtherWorkers(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	ghost := "ghost-" + uniq(t)
	gctx := dusk.WithWorkers(ctx, ghost)
	strict, err := dusk.Submit[int](gctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	ownStrict, err := dusk.Submit[int](dusk.WithAllowOtherWorkers(ctx), c, fInc.With(dusk.Workers(ghost)), 2)
	if err != nil {
		t.Fatal(err)
	}
	loose, err := dusk.Submit[int](dusk.WithAllowOtherWorkers(gctx), c, fInc, 10)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := loose.Result(ctx); err != nil || v != 11 {
		t.Fatalf("under WithAllowOtherWorkers = %v, %v", v, err)
	}
	lifted, err := dusk.Compute(dusk.WithWorkers(gctx), c, dusk.Call[int](fInc, 20))
	if err != nil || lifted != 21 {
		t.Fatalf("under WithWorkers() inside WithWorkers(ghost) = %v, %v", lifted, err)
	}
	waitUntil(t, ctx, "both restricted tasks are reported stalled", func() bool {
		st := c.Stalled()
		return strings.Contains(st[strict.Key()], ghost) && strings.Contains(st[ownStrict.Key()], ghost)
	})
	if strict.Status() != dusk.Pending || ownStrict.Status() != dusk.Pending {
		t.Fatalf("restricted tasks are %s and %s; want pending", strict.Status(), ownStrict.Status())
	}
	startWorker(t, c, ghost, 1, nil)
	if v, err := strict.Result(ctx); err != nil || v != 2 {
		t.Fatalf("task under WithWorkers after its worker joined = %v, %v", v, err)
	}
	if v, err := ownStrict.Result(ctx); err != nil || v != 3 {
		t.Fatalf("restricted task after its worker joined = %v, %v", v, err)
	}
}

// Tasks under WithResources wait for a worker that supplies them and run
// there; nested resources add up; an amount of 0 removes one; a
// function's own Resources replace the context's.
func TestAnnotateResources(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	gpu := dusk.WithResources(ctx, map[string]float64{"GPU": 1})

	sub, err := dusk.Submit[[]string](gpu, c, fWhere, []string{})
	if err != nil {
		t.Fatal(err)
	}
	mapped, err := dusk.Map[[]string](gpu, c, fWhere, make([][]string, 4))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := dusk.Persist(gpu, c, whereTree())
	if err != nil {
		t.Fatal(err)
	}
	both, err := dusk.Submit[[]string](dusk.WithResources(gpu, map[string]float64{"MEM": 1}), c, fWhere, []string{})
	if err != nil {
		t.Fatal(err)
	}
	own, err := dusk.Submit[[]string](gpu, c, fWhere.With(dusk.Resources(map[string]float64{"MEM": 1})), []string{})
	if err != nil {
		t.Fatal(err)
	}
	// Without the GPU again: runs on the plain workers.
	plain, err := dusk.Compute(dusk.WithResources(gpu, map[string]float64{"GPU": 0}), c, whereTree())
	if err != nil {
		t.Fatal(err)
	}
	addrs := workerAddrs(t, ctx, c)
	for _, a := range plain {
		if !slices.Contains(addrs, a) {
			t.Fatalf("a task with its GPU removed ran on %s, not on the plain workers %v", a, addrs)
		}
	}
	waitUntil(t, ctx, "the GPU tasks are reported stalled", func() bool {
		st := c.Stalled()
		return strings.Contains(st[sub.Key()], "GPU") && strings.Contains(st[mapped[0].Key()], "GPU") &&
			strings.Contains(st[both.Key()], "MEM") && strings.Contains(st[own.Key()], "MEM")
	})

	gpuName := "gpu-" + uniq(t)
	startWorker(t, c, gpuName, 2, map[string]float64{"GPU": 1})
	gpuAddr := workerAddr(t, ctx, c, gpuName)
	v, err := sub.Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	allAt(t, "Submit under WithResources", v, 1, gpuAddr)
	vals, err := dusk.Gather(ctx, mapped)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vals {
		allAt(t, "Map item "+itoa(i)+" under WithResources", v, 1, gpuAddr)
	}
	if v, err = tree.Result(ctx); err != nil {
		t.Fatal(err)
	}
	allAt(t, "Persist under WithResources", v, 11, gpuAddr)

	memName := "mem-" + uniq(t)
	startWorker(t, c, memName, 1, map[string]float64{"MEM": 1})
	memAddr := workerAddr(t, ctx, c, memName)
	if v, err = own.Result(ctx); err != nil {
		t.Fatal(err)
	}
	allAt(t, "a function's own Resources under WithResources", v, 1, memAddr)
	// No worker supplies both GPU and MEM yet.
	if both.Status() != dusk.Pending {
		t.Fatalf("a task needing GPU and MEM is %s before a worker has both; want pending", both.Status())
	}
	bothName := "both-" + uniq(t)
	startWorker(t, c, bothName, 1, map[string]float64{"GPU": 1, "MEM": 1})
	bothAddr := workerAddr(t, ctx, c, bothName)
	if v, err = both.Result(ctx); err != nil {
		t.Fatal(err)
	}
	allAt(t, "nested WithResources", v, 1, bothAddr)
}

// WithRetries runs failing tasks again; a function's own Retries, even 0,
// win; the inner of nested contexts wins.
func TestAnnotateRetries(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rctx := dusk.WithRetries(ctx, 3)

	name := uniq(t)
	f, err := dusk.Submit[int](rctx, c, fFlaky, name, 3)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 4 {
		t.Fatalf("Submit of flaky(3) under WithRetries(3) = %v, %v; want success on attempt 4", v, err)
	}

	name = uniq(t)
	d := dusk.Call[int](fInc, dusk.Call[int](fFlaky, name, 2))
	if v, err := dusk.Compute(rctx, c, d); err != nil || v != 4 {
		t.Fatalf("Compute of flaky(2) under WithRetries(3) = %v, %v; want 3+1", v, err)
	}
	if n := counter(name).Load(); n != 3 {
		t.Fatalf("flaky(2) ran %d times; want 3", n)
	}

	// The function's own Retries(0) wins.
	name = uniq(t)
	g, err := dusk.Submit[int](rctx, c, fFlaky.With(dusk.Retries(0)), name, 1)
	if err != nil {
		t.Fatal(err)
	}
	var te *dusk.TaskError
	if _, err := g.Result(ctx); !errors.As(err, &te) {
		t.Fatalf("flaky(1) with its own Retries(0) = %v; want its failure", err)
	}
	if n := counter(name).Load(); n != 1 {
		t.Fatalf("flaky(1) with its own Retries(0) ran %d times; want 1", n)
	}

	// Nested: the inner count wins.
	name = uniq(t)
	h, err := dusk.Submit[int](dusk.WithRetries(rctx, 1), c, fFlaky, name, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Result(ctx); !errors.As(err, &te) || !strings.Contains(te.Message, "flaky failure 2") {
		t.Fatalf("flaky(3) under WithRetries(1) inside WithRetries(3) = %v; want the second failure", err)
	}
	if n := counter(name).Load(); n != 2 {
		t.Fatalf("flaky(3) under an inner WithRetries(1) ran %d times; want 2", n)
	}
}

// Tasks submitted under WithPriority carry it: tasks that wait for a
// worker (restricted to one that joins only once all of them are known to
// be waiting, with one thread) run highest priority first, whether they
// came from Submit, Map or Persist; the inner WithPriority wins, and a
// function's own Priority wins over the context's.
func TestAnnotatePriority(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(1), dusk.LocalThreads(1))
	name := uniq(t)
	late := "late-" + name
	wctx := dusk.WithWorkers(ctx, late)
	var fs []*dusk.Future[int]
	submit := func(ctx context.Context, fn *dusk.Func, tag int) {
		t.Helper()
		f, err := dusk.Submit[int](ctx, c, fn, name, tag)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	submit(wctx, fRecord, 0)                                                  // no priority
	submit(dusk.WithPriority(wctx, 5), fRecord, 5)                            // Submit
	submit(dusk.WithPriority(dusk.WithPriority(wctx, -3), 7), fRecord, 7)     // nested
	submit(dusk.WithPriority(wctx, 20), fRecord.With(dusk.Priority(-5)), -5)  // the function's own
	submit(dusk.WithPriority(wctx, -8), fRecord.With(dusk.Workers(late)), -8) // its own Workers, the context's priority
	mapped, err := dusk.Map[int](dusk.WithPriority(wctx, 3), c, fRecordItem, []recordItem{{name, 3}, {name, 3}})
	if err != nil {
		t.Fatal(err)
	}
	fs = append(fs, mapped...)
	p, err := dusk.Persist(dusk.WithPriority(wctx, 10), c, dusk.Call[int](fRecord, name, 10))
	if err != nil {
		t.Fatal(err)
	}
	fs = append(fs, p)

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
	want := []int{10, 7, 5, 3, 3, 0, -5, -8}
	if got := orderOf(name); !slices.Equal(got, want) {
		t.Fatalf("tasks ran in the order %v; want highest priority first: %v", got, want)
	}
}
