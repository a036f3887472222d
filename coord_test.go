package dusk_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
)

// secondClient connects another client to c's local cluster.
func secondClient(t *testing.T, ctx context.Context, c *dusk.Client) *dusk.Client {
	t.Helper()
	c2, err := dusk.Connect(ctx, c.Scheduler(), dusk.Token(c.Local().Token()), dusk.Logger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c2.Close() })
	return c2
}

// fProduce puts n squares into queue name from inside a task.
var fProduce = dusk.Register("it.produce", func(ctx context.Context, name string, from, n int) (int, error) {
	c, err := dusk.TaskClient(ctx)
	if err != nil {
		return 0, err
	}
	q := dusk.NewQueue[int](c, name, 4)
	for i := from; i < from+n; i++ {
		if err := q.Put(ctx, i*i); err != nil {
			return 0, err
		}
	}
	return n, nil
})

func TestQueueBetweenTasksAndClient(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	name := uniq(t)
	// Two producer tasks fill a queue of 4 items; the client drains it
	// while they run (they wait for room).
	var prods []*dusk.Future[int]
	for _, from := range []int{0, 100} {
		f, err := dusk.Submit[int](ctx, c, fProduce, name, from, 20)
		if err != nil {
			t.Fatal(err)
		}
		prods = append(prods, f)
	}
	q := dusk.NewQueue[int](c, name, 4)
	var got []int
	for range 40 {
		v, err := q.Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if _, err := dusk.Gather(ctx, prods); err != nil {
		t.Fatal(err)
	}
	// Each producer's items come in its order.
	var a, b []int
	for _, v := range got {
		if v < 100*100 {
			a = append(a, v)
		} else {
			b = append(b, v)
		}
	}
	if len(a) != 20 || len(b) != 20 || !slices.IsSorted(a) || !slices.IsSorted(b) {
		t.Fatalf("got %v", got)
	}
	if n, err := q.Len(ctx); err != nil || n != 0 {
		t.Fatalf("Len = %d, %v", n, err)
	}
	if _, ok, err := q.TryGet(ctx); ok || err != nil {
		t.Fatalf("TryGet on an empty queue = %v, %v", ok, err)
	}
}

func TestQueueGetThatGivesUpTakesNothing(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(1))
	q := dusk.NewQueue[string](c, uniq(t), 0)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := q.Get(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get on an empty queue with a deadline: %v", err)
	}
	if err := q.Put(ctx, "kept"); err != nil {
		t.Fatal(err)
	}
	if v, err := q.Get(ctx); err != nil || v != "kept" {
		t.Fatalf("Get = %q, %v; the item went to the Get that gave up", v, err)
	}
	// The wrong type is an error, not a conversion.
	if err := q.Put(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := dusk.NewQueue[int](c, q.Name(), 0).Get(ctx); err == nil || !strings.Contains(err.Error(), "holds a string, not a int") {
		t.Fatalf("Get as int of a string: %v", err)
	}
	if _, err := dusk.NewQueue[string](c, q.Name(), 3).Len(ctx); err == nil || !strings.Contains(err.Error(), "at most 0") {
		t.Fatalf("a queue opened with another bound: %v", err)
	}
}

func TestFuturesTravelThroughQueuesAndVariables(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	c2 := secondClient(t, ctx, c)
	name := uniq(t)
	f, err := dusk.Submit[int](ctx, c, fInc, 41)
	if err != nil {
		t.Fatal(err)
	}
	if err := dusk.NewQueue[*dusk.Future[int]](c, name, 0).Put(ctx, f); err != nil {
		t.Fatal(err)
	}
	if err := dusk.NewVariable[*dusk.Future[int]](c, name).Set(ctx, f); err != nil {
		t.Fatal(err)
	}
	key := f.Key()
	f.Release()
	// The queue and the variable keep it; c2 takes it from both.
	g, err := dusk.NewQueue[*dusk.Future[int]](c2, name, 0).Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g.Key() != key {
		t.Fatalf("got %s, put %s", g.Key(), key)
	}
	if v, err := g.Result(ctx); err != nil || v != 42 {
		t.Fatalf("Result = %v, %v", v, err)
	}
	h, err := dusk.NewVariable[*dusk.Future[int]](c2, name).Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := h.Result(ctx); err != nil || v != 42 {
		t.Fatalf("Result = %v, %v", v, err)
	}
	if _, err := dusk.NewVariable[int](c2, name).Get(ctx); err == nil || !strings.Contains(err.Error(), "future") {
		t.Fatalf("a future read as an int: %v", err)
	}
}

func TestVariableWaitsUntilSet(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(1))
	v := dusk.NewVariable[[]string](c, uniq(t))
	if _, ok, err := v.TryGet(ctx); ok || err != nil {
		t.Fatalf("TryGet of an unset variable = %v, %v", ok, err)
	}
	got := make(chan []string, 1)
	go func() {
		x, err := v.Get(ctx)
		if err != nil {
			t.Error(err)
		}
		got <- x
	}()
	if err := v.Set(ctx, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	if x := <-got; !slices.Equal(x, []string{"a", "b"}) {
		t.Fatalf("Get = %v", x)
	}
}

// fLockedIncrement adds one to the number in file path under lock name:
// without the lock, concurrent tasks would lose increments.
var fLockedIncrement = dusk.Register("it.locked-increment", func(ctx context.Context, name, path string) (int, error) {
	c, err := dusk.TaskClient(ctx)
	if err != nil {
		return 0, err
	}
	l := dusk.NewLock(c, name)
	if err := l.Acquire(ctx); err != nil {
		return 0, err
	}
	defer l.Release(context.WithoutCancel(ctx))
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, err
	}
	runtimeYield()
	return n + 1, os.WriteFile(path, []byte(strconv.Itoa(n+1)), 0o644)
})

