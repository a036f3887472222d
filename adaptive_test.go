package dusk_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dusk-go/dusk"
)

// A cluster that adapts grows to its maximum under a burst of queued work
// (the work runs on the new workers), and once the work is done shrinks
// back to its minimum by retiring idle workers gracefully: the results
// they held are handed over first, and every future still reads right.
// Scale then sets the size by hand.
func TestAdaptGrowsUnderABurstAndShrinksWhenIdle(t *testing.T) {
	t.Run("goroutines", func(t *testing.T) { testAdapt(t) })
	t.Run("processes", func(t *testing.T) {
		if testing.Short() {
			t.Skip("starts worker processes")
		}
		testAdapt(t, dusk.LocalProcesses())
	})
}

func testAdapt(t *testing.T, opts ...dusk.Option) {
	ctx := testContext(t)
	c := newCluster(t, ctx, append([]dusk.Option{dusk.LocalWorkers(1), dusk.LocalThreads(1)}, opts...)...)
	lc := c.Local()
	if err := lc.Adapt(0, 4); err == nil {
		// 0 is a valid minimum; start again with 1.
		lc.StopAdapting()
	} else {
		t.Fatal(err)
	}
	if err := lc.Adapt(3, 2); err == nil {
		t.Fatal("Adapt(3, 2) was accepted")
	}
	if err := lc.Adapt(1, 3); err != nil {
		t.Fatal(err)
	}
	defer lc.StopAdapting()

	// 60 tasks of the unknown duration (0.5 s each): 30 s of work wants
	// six workers for 5 s; the maximum is three.
	gate := t.TempDir()
	fs := make([]*dusk.Future[int], 60)
	for i := range fs {
		f, err := dusk.Submit[int](ctx, c, faultSquare, gate, i)
		if err != nil {
			t.Fatal(err)
		}
		fs[i] = f
	}
	waitUntil(t, ctx, "the cluster grew to three workers", func() bool { return len(workersNow(t, ctx, c)) == 3 })
	if err := os.WriteFile(filepath.Join(gate, "open"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := dusk.Gather(ctx, fs)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i*i {
			t.Fatalf("task %d = %d", i, v)
		}
	}
	// Hold the size while looking at where the results are.
	lc.StopAdapting()
	held := 0
	for _, w := range workersNow(t, ctx, c) {
		if w.NBytes > 0 {
			held++
		}
	}
	if held < 2 {
		t.Fatalf("the results are on %d workers; the burst did not spread", held)
	}
	if err := lc.Adapt(1, 3); err != nil {
		t.Fatal(err)
	}

	waitUntil(t, ctx, "the idle cluster shrank to one worker", func() bool { return len(workersNow(t, ctx, c)) == 1 })
	// Nothing was lost with the retired workers.
	got, err = dusk.Gather(ctx, fs)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i*i {
			t.Fatalf("after shrinking, task %d = %d", i, v)
		}
	}
	if n := workersNow(t, ctx, c)[0].NBytes; n == 0 {
		t.Fatal("the last worker holds none of the results")
	}

	lc.StopAdapting()
	if err := lc.Scale(ctx, 2); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "Scale(2) started a worker", func() bool { return len(workersNow(t, ctx, c)) == 2 })
	if err := lc.Scale(ctx, 1); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "Scale(1) retired one", func() bool { return len(workersNow(t, ctx, c)) == 1 })
	if v, err := fs[59].Result(ctx); err != nil || v != 59*59 {
		t.Fatalf("after Scale, the last result = %v, %v", v, err)
	}
	if err := lc.Scale(ctx, -1); err == nil {
		t.Fatal("Scale(-1) was accepted")
	}
}
