package dusk_test

import (
	"context"
	"errors"
	"iter"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dusk-go/dusk"
)

func TestSubmitResult(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	f, err := dusk.Submit[int](ctx, c, fInc, 41)
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.Result(ctx)
	if err != nil || v != 42 {
		t.Fatalf("Result = %v, %v; want 42", v, err)
	}
	if f.Status() != dusk.Finished {
		t.Fatalf("Status = %s, want finished", f.Status())
	}
	if f.Err() != nil {
		t.Fatalf("Err = %v", f.Err())
	}
	if !strings.HasPrefix(string(f.Key()), "it.inc-") {
		t.Errorf("key %q does not start with the function's name", f.Key())
	}
	// Result may be asked again.
	if v, err := f.Result(ctx); err != nil || v != 42 {
		t.Fatalf("second Result = %v, %v", v, err)
	}
	select {
	case <-f.Done():
	default:
		t.Fatal("Done is not closed after Result")
	}
}

func TestResultAfterReleaseIsAnError(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	f, err := dusk.Submit[int](ctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	f.Release()
	if _, err := f.Result(ctx); err == nil || !strings.Contains(err.Error(), "released") {
		t.Fatalf("Result of a released future = %v; want an error saying it was released", err)
	}
}

func TestMapGatherKeepsOrder(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	items := make([]int, 200)
	for i := range items {
		items[i] = (i * 7919) % 1000 // not sorted
	}
	fs, err := dusk.Map[int](ctx, c, fDouble, items)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != len(items) {
		t.Fatalf("Map returned %d futures for %d items", len(fs), len(items))
	}
	got, err := dusk.Gather(ctx, fs)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != 2*items[i] {
			t.Fatalf("result %d = %d, want %d", i, v, 2*items[i])
		}
	}
}

// Results finishing in reverse order still come back in submission order.
func TestGatherOrderWhenTasksFinishOutOfOrder(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalThreads(8))
	name := uniq(t)
	const n = 6
	fs := make([]*dusk.Future[int], n)
	for i := range fs {
		f, err := dusk.Submit[int](ctx, c, fGated, name+"/"+string(rune('a'+i)), i*10)
		if err != nil {
			t.Fatal(err)
		}
		fs[i] = f
	}
	for i := n - 1; i >= 0; i-- {
		sig(name + "/" + string(rune('a'+i))).fire()
		if err := fs[i].Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got, err := dusk.Gather(ctx, fs)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i*10 {
			t.Fatalf("Gather = %v; want results in submission order", got)
		}
	}
}

func TestMapAndGatherEmpty(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	fs, err := dusk.Map[int](ctx, c, fDouble, []int{})
	if err != nil || len(fs) != 0 {
		t.Fatalf("Map of nothing = %v, %v", fs, err)
	}
	got, err := dusk.Gather(ctx, fs)
	if err != nil || len(got) != 0 {
		t.Fatalf("Gather of nothing = %v, %v", got, err)
	}
}

func TestWait(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	fs, err := dusk.Map[int](ctx, c, fInc, []int{1, 2, 3, 4, 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := dusk.Wait(ctx, fs...); err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Status() != dusk.Finished {
			t.Fatalf("%s after Wait", f)
		}
	}
	// Wait reports a failure among the futures.
	bad, err := dusk.Submit[int](ctx, c, fFlaky, uniq(t), 100)
	if err != nil {
		t.Fatal(err)
	}
	all := append(slices.Clone(fs), bad)
	err = dusk.Wait(ctx, all...)
	var te *dusk.TaskError
	if !errors.As(err, &te) || te.Key != string(bad.Key()) {
		t.Fatalf("Wait with a failed future = %v; want its *dusk.TaskError", err)
	}
	// Wait gives up with the context.
	name := uniq(t)
	blocked, err := dusk.Submit[int](ctx, c, fGated, name, 1)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithCancel(ctx)
	cancel()
	if err := dusk.Wait(short, blocked); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with a cancelled context = %v", err)
	}
	sig(name).fire()
	if err := dusk.Wait(ctx, blocked); err != nil {
		t.Fatal(err)
	}
}

