package dusk_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
)

// A Map goes to the scheduler in several graphs, in order: the first of
// 1,024 tasks and each next twice as large up to the client's message size
// (so that the cluster starts on the first tasks while the client builds
// the rest), and every result comes back where it belongs.
func TestMapSendsALargeGraphInParts(t *testing.T) {
	for _, tc := range []struct {
		name         string
		items, chunk int // chunk 0: the default
		graphs       int64
	}{
		{"parts of 100", 1050, 100, 11},
		{"1,024 then doubling", 5000, 0, 3}, // 1,024, 2,048, 1,928
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t)
			c := newCluster(t, ctx)
			if tc.chunk > 0 {
				dusk.SetGraphChunk(c, tc.chunk)
			}
			before := dusk.GraphMessages(c)
			fs, err := dusk.Map[int](ctx, c, fDouble, count(tc.items))
			if err != nil {
				t.Fatal(err)
			}
			if sent := dusk.GraphMessages(c) - before; sent != tc.graphs {
				t.Fatalf("Map of %d items sent %d graphs; want %d", tc.items, sent, tc.graphs)
			}
			got, err := dusk.Gather(ctx, fs)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range got {
				if v != 2*i {
					t.Fatalf("result %d = %d, want %d", i, v, 2*i)
				}
			}
			for _, f := range fs {
				f.Release()
			}
			if !eventually(ctx, func() bool { return c.Local().Snapshot().Tasks == 0 }) {
				t.Fatalf("the scheduler still holds %d tasks after every future was released", c.Local().Snapshot().Tasks)
			}
		})
	}
}

// count returns 0, 1, ..., n-1.
func count(n int) []int {
	items := make([]int, n)
	for i := range items {
		items[i] = i
	}
	return items
}

// An argument that does not fit, in a later part of a Map, is an error
// naming it; the parts sent before it are released, so the scheduler
// forgets their tasks.
func TestMapArgumentErrorInALaterPartReleasesTheEarlierParts(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	dusk.SetGraphChunk(c, 100)
	items := make([]any, 250)
	for i := range items {
		items[i] = i
	}
	items[150] = "one hundred fifty"
	before := dusk.GraphMessages(c)
	fs, err := dusk.Map[int](ctx, c, fDouble, items)
	var argErr *dusk.ArgError
	if !errors.As(err, &argErr) || fs != nil {
		t.Fatalf("Map with a string among ints = %d futures, %v; want no futures and an ArgError", len(fs), err)
	}
	if sent := dusk.GraphMessages(c) - before; sent != 1 {
		t.Fatalf("Map sent %d graphs before the bad argument in its second part; want 1", sent)
	}
	if !eventually(ctx, func() bool { return c.Local().Snapshot().Tasks == 0 }) {
		t.Fatalf("the scheduler still holds %d tasks of the part sent before the error", c.Local().Snapshot().Tasks)
	}
}

// Gather fetches the results already finished while a later future still
// runs, and returns every result in order once it ends.
func TestGatherFetchesFinishedResultsWhileOthersRun(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	gate := uniq(t)
	last, err := dusk.Submit[int](ctx, c, fGated, gate, -7)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := gatherBeforeGate(t, ctx, c, last, gate)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vals[:600] {
		if v != i+1 {
			t.Fatalf("result %d = %d, want %d", i, v, i+1)
		}
	}
	if vals[600] != -7 {
		t.Fatalf("the last result = %d, want -7", vals[600])
	}
}

// gatherBeforeGate gathers 600 finished results of a Map and then last,
// which waits for gate: it checks that Gather fetches the finished ones
// while last still waits, then opens gate and returns what Gather did.
func gatherBeforeGate(t *testing.T, ctx context.Context, c *dusk.Client, last *dusk.Future[int], gate string) ([]int, error) {
	t.Helper()
	fs, err := dusk.Map[int](ctx, c, fInc, count(600))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if err := f.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	before := dusk.GatherFetches(c)
	type gathered struct {
		vals []int
		err  error
	}
	done := make(chan gathered, 1)
	go func() {
		vals, err := dusk.Gather(ctx, append(fs, last))
		done <- gathered{vals, err}
	}()
	settle, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	if !eventually(settle, func() bool { return dusk.GatherFetches(c) > before }) {
		t.Fatal("Gather fetched no finished result while the last future still ran")
	}
	sig(gate).fire()
	g := <-done
	return g.vals, g.err
}

// A later future that fails is Gather's error, even after results before
// it were fetched.
func TestGatherReturnsALateFailure(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	gate := uniq(t)
	blocked, err := dusk.Submit[int](ctx, c, fGated, gate, 1)
	if err != nil {
		t.Fatal(err)
	}
	failing, err := dusk.Submit[int](ctx, c, fEvenOnly, blocked)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gatherBeforeGate(t, ctx, c, failing, gate); err == nil || !strings.Contains(err.Error(), "is not even") {
		t.Fatalf("Gather = %v; want the last task's error (1 is not even)", err)
	}
}

// fEvenOnly returns x, or an error for an odd x.
var fEvenOnly = dusk.Register("it.evenonly", func(x int) (int, error) {
	if x%2 != 0 {
		return 0, fmt.Errorf("%d is not even", x)
	}
	return x, nil
})
