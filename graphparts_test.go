package dusk_test

import (
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
)

// pairSums builds n leaves (i+1 each), a sum of each pair of them, and one
// sum of those: 3n/2+1 tasks whose result is n(n+1)/2.
func pairSums(n int) *dusk.Delayed[int] {
	leaves := make([]*dusk.Delayed[int], n)
	for i := range leaves {
		leaves[i] = dusk.Call[int](fInc, i)
	}
	pairs := make([]*dusk.Delayed[int], n/2)
	for j := range pairs {
		pairs[j] = dusk.Call[int](fAdd, leaves[2*j], leaves[2*j+1])
	}
	return dusk.Call[int](smokeSum, pairs)
}

// A graph bigger than the client's first part goes in parts (16 tasks,
// then 32, 64, 128 and the rest here), in priority order: the tasks of the
// early parts, which only later parts use, are kept until those run, the
// result is right and nothing is left on the scheduler. So from the local
// cluster's own client, which encodes each part as it goes, and from a
// client connected by address, which encodes (and keeps, for a scheduler
// that restarts) the whole graph first.
func TestComputeSendsABigGraphInParts(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	local := newCluster(t, ctx)
	for _, c := range []*dusk.Client{local, secondClient(t, ctx, local)} {
		dusk.SetGraphChunk(c, 128)
		dusk.SetFirstGraphPart(c, 16)
		before := dusk.GraphMessages(c)
		got, err := dusk.Compute(ctx, c, pairSums(200)) // 301 tasks
		if err != nil {
			t.Fatal(err)
		}
		if want := 200 * 201 / 2; got != want {
			t.Fatalf("sum = %d, want %d", got, want)
		}
		if sent := dusk.GraphMessages(c) - before; sent != 5 {
			t.Fatalf("a graph of 301 tasks went in %d messages; want 5 (16, 32, 64, 128, 61)", sent)
		}
		if !eventually(ctx, func() bool { return local.Local().Snapshot().Tasks == 0 }) {
			t.Fatalf("the scheduler still holds %d tasks after the result came back", local.Local().Snapshot().Tasks)
		}
		// A small graph still goes whole.
		before = dusk.GraphMessages(c)
		if got, err := dusk.Compute(ctx, c, pairSums(10)); err != nil || got != 55 {
			t.Fatalf("small graph = %d, %v; want 55", got, err)
		}
		if sent := dusk.GraphMessages(c) - before; sent != 1 {
			t.Fatalf("a graph of 16 tasks went in %d messages; want 1", sent)
		}
	}
}

// A task of an early part that fails fails the result computed in the
// last part, with its error; the parts' tasks are all released after.
func TestGraphInPartsFailureReachesTheResult(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	dusk.SetFirstGraphPart(c, 8)
	leaves := make([]*dusk.Delayed[int], 40)
	for i := range leaves {
		leaves[i] = dusk.Call[int](fInc, i)
	}
	leaves[3] = dusk.Call[int](fFail, "leaf three broke")
	_, err := dusk.Compute(ctx, c, dusk.Call[int](smokeSum, leaves))
	if err == nil || !strings.Contains(err.Error(), "leaf three broke") {
		t.Fatalf("Compute = %v; want the failed leaf's error", err)
	}
	if !eventually(ctx, func() bool { return c.Local().Snapshot().Tasks == 0 }) {
		t.Fatalf("the scheduler still holds %d tasks after the failure", c.Local().Snapshot().Tasks)
	}
}