// AsCompleted yields every future once, in the order they finish.
func TestAsCompletedYieldsEachOnceInFinishOrder(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalThreads(8))
	name := uniq(t)
	const n = 6
	fs := make([]*dusk.Future[int], n)
	for i := range fs {
		f, err := dusk.Submit[int](ctx, c, fGated, name+"/"+string(rune('a'+i)), i)
		if err != nil {
			t.Fatal(err)
		}
		fs[i] = f
	}
	next, stop := iter.Pull(dusk.AsCompleted(ctx, fs))
	defer stop()
	open := []int{3, 0, 5, 1, 4, 2}
	for _, i := range open {
		sig(name + "/" + string(rune('a'+i))).fire()
		f, ok := next()
		if !ok {
			t.Fatal("AsCompleted ended early")
		}
		if f != fs[i] {
			t.Fatalf("AsCompleted yielded %s; want %s, the one that just finished", f, fs[i])
		}
		if v, err := f.Result(ctx); err != nil || v != i {
			t.Fatalf("Result = %v, %v", v, err)
		}
	}
	if f, ok := next(); ok {
		t.Fatalf("AsCompleted yielded %s after every future", f)
	}
}

func TestAsCompletedYieldsEveryFutureOnce(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	items := make([]int, 50)
	for i := range items {
		items[i] = i
	}
	fs, err := dusk.Map[int](ctx, c, fInc, items)
	if err != nil {
		t.Fatal(err)
	}
	// Some are done before AsCompleted starts, some after.
	if err := fs[0].Wait(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[dusk.Key]int{}
	for f := range dusk.AsCompleted(ctx, fs) {
		seen[f.Key()]++
	}
	if len(seen) != len(fs) {
		t.Fatalf("AsCompleted yielded %d distinct futures of %d", len(seen), len(fs))
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("%s yielded %d times", k, n)
		}
	}
}

func TestFuturesAsArguments(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	a, err := dusk.Submit[int](ctx, c, fInc, 1) // 2
	if err != nil {
		t.Fatal(err)
	}
	b, err := dusk.Submit[int](ctx, c, fDouble, a) // 4
	if err != nil {
		t.Fatal(err)
	}
	s, err := dusk.Submit[int](ctx, c, fAdd, a, b) // 6
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Result(ctx); err != nil || v != 6 {
		t.Fatalf("add(inc(1), double(inc(1))) = %v, %v; want 6", v, err)
	}
	// The inputs are still there for the client.
	if v, err := a.Result(ctx); err != nil || v != 2 {
		t.Fatalf("a = %v, %v", v, err)
	}
	// A future released after it was passed on still feeds the task.
	x, err := dusk.Submit[int](ctx, c, fInc, 10)
	if err != nil {
		t.Fatal(err)
	}
	y, err := dusk.Submit[int](ctx, c, fDouble, x)
	if err != nil {
		t.Fatal(err)
	}
	x.Release()
	if v, err := y.Result(ctx); err != nil || v != 22 {
		t.Fatalf("double(inc(10)) after releasing the input = %v, %v; want 22", v, err)
	}
}

func TestSliceOfFuturesAsArgument(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	items := make([]int, 100)
	for i := range items {
		items[i] = i
	}
	fs, err := dusk.Map[int](ctx, c, fInc, items)
	if err != nil {
		t.Fatal(err)
	}
	total, err := dusk.Submit[int](ctx, c, fSum, fs)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := total.Result(ctx); err != nil || v != 5050 {
		t.Fatalf("sum = %v, %v; want 5050", v, err)
	}
	// A slice of futures also fills a variadic parameter's items.
	total2, err := dusk.Submit[int](ctx, c, fSumV, fs[0], fs[1], fs[2])
	if err != nil {
		t.Fatal(err)
	}
	if v, err := total2.Result(ctx); err != nil || v != 6 {
		t.Fatalf("sumv(futures) = %v, %v; want 6", v, err)
	}
}

