package dusk_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dusk-go/dusk"
)

// Futures added while Completed is iterated are handed out too; Results
// gives a failed task's error without stopping.
func TestCompletedAddWhileIterating(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	first, err := dusk.Submit[int](ctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	ac := dusk.NewCompleted(first)
	var got []int
	var errs []string
	added := false
	for f, r := range ac.Results(ctx) {
		if f == nil {
			t.Fatal(r.Err)
		}
		if r.Err != nil {
			errs = append(errs, r.Err.Error())
		} else {
			got = append(got, r.Value)
		}
		if !added {
			added = true
			more, err := dusk.Map[int](ctx, c, fInc, []int{10, 20})
			if err != nil {
				t.Fatal(err)
			}
			bad, err := dusk.Submit[int](ctx, c, fFlaky, uniq(t), 5)
			if err != nil {
				t.Fatal(err)
			}
			ac.Add(append(more, bad)...)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, []int{2, 11, 21}) || len(errs) != 1 || !strings.Contains(errs[0], "flaky failure") {
		t.Fatalf("values %v, errors %v", got, errs)
	}
	if ac.Count() != 0 {
		t.Fatalf("Count = %d after all", ac.Count())
	}
	// The old function form still works.
	n := 0
	for range dusk.AsCompleted(ctx, []*dusk.Future[int]{first}) {
		n++
	}
	if n != 1 {
		t.Fatalf("AsCompleted gave %d futures", n)
	}
}

func TestWaitFirstAndDoneCallback(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	gate := uniq(t)
	blocked, err := dusk.Submit[int](ctx, c, fGated, gate, 1)
	if err != nil {
		t.Fatal(err)
	}
	quick, err := dusk.Submit[int](ctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	done, notDone, err := dusk.WaitFirst(ctx, blocked, quick)
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 1 || done[0] != quick || len(notDone) != 1 || notDone[0] != blocked {
		t.Fatalf("done %v, not done %v", done, notDone)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	var calls sync.Map
	quick.AddDoneCallback(func(f *dusk.Future[int]) { calls.Store("quick", f.Status()); wg.Done() })
	blocked.AddDoneCallback(func(f *dusk.Future[int]) { calls.Store("blocked", f.Status()); wg.Done() })
	if _, ok := calls.Load("blocked"); ok {
		t.Fatal("the callback of a running future ran")
	}
	sig(gate).fire()
	wg.Wait()
	for _, k := range []string{"quick", "blocked"} {
		if st, _ := calls.Load(k); st != dusk.Finished {
			t.Fatalf("%s's callback saw %v", k, st)
		}
	}
}

func TestWhoHasHasWhatNbytes(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	f, err := dusk.Submit[[]byte](ctx, c, fBytes.With(dusk.Workers("worker-0")), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	who, err := c.WhoHas(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(who[f.Key()]) != 1 || !slices.Equal(who[f.Key()], f.Workers()) {
		t.Fatalf("WhoHas = %v; the future says %v", who, f.Workers())
	}
	what, err := c.HasWhat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(what[who[f.Key()][0]], f.Key()) {
		t.Fatalf("HasWhat = %v", what)
	}
	sizes, err := c.Nbytes(ctx, f)
	if err != nil || sizes[f.Key()] < 1000 {
		t.Fatalf("Nbytes = %v, %v", sizes, err)
	}
}

// Replicate puts a copy on a second worker: when the first goes, the
// value is read from the copy, not computed again.
func TestReplicateSurvivesItsFirstHolder(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(1))
	stop := startStoppableWorker(t, c, "extra", 1, nil)
	name := uniq(t)
	f, err := dusk.Submit[int](ctx, c, fCount.With(dusk.Workers("extra")), name, 7)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Replicate(ctx, 2, f); err != nil {
		t.Fatal(err)
	}
	who, err := c.WhoHas(ctx, f)
	if err != nil || len(who[f.Key()]) != 2 {
		t.Fatalf("WhoHas after Replicate(2) = %v, %v", who, err)
	}
	stop()
	if v, err := f.Result(ctx); err != nil || v != 7 {
		t.Fatalf("Result after the first holder left = %v, %v", v, err)
	}
	if n := counter(name).Load(); n != 1 {
		t.Fatalf("the task ran %d times; the copy should have served", n)
	}
}

// Rebalance spreads data made on one worker over both.
func TestRebalanceSpreadsData(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	items := []int{1 << 20, 1 << 20, 1 << 20, 1 << 20, 1 << 20, 1 << 20}
	fs, err := dusk.Map[[]byte](ctx, c, fBytes.With(dusk.Workers("worker-0")), items)
	if err != nil {
		t.Fatal(err)
	}
	if err := dusk.Wait(ctx, fs...); err != nil {
		t.Fatal(err)
	}
	moved, err := c.Rebalance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if moved.Keys != 3 || moved.Bytes < 3<<20 {
		t.Fatalf("Rebalance moved %+v; want 3 of the 6 values", moved)
	}
	what, err := c.HasWhat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(what) != 2 {
		t.Fatalf("HasWhat after Rebalance = %v", what)
	}
	for a, ks := range what {
		if len(ks) != 3 {
			t.Fatalf("worker %s holds %d values after Rebalance, want 3 (%v)", a, len(ks), what)
		}
	}
	vs, err := dusk.Gather(ctx, fs)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if len(v) != 1<<20 {
			t.Fatal("a moved value changed")
		}
	}
}
