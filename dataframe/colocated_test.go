package dataframe

import (
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/internal/testcluster"
)

// TestColocatedGroupsByWorker checks the runs a group-by aggregates in one
// task each: every partition once, each run of at most the given size and
// held by one worker, fewer runs than partitions; and no runs for parts
// that are not results on the cluster.
func TestColocatedGroupsByWorker(t *testing.T) {
	ctx := testcluster.Context(t)
	c := testcluster.New(t, ctx, nil)
	type kv struct {
		ID int64 `df:"id"`
	}
	rows := make([]kv, 100)
	for i := range rows {
		rows[i].ID = int64(i)
	}
	df, err := FromRecords(ctx, c, rows, Partitions(11))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := df.n.(*persistedNode)
	if !ok {
		t.Fatalf("FromRecords gave a %T, not persisted partitions", df.n)
	}
	parts := make([]part, len(p.futs))
	for i, f := range p.futs {
		if err := f.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		parts[i] = f
	}
	groups := colocated(parts, 3)
	if groups == nil || len(groups) >= len(parts) {
		t.Fatalf("%d runs of %d partitions", len(groups), len(parts))
	}
	seen := map[*dusk.AnyFuture]bool{}
	workers := map[string]bool{}
	for _, r := range groups {
		g, w := r.parts, r.worker
		if len(g) == 0 || len(g) > 3 {
			t.Fatalf("a run of %d partitions", len(g))
		}
		workers[w] = true
		for _, x := range g {
			f := x.(*dusk.AnyFuture)
			if f.Workers()[0] != w {
				t.Fatalf("a run holds partitions of %s and %s", w, f.Workers()[0])
			}
			if seen[f] {
				t.Fatal("a partition in two runs")
			}
			seen[f] = true
		}
	}
	if len(seen) != len(parts) {
		t.Fatalf("runs hold %d of %d partitions", len(seen), len(parts))
	}
	if len(workers) != 2 {
		t.Fatalf("partitions on %d workers, want both", len(workers))
	}
	if colocated(parts, 1) != nil || colocated(parts[:1], 3) != nil {
		t.Fatal("runs that cut nothing")
	}
	lazy := append([]part{dusk.Call[int64](fnLen, p.futs[0])}, parts[1:]...)
	if colocated(lazy, 3) != nil {
		t.Fatal("runs of a part that is not a result on the cluster")
	}
}