// runtimeYield gives other goroutines a chance to interleave, which
// makes a missing lock show.
func runtimeYield() {
	for range 100 {
		time.Sleep(0)
	}
}

func TestLockGuardsASharedFile(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	path := filepath.Join(t.TempDir(), "count")
	if err := os.WriteFile(path, []byte("0"), 0o644); err != nil {
		t.Fatal(err)
	}
	name := uniq(t)
	var fs []*dusk.Future[int]
	for range 40 {
		f, err := dusk.Submit[int](ctx, c, fLockedIncrement, name, path)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	vs, err := dusk.Gather(ctx, fs)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(vs)
	for i, v := range vs {
		if v != i+1 {
			t.Fatalf("the tasks saw %v: an increment was lost", vs)
		}
	}
	l := dusk.NewLock(c, name)
	if ok, err := l.TryAcquire(ctx); !ok || err != nil {
		t.Fatalf("the lock is still held after every task: %v, %v", ok, err)
	}
	if err := l.Acquire(ctx); err == nil {
		t.Fatal("a Lock acquired twice")
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(ctx); err == nil {
		t.Fatal("a Lock released twice")
	}
}

// fUnderSemaphore runs while holding a lease of semaphore name, counting
// how many run at once in counter name.
var fUnderSemaphore = dusk.Register("it.under-semaphore", func(ctx context.Context, name string) (int64, error) {
	c, err := dusk.TaskClient(ctx)
	if err != nil {
		return 0, err
	}
	lease, err := dusk.NewSemaphore(c, name, 2).Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer lease.Release(context.WithoutCancel(ctx))
	now := counter(name).Add(1)
	defer counter(name).Add(-1)
	for {
		peak := counter(name + "-peak")
		old := peak.Load()
		if now <= old || peak.CompareAndSwap(old, now) {
			break
		}
	}
	runtimeYield()
	return now, nil
})

func TestSemaphoreBoundsConcurrency(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(2), dusk.LocalThreads(3))
	name := uniq(t)
	var fs []*dusk.Future[int64]
	for range 30 {
		f, err := dusk.Submit[int64](ctx, c, fUnderSemaphore, name)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	if _, err := dusk.Gather(ctx, fs); err != nil {
		t.Fatal(err)
	}
	if peak := counter(name + "-peak").Load(); peak > 2 || peak < 1 {
		t.Fatalf("%d tasks held a lease at once; the semaphore has 2", peak)
	}
	s := dusk.NewSemaphore(c, name, 2)
	l1, _ := s.Acquire(ctx)
	l2, _ := s.Acquire(ctx)
	if _, ok, err := s.TryAcquire(ctx); ok || err != nil {
		t.Fatalf("a third lease: %v, %v", ok, err)
	}
	if err := l1.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l1.Release(ctx); !errors.Is(err, dusk.ErrLeaseLost) {
		t.Fatalf("a lease released twice: %v", err)
	}
	_ = l2.Release(ctx)
}

// fWaitForEvent waits for event name, then returns x.
var fWaitForEvent = dusk.Register("it.wait-event", func(ctx context.Context, name string, x int) (int, error) {
	c, err := dusk.TaskClient(ctx)
	if err != nil {
		return 0, err
	}
	if err := dusk.NewEvent(c, name).Wait(ctx); err != nil {
		return 0, err
	}
	return x, nil
})

func TestEventReleasesWaitingTasks(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	name := uniq(t)
	var fs []*dusk.Future[int]
	for i := range 3 {
		f, err := dusk.Submit[int](ctx, c, fWaitForEvent, name, i)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	ev := dusk.NewEvent(c, name)
	if set, err := ev.IsSet(ctx); set || err != nil {
		t.Fatalf("IsSet = %v, %v", set, err)
	}
	if err := ev.Set(ctx); err != nil {
		t.Fatal(err)
	}
	if vs, err := dusk.Gather(ctx, fs); err != nil || !slices.Equal(vs, []int{0, 1, 2}) {
		t.Fatalf("Gather = %v, %v", vs, err)
	}
	if err := ev.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if set, err := ev.IsSet(ctx); set || err != nil {
		t.Fatalf("IsSet after Clear = %v, %v", set, err)
	}
}

func TestTopicPubSub(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(1))
	c2 := secondClient(t, ctx, c)
	name := uniq(t)
	sub1, err := dusk.NewTopic[string](c, name).Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sub2, err := dusk.NewTopic[string](c2, name).Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pub := dusk.NewTopic[string](c2, name)
	for i := range 5 {
		if n, err := pub.Publish(ctx, fmt.Sprint("m", i)); err != nil || n != 2 {
			t.Fatalf("Publish = %d, %v; want 2 subscriptions", n, err)
		}
	}
	for _, sub := range []*dusk.Subscription[string]{sub1, sub2} {
		var got []string
		for v, err := range sub.All(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			if got = append(got, v); len(got) == 5 {
				break
			}
		}
		if !slices.Equal(got, []string{"m0", "m1", "m2", "m3", "m4"}) {
			t.Fatalf("a subscription got %v", got)
		}
	}
	if err := sub1.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := pub.Publish(ctx, "after"); err != nil || n != 1 {
		t.Fatalf("Publish after a Close = %d, %v; want 1", n, err)
	}
	if _, err := sub1.Next(ctx); err == nil {
		t.Fatal("Next on a closed subscription worked")
	}
}

func TestPublishedDatasetOutlivesItsClient(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	name := uniq(t)
	c1 := secondClient(t, ctx, c)
	fs, err := dusk.Map[int](ctx, c1, fInc, []int{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := c1.Publish(ctx, name, fs); err != nil {
		t.Fatal(err)
	}
	if err := c1.Publish(ctx, name, fs[0]); err == nil || !strings.Contains(err.Error(), "published already") {
		t.Fatalf("publishing a name twice: %v", err)
	}
	if err := c1.Publish(ctx, name+"-x", 7); err == nil || !strings.Contains(err.Error(), "neither a future") {
		t.Fatalf("publishing an int: %v", err)
	}
	c1.Close()
	names, err := c.Datasets(ctx)
	if err != nil || !slices.Contains(names, name) {
		t.Fatalf("Datasets = %v, %v", names, err)
	}
	d, err := c.Dataset(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	dfs, err := dusk.DatasetFutures[int](d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dusk.Gather(ctx, dfs)
	if err != nil || !slices.Equal(got, []int{2, 3, 4}) {
		t.Fatalf("the dataset's values = %v, %v", got, err)
	}
	if err := c.Unpublish(ctx, name); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Dataset(ctx, name); err == nil || !strings.Contains(err.Error(), "no dataset") {
		t.Fatalf("an unpublished dataset: %v", err)
	}
	// d still holds the data.
	dfs, err = dusk.DatasetFutures[int](d)
	if err != nil {
		t.Fatal(err)
	}
	got, err = dusk.Gather(ctx, dfs)
	if err != nil || !slices.Equal(got, []int{2, 3, 4}) {
		t.Fatalf("after Unpublish, the values = %v, %v", got, err)
	}
	d.Release()
	if _, err := dusk.DatasetFutures[int](d); err == nil {
		t.Fatal("a released Dataset gave futures")
	}
}

// envLockHolder makes the test binary a client that takes a lock and
// waits to be killed (see lockHolder).
const envLockHolder = "DUSK_TEST_LOCK_HOLDER"

// lockHolder connects to the scheduler of envLockHolder, acquires the
// lock named by DUSK_TEST_LOCK_NAME, says "held" and waits.
func lockHolder() int {
	ctx := context.Background()
	c, err := dusk.Connect(ctx, os.Getenv(envLockHolder))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	if err := dusk.NewLock(c, os.Getenv("DUSK_TEST_LOCK_NAME")).Acquire(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	fmt.Println("held")
	select {}
}

func TestLockOfAKilledHolderGoesToTheNextWaiter(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(1))
	name := uniq(t)
	cmd := startClientProcess(t, ctx, c, "held", envLockHolder+"="+c.Scheduler(), "DUSK_TEST_LOCK_NAME="+name)
	l := dusk.NewLock(c, name)
	if ok, err := l.TryAcquire(ctx); ok || err != nil {
		t.Fatalf("the lock was free while another process held it: %v, %v", ok, err)
	}
	var acquired atomic.Bool
	done := make(chan error, 1)
	go func() {
		err := l.Acquire(ctx)
		acquired.Store(err == nil)
		done <- err
	}()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if err := <-done; err != nil {
		t.Fatalf("Acquire after the holder died: %v", err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

// fHoldLock takes lock name, sets event name, and holds the lock until
// its worker dies. Run again (after its worker died), it finds marker and
// returns at once.
var fHoldLock = dusk.Register("it.hold-lock", func(ctx context.Context, name, marker string) (int, error) {
	if _, err := os.Stat(marker); err == nil {
		return 1, nil
	}
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		return 0, err
	}
	c, err := dusk.TaskClient(ctx)
	if err != nil {
		return 0, err
	}
	if err := dusk.NewLock(c, name).Acquire(ctx); err != nil {
		return 0, err
	}
	if err := dusk.NewEvent(c, name).Set(ctx); err != nil {
		return 0, err
	}
	<-ctx.Done()
	return 0, ctx.Err()
})

// A task that holds a lock loses it when its worker process dies: the
// lock goes to the client waiting for it.
func TestLockOfAKilledWorkersTaskGoesToTheNextWaiter(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalProcesses(), dusk.LocalWorkers(2), dusk.LocalThreads(1))
	name := uniq(t)
	f, err := dusk.Submit[int](ctx, c, fHoldLock.With(dusk.Workers("worker-0")), name, filepath.Join(t.TempDir(), "ran"))
	if err != nil {
		t.Fatal(err)
	}
	if err := dusk.NewEvent(c, name).Wait(ctx); err != nil {
		t.Fatal(err)
	}
	l := dusk.NewLock(c, name)
	if ok, err := l.TryAcquire(ctx); ok || err != nil {
		t.Fatalf("the lock was free while a task held it: %v, %v", ok, err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Acquire(ctx) }()
	if err := syscall.Kill(c.Local().PIDs()["worker-0"], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Acquire after the holder's worker died: %v", err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 1 {
		t.Fatalf("the holder task, run again, = %v, %v", v, err)
	}
}