func TestVariadicFunctions(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	cases := []struct {
		args []any
		want int
	}{
		{nil, 0},
		{[]any{5}, 5},
		{[]any{1, 2, 3, 4}, 10},
	}
	for _, tc := range cases {
		f, err := dusk.Submit[int](ctx, c, fSumV, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := f.Result(ctx); err != nil || v != tc.want {
			t.Fatalf("sumv%v = %v, %v; want %d", tc.args, v, err, tc.want)
		}
	}
	j, err := dusk.Submit[string](ctx, c, fJoin, "-", "a", "b", "c")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := j.Result(ctx); err != nil || v != "a-b-c" {
		t.Fatalf("join = %q, %v", v, err)
	}
	j0, err := dusk.Submit[string](ctx, c, fJoin, "-")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := j0.Result(ctx); err != nil || v != "" {
		t.Fatalf("join with no parts = %q, %v", v, err)
	}
	// A future fills a variadic item.
	word, err := dusk.Submit[string](ctx, c, fJoin, "", "x", "y")
	if err != nil {
		t.Fatal(err)
	}
	j2, err := dusk.Submit[string](ctx, c, fJoin, "/", word, "z")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := j2.Result(ctx); err != nil || v != "xy/z" {
		t.Fatalf("join with a future = %q, %v", v, err)
	}
}

func TestFunctionShapes(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)

	// context, no arguments, no error
	f1, err := dusk.Submit[int](ctx, c, fAnswer)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f1.Result(ctx); err != nil || v != 42 {
		t.Fatalf("answer = %v, %v", v, err)
	}
	// no context, no error
	f2, err := dusk.Submit[int](ctx, c, fAdd, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f2.Result(ctx); err != nil || v != 5 {
		t.Fatalf("add = %v, %v", v, err)
	}
	// context and error, returning a value
	f3, err := dusk.Submit[int](ctx, c, fInc, 2)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f3.Result(ctx); err != nil || v != 3 {
		t.Fatalf("inc = %v, %v", v, err)
	}
	// only an error: success, as struct{} and as any
	f4, err := dusk.Submit[struct{}](ctx, c, fCheck, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f4.Result(ctx); err != nil {
		t.Fatalf("check(1) = %v", err)
	}
	// only an error: failure
	f6, err := dusk.Submit[struct{}](ctx, c, fCheck, -1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f6.Result(ctx)
	var te *dusk.TaskError
	if !errors.As(err, &te) || te.Kind != "error" || !strings.Contains(te.Message, "-1 is negative") {
		t.Fatalf("check(-1) = %v; want a task error saying -1 is negative", err)
	}
	// structs in and out
	f7, err := dusk.Submit[point](ctx, c, fMove, point{X: 1, Y: 2, Tag: "p"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f7.Result(ctx); err != nil || v != (point{X: 11, Y: 2, Tag: "p+"}) {
		t.Fatalf("move = %+v, %v", v, err)
	}
	// bytes, and a future of one type feeding a function
	f8, err := dusk.Submit[[]byte](ctx, c, fBytes, 1000)
	if err != nil {
		t.Fatal(err)
	}
	f9, err := dusk.Submit[int](ctx, c, fLen, f8)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f9.Result(ctx); err != nil || v != 1000 {
		t.Fatalf("len(bytes(1000)) = %v, %v", v, err)
	}
	// a number of another type is converted to the parameter's type
	f10, err := dusk.Submit[int](ctx, c, fAdd, int32(2), int64(5))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f10.Result(ctx); err != nil || v != 7 {
		t.Fatalf("add(int32, int64) = %v, %v", v, err)
	}
}

// Two clients share a cluster; a future belongs to its own client.
func TestSecondClientOnTheSameCluster(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	c2, err := dusk.Connect(ctx, c.Scheduler(), dusk.Token(c.Local().Token()), dusk.Logger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	f, err := dusk.Submit[int](ctx, c2, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 2 {
		t.Fatalf("second client's result = %v, %v", v, err)
	}
	_, err = dusk.Submit[int](ctx, c, fInc, f)
	if err == nil || !strings.Contains(err.Error(), "another client") {
		t.Fatalf("passing another client's future = %v; want an error saying it belongs to another client", err)
	}
	// Closing one client leaves the other working.
	c2.Close()
	g, err := dusk.Submit[int](ctx, c, fInc, 5)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := g.Result(ctx); err != nil || v != 6 {
		t.Fatalf("after the other client closed: %v, %v", v, err)
	}
}

func TestClosedClient(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := dusk.Submit[int](ctx, c, fInc, 1); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("Submit on a closed client = %v; want an error saying it is closed", err)
	}
}

// A function that returns only an error, submitted as Future[any]: its
// result is nil.
func TestErrorOnlyFunctionAsAny(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	f, err := dusk.Submit[any](ctx, c, fCheck, 2)
	if err != nil {
		t.Fatal(err)
	}
	v, err := resultNoPanic(t, ctx, f)
	if err != nil || v != nil {
		t.Fatalf("check(2) as any = %v, %v; want nil, nil", v, err)
	}
	// The same through ComputeAll and PersistAll, which use any.
	out, err := dusk.ComputeAll(ctx, c, []dusk.Lazy{dusk.Call[any](fCheck, 3)})
	if err != nil || len(out) != 1 || out[0] != nil {
		t.Fatalf("ComputeAll(check) = %v, %v", out, err)
	}
}

// resultNoPanic is f.Result, with a panic inside it turned into a test
// failure so that the rest of the suite still runs.
func resultNoPanic[T any](t *testing.T, ctx context.Context, f *dusk.Future[T]) (v T, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("BUG: Future.Result panicked: %v", r)
		}
	}()
	return f.Result(ctx)
}

// A future dropped without Release is released when it is garbage
// collected: the client stops holding its key.
func TestFutureReleasedWhenGarbageCollected(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	key := func() dusk.Key {
		f, err := dusk.Submit[int](ctx, c, fInc, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		return f.Key()
	}()
	held := func() bool {
		for _, k := range c.Futures() {
			if k.Key() == key {
				return true
			}
		}
		return false
	}
	settle, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	if !eventually(settle, func() bool { runtime.GC(); return !held() }) {
		t.Fatalf("the client still holds %s after its only future became garbage and was collected", key)
	}
}

// The futures of one Map are released one by one as each becomes garbage:
// one still held keeps its own key, and only its own.
func TestMapFuturesReleasedOneByOneWhenGarbageCollected(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	fs, err := dusk.Map[int](ctx, c, fInc, []int{1, 2, 3, 4, 5, 6, 7, 8})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dusk.Gather(ctx, fs); err != nil {
		t.Fatal(err)
	}
	kept := fs[3]
	keep := kept.Key()
	fs = nil
	held := func() []dusk.Key {
		var ks []dusk.Key
		for _, f := range c.Futures() {
			ks = append(ks, f.Key())
		}
		return ks
	}
	settle, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	if !eventually(settle, func() bool { runtime.GC(); ks := held(); return len(ks) == 1 && ks[0] == keep }) {
		t.Fatalf("the client holds %v; want only %s, the one future of the Map still in use", held(), keep)
	}
	if v, err := kept.Result(ctx); err != nil || v != 5 {
		t.Fatalf("the future kept: %v, %v; want 5", v, err)
	}
}

// Results are read correctly while the garbage collector runs: a future
// whose last use is its own Result call is not released under it.
func TestResultWhileGarbageCollecting(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	const big = 1 << 20 // a result that takes a while to fetch
	for i := range 30 {
		f, err := dusk.Submit[[]byte](ctx, c, fBytes, big+i)
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.Result(ctx) // the last use of f
		if err != nil || len(b) != big+i {
			t.Fatalf("round %d: Result = %d bytes, %v", i, len(b), err)
		}
		fs, err := dusk.Map[int](ctx, c, fInc, []int{i, i + 1, i + 2})
		if err != nil {
			t.Fatal(err)
		}
		got, err := dusk.Gather(ctx, fs) // the last use of fs
		if err != nil || len(got) != 3 || got[2] != i+3 {
			t.Fatalf("round %d: Gather = %v, %v", i, got, err)
		}
	}
}

// When the scheduler goes away, pending futures end as lost with an error
// that says the connection was lost, and new submissions fail.
func TestSchedulerGoneFuturesLost(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	c2, err := dusk.Connect(ctx, c.Scheduler(), dusk.Token(c.Local().Token()), dusk.Logger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	// A task no worker can run: it is pending when the scheduler stops.
	f, err := dusk.Submit[int](ctx, c2, fInc.With(dusk.Workers("nobody-"+uniq(t))), 1)
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "the task is reported stalled", func() bool { _, ok := c2.Stalled()[f.Key()]; return ok })
	if err := c.Close(); err != nil { // stops the cluster
		t.Fatal(err)
	}
	err = f.Wait(ctx)
	if err == nil || !strings.Contains(err.Error(), "lost the connection to the scheduler") {
		t.Fatalf("a pending future when the scheduler stopped: %v; want an error saying the connection was lost", err)
	}
	if f.Status() != dusk.Lost {
		t.Fatalf("Status = %s, want lost", f.Status())
	}
	if _, err := dusk.Submit[int](ctx, c2, fInc, 1); err == nil {
		t.Fatal("Submit after the scheduler stopped succeeded")
	}
}
