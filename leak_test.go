package dusk_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/dusk-go/dusk/config"

	"github.com/dusk-go/dusk"
)

// TestNothingHeldAfterAClientLeaves runs a map from a second client of an
// in-process cluster, closes the client without releasing its futures,
// then does the same with a map six times larger, and checks that the heap
// is where the first left it: the scheduler, the workers and the
// diagnostics keep nothing per task of a graph whose client left. (The
// rings of recent events and of stories are full after the first map, so
// they do not grow in the second; a buffer that keeps the largest batch's
// tasks does.)
func TestNothingHeldAfterAClientLeaves(t *testing.T) {
	n := 60000
	if testing.Short() {
		n = 30000
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cfg := config.New()
	if err := cfg.Set("scheduler.events.capacity", 1000); err != nil {
		t.Fatal(err)
	}
	c, err := dusk.Connect(ctx, "", dusk.LocalWorkers(2), dusk.LocalThreads(1), dusk.Logger(quietLogger()), dusk.LocalConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	run := func(n int) uint64 {
		items := make([]int, n)
		for i := range items {
			items[i] = i
		}
		c2, err := dusk.Connect(ctx, c.Scheduler(), dusk.Token(c.Local().Token()), dusk.Logger(quietLogger()))
		if err != nil {
			t.Fatal(err)
		}
		fs, err := dusk.Map[int](ctx, c2, benchInc, items)
		if err != nil {
			t.Fatal(err)
		}
		vals, err := dusk.Gather(ctx, fs)
		if err != nil {
			t.Fatal(err)
		}
		if vals[n-1] != n {
			t.Fatalf("last = %d, want %d", vals[n-1], n)
		}
		c2.Close()
		fs, vals = nil, nil
		// The scheduler forgets the client's tasks when it sees it leave;
		// the workers drop their results when it tells them. Sync on both
		// with a round trip of the owning client once the count is 0.
		for c.Local().Snapshot().Tasks != 0 {
			time.Sleep(10 * time.Millisecond)
		}
		// The scheduler told the workers to drop the results before it
		// sends them anything else: a task on each, done, means dropped.
		ws, err := c.Workers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range ws {
			f, err := dusk.Submit[int](ctx, c, benchInc.With(dusk.Workers(w.Address)), i)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Result(ctx); err != nil {
				t.Fatal(err)
			}
			f.Release()
		}
		return heap()
	}
	first := run(n / 6)
	second := run(n)
	// The futures the program dropped are released by cleanups that the
	// runtime runs after a collection, on a goroutine of its own: give
	// them a chance to finish before calling what is left a leak.
	limit := int64(n) * 64 // a leak of the scheduler's tasks alone costs ~250 bytes a task
	for range 100 {
		if int64(second)-int64(first) <= limit {
			break
		}
		time.Sleep(10 * time.Millisecond)
		second = heap()
	}
	grew := int64(second) - int64(first)
	t.Logf("heap after a %d-task graph: %.1f MiB; after one of %d tasks: %.1f MiB (%+.1f MiB)",
		n/6, float64(first)/(1<<20), n, float64(second)/(1<<20), float64(grew)/(1<<20))
	if grew > limit {
		t.Errorf("the heap grew by %d bytes (%d per task) across a graph whose client left; want under %d", grew, grew/int64(n), limit)
	}
}

// heap returns the bytes of live objects on the heap.
func heap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
