package dusk_test

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/dusk-go/dusk"
)

// counterActor counts; Close fires the signal "closed-<name>".
type counterActor struct {
	name string
	n    int
}

func (c *counterActor) Incr() int             { c.n++; return c.n }
func (c *counterActor) Add(k int) int         { c.n += k; return c.n }
func (c *counterActor) Value() int            { return c.n }
func (c *counterActor) Reset()                { c.n = 0 }
func (c *counterActor) Fail(msg string) error { return errors.New(msg) }
func (c *counterActor) Boom() int             { panic("boom in " + c.name) }

// Hang blocks until the actor is dropped (its context ends).
func (c *counterActor) Hang(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func (c *counterActor) Close() error {
	sig("closed-" + c.name).fire()
	return nil
}

var aCounter = dusk.RegisterActor[counterActor]("it.counter", func(name string) *counterActor {
	return &counterActor{name: name}
})

// fActorIncr increments the counter n times from inside a task, through a
// handle passed as an argument, and returns the last count it saw.
var fActorIncr = dusk.Register("it.actor-incr", func(ctx context.Context, a *dusk.Actor[counterActor], n int) (int, error) {
	last := 0
	for range n {
		f, err := dusk.Invoke[int](ctx, a, "Incr")
		if err != nil {
			return 0, err
		}
		if last, err = f.Result(ctx); err != nil {
			return 0, err
		}
	}
	return last, nil
})

func invokeResult[R any](t *testing.T, ctx context.Context, a *dusk.Actor[counterActor], method string, args ...any) (R, error) {
	t.Helper()
	f, err := dusk.Invoke[R](ctx, a, method, args...)
	if err != nil {
		var zero R
		return zero, err
	}
	return f.Result(ctx)
}

// A thousand asynchronous calls from the client run in the order made.
func TestActorCallsRunInOrder(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	a, err := dusk.NewActor(ctx, c, aCounter, uniq(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	fs := make([]*dusk.ActorFuture[int], 1000)
	for i := range fs {
		if fs[i], err = dusk.Invoke[int](ctx, a, "Incr"); err != nil {
			t.Fatal(err)
		}
	}
	for i, f := range fs {
		if v, err := f.Result(ctx); err != nil || v != i+1 {
			t.Fatalf("call %d = %v, %v; want %d", i, v, err, i+1)
		}
	}
	// A method without a result, then one with arguments.
	if _, err := invokeResult[struct{}](t, ctx, a, "Reset"); err != nil {
		t.Fatal(err)
	}
	if v, err := invokeResult[int](t, ctx, a, "Add", 5); err != nil || v != 5 {
		t.Fatalf("Add(5) after Reset = %v, %v; want 5", v, err)
	}
}

// Tasks on every worker call one actor through handles passed as
// arguments: every call lands on the one instance.
func TestActorCalledFromTasks(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	a, err := dusk.NewActor(ctx, c, aCounter, uniq(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	addrs := workerAddrs(t, ctx, c)
	if len(addrs) != 2 {
		t.Fatalf("workers = %v; want 2", addrs)
	}
	var fs []*dusk.Future[int]
	for _, addr := range addrs {
		for range 3 {
			f, err := dusk.Submit[int](ctx, c, fActorIncr.With(dusk.Workers(addr)), a, 20)
			if err != nil {
				t.Fatal(err)
			}
			fs = append(fs, f)
		}
	}
	if _, err := dusk.Gather(ctx, fs); err != nil {
		t.Fatal(err)
	}
	if v, err := invokeResult[int](t, ctx, a, "Value"); err != nil || v != 6*20 {
		t.Fatalf("Value = %v, %v; want %d", v, err, 6*20)
	}
}

// A method's error or panic fails only its call; bad calls are errors at
// Invoke that name the actor type, the method and the argument.
func TestActorCallErrors(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	a, err := dusk.NewActor(ctx, c, aCounter, uniq(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	_, err = invokeResult[struct{}](t, ctx, a, "Fail", "no luck")
	var ce *dusk.ActorCallError
	if !errors.As(err, &ce) || ce.Message != "no luck" || ce.Method != "Fail" || ce.Panicked || ce.Worker != a.Worker() {
		t.Fatalf("Fail: err = %#v; want an ActorCallError with the method's message", err)
	}
	_, err = invokeResult[int](t, ctx, a, "Boom")
	if !errors.As(err, &ce) || !ce.Panicked || !strings.Contains(ce.Message, "boom") || !strings.Contains(ce.Stack, "Boom") {
		t.Fatalf("Boom: err = %#v; want a panic with its stack", err)
	}
	if errors.Is(err, dusk.ErrActorLost) {
		t.Fatalf("a panic is not a lost actor: %v", err)
	}
	// The actor lives on.
	if v, err := invokeResult[int](t, ctx, a, "Incr"); err != nil || v != 1 {
		t.Fatalf("Incr after the failures = %v, %v; want 1", v, err)
	}
	for _, tc := range []struct {
		method string
		args   []any
		want   []string
	}{
		{"Nope", nil, []string{"it.counter", `no method "Nope"`, "Incr"}},
		{"Add", []any{"x"}, []string{"it.counter.Add", "argument 1", "string", "int"}},
		{"Add", []any{1, 2}, []string{"it.counter.Add", "takes 1 arguments, got 2"}},
		{"Close", nil, []string{"release the actor instead"}},
	} {
		if _, err := dusk.Invoke[int](ctx, a, tc.method, tc.args...); err == nil {
			t.Errorf("%s%v: no error", tc.method, tc.args)
		} else {
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s%v: err = %v; want it to mention %q", tc.method, tc.args, err, w)
				}
			}
		}
	}
	if _, err := dusk.Invoke[string](ctx, a, "Value"); err == nil || !strings.Contains(err.Error(), "returns int, not string") {
		t.Errorf("Invoke[string] of an int method: err = %v", err)
	}
	if _, err := dusk.NewActor(ctx, c, aCounter, 3); err == nil || !strings.Contains(err.Error(), "argument 1") {
		t.Errorf("NewActor with an int for a string: err = %v", err)
	}
}

// Releasing an actor closes its instance on its worker; a task's handle
// on it then finds it gone.
func TestActorReleaseClosesInstance(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	name := uniq(t)
	a, err := dusk.NewActor(ctx, c, aCounter, name)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := invokeResult[int](t, ctx, a, "Incr"); err != nil || v != 1 {
		t.Fatalf("Incr = %v, %v", v, err)
	}
	a.Release()
	waitClosed(t, ctx, sig("closed-"+name).C(), "the released actor is closed")
	if _, err := dusk.Invoke[int](ctx, a, "Incr"); err == nil || !strings.Contains(err.Error(), "released") {
		t.Fatalf("Invoke after Release: err = %v", err)
	}
	f, err := dusk.Submit[int](ctx, c, fActorIncr, a, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Result(ctx); err == nil || !strings.Contains(err.Error(), "does not hold actor") || !strings.Contains(err.Error(), "create the actor again") {
		t.Fatalf("a task calling a released actor: err = %v", err)
	}
}

// The actor's worker closing fails pending and later calls as lost.
func TestActorWorkerCloses(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(1))
	name := uniq(t)
	stop := startStoppableWorker(t, c, "actor-host", 1, nil)
	waitUntil(t, ctx, "the extra worker runs", func() bool { return len(workerAddrs(t, ctx, c)) == 2 })
	a, err := dusk.NewActor(ctx, c, aCounter.On("actor-host"), name)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := invokeResult[int](t, ctx, a, "Incr"); err != nil || v != 1 {
		t.Fatalf("Incr = %v, %v", v, err)
	}
	hang, err := dusk.Invoke[struct{}](ctx, a, "Hang")
	if err != nil {
		t.Fatal(err)
	}
	queued, err := dusk.Invoke[int](ctx, a, "Incr")
	if err != nil {
		t.Fatal(err)
	}
	stop()
	for what, f := range map[string]interface {
		Done() <-chan struct{}
	}{"Hang": hang, "Incr": queued} {
		waitClosed(t, ctx, f.Done(), what+" ends")
	}
	if _, err := hang.Result(ctx); !errors.Is(err, dusk.ErrActorLost) || !strings.Contains(err.Error(), a.Worker()) {
		t.Fatalf("pending Hang: err = %v; want ErrActorLost naming the worker", err)
	}
	if _, err := queued.Result(ctx); !errors.Is(err, dusk.ErrActorLost) {
		t.Fatalf("queued Incr: err = %v; want ErrActorLost", err)
	}
	if _, err := invokeResult[int](t, ctx, a, "Incr"); !errors.Is(err, dusk.ErrActorLost) {
		t.Fatalf("a later Incr: err = %v; want ErrActorLost", err)
	}
	waitClosed(t, ctx, sig("closed-"+name).C(), "the closing worker closes the instance")
}

// The actor's worker process is killed: pending and later calls fail as
// lost, and a new actor can be created.
func TestActorWorkerProcessKilled(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalProcesses(), dusk.LocalWorkers(2), dusk.LocalThreads(1))
	ws, err := c.Workers(ctx)
	if err != nil || len(ws) != 2 {
		t.Fatalf("workers = %v, %v", ws, err)
	}
	victim, other := ws[0], ws[1]
	a, err := dusk.NewActor(ctx, c, aCounter.On(victim.Name), "doomed")
	if err != nil {
		t.Fatal(err)
	}
	if a.Worker() != victim.Address {
		t.Fatalf("actor on %s; want %s", a.Worker(), victim.Address)
	}
	if v, err := invokeResult[int](t, ctx, a, "Add", 41); err != nil || v != 41 {
		t.Fatalf("Add(41) = %v, %v", v, err)
	}
	hang, err := dusk.Invoke[struct{}](ctx, a, "Hang")
	if err != nil {
		t.Fatal(err)
	}
	queued, err := dusk.Invoke[int](ctx, a, "Incr")
	if err != nil {
		t.Fatal(err)
	}
	pid := c.Local().PIDs()[victim.Name]
	if pid == 0 {
		t.Fatalf("no PID for worker %s in %v", victim.Name, c.Local().PIDs())
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if _, err := hang.Result(ctx); !errors.Is(err, dusk.ErrActorLost) || !strings.Contains(err.Error(), "create the actor again") {
		t.Fatalf("pending Hang: err = %v; want ErrActorLost", err)
	}
	if _, err := queued.Result(ctx); !errors.Is(err, dusk.ErrActorLost) {
		t.Fatalf("queued Incr: err = %v; want ErrActorLost", err)
	}
	if _, err := invokeResult[int](t, ctx, a, "Incr"); !errors.Is(err, dusk.ErrActorLost) {
		t.Fatalf("a later Incr: err = %v; want ErrActorLost", err)
	}
	b, err := dusk.NewActor(ctx, c, aCounter.On(other.Name), "again")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if v, err := invokeResult[int](t, ctx, b, "Incr"); err != nil || v != 1 {
		t.Fatalf("Incr on a new actor = %v, %v; want 1", v, err)
	}
}
