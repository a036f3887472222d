package dusk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/config"
)

// fBranch is the expensive shared branch: it counts its runs under name
// and returns 0..n-1.
var fBranch = dusk.Register("it.shared_branch", func(name string, n int) []int {
	counter(name).Add(1)
	xs := make([]int, n)
	for i := range xs {
		xs[i] = i
	}
	return xs
})

// fScaled is the cheap step each computation adds on the branch.
var fScaled = dusk.Register("it.scaled_sum", func(xs []int, k int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s * k
})

// sharedCluster starts a cluster whose client has persist-shared on or
// off; min-seconds is 0 so that any branch counts as expensive (the tests
// do not depend on how long it takes).
func sharedCluster(t *testing.T, ctx context.Context, active bool, releaseAfter int) *dusk.Client {
	t.Helper()
	cfg := config.New()
	for k, v := range map[string]any{
		"optimization.persist-shared.active":        active,
		"optimization.persist-shared.min-seconds":   "0s",
		"optimization.persist-shared.release-after": releaseAfter,
	} {
		if err := cfg.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	return newCluster(t, ctx, dusk.LocalConfig(cfg))
}

// heldShared counts the client's futures of the shared branch's keys.
func heldShared(c *dusk.Client) int {
	n := 0
	for _, k := range c.Futures() {
		if strings.HasPrefix(string(k.Key()), "it.shared_branch-") {
			n++
		}
	}
	return n
}

// The guide's "compute in a loop" over a shared branch, two computations
// in a row built up front: with persist-shared on, the branch runs once
// and the fix is among the findings; off, it runs twice and the
// "recomputed" finding names it with the advice.
func TestPersistSharedTwoComputes(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	for _, active := range []bool{true, false} {
		c := sharedCluster(t, ctx, active, 3)
		name := uniq(t)
		base := dusk.Call[[]int](fBranch, name, 100)
		s1 := dusk.Call[int](fScaled, base, 1)
		s2 := dusk.Call[int](fScaled, base, 2)
		v1, err := dusk.Compute(ctx, c, s1)
		if err != nil || v1 != 4950 {
			t.Fatalf("active %v: s1 = %v, %v; want 4950", active, v1, err)
		}
		v2, err := dusk.Compute(ctx, c, s2)
		if err != nil || v2 != 9900 {
			t.Fatalf("active %v: s2 = %v, %v; want 9900", active, v2, err)
		}
		runs := counter(name).Load()
		fnd, err := c.Advise(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if active {
			if runs != 1 {
				t.Fatalf("persist-shared on: the branch ran %d times, want 1", runs)
			}
			f := findingOf(fnd, "persist-shared")
			if f == nil || f.Severity != "fixed" || !strings.Contains(f.Message, "1 task of it.shared_branch") ||
				!strings.Contains(f.Message, "released after 3 computations") || !strings.Contains(f.Advice, "persist-shared.active: false") {
				t.Fatalf("persist-shared on: want a fixed finding naming the branch and its release, got %+v", fnd)
			}
			if f := findingOf(fnd, "recomputed"); f != nil {
				t.Fatalf("persist-shared on: a recomputed finding: %+v", f)
			}
			// The kept branch itself, computed: the graph sends no task.
			xs, err := dusk.Compute(ctx, c, base)
			if err != nil || len(xs) != 100 || xs[99] != 99 {
				t.Fatalf("persist-shared on: the kept branch computed = %d values, %v", len(xs), err)
			}
			if runs := counter(name).Load(); runs != 1 {
				t.Fatalf("persist-shared on: computing the kept branch ran it again (%d runs)", runs)
			}
			if n := c.ReleaseShared(); n != 1 {
				t.Fatalf("ReleaseShared released %d results, want 1", n)
			}
			waitUntil(t, ctx, "the kept branch is released", func() bool { return heldShared(c) == 0 })
			continue
		}
		if runs != 2 {
			t.Fatalf("persist-shared off: the branch ran %d times, want 2", runs)
		}
		if findingOf(fnd, "persist-shared") != nil {
			t.Fatalf("persist-shared off: the fix acted: %+v", fnd)
		}
		f := findingOf(fnd, "recomputed")
		if f == nil || f.Severity != "warning" || !strings.Contains(f.Message, "1 task of it.shared_branch") ||
			!strings.Contains(f.Message, "computed again") ||
			!strings.Contains(f.Advice, "persist it") || !strings.Contains(f.Advice, "optimization.persist-shared.active: true") {
			t.Fatalf("persist-shared off: want a recomputed finding naming the branch with the advice, got %+v", fnd)
		}
		if n := heldShared(c); n != 0 {
			t.Fatalf("persist-shared off: %d results of the branch held", n)
		}
	}
}

// Computations in a loop that build each step as they go: the first
// computation cannot know that the branch is shared, the second computes
// it again and, with the fix on, keeps it; the rest take it. Off, every
// computation runs the branch and the finding counts them.
func TestPersistSharedLoop(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	for _, active := range []bool{true, false} {
		c := sharedCluster(t, ctx, active, 3)
		name := uniq(t)
		base := dusk.Call[[]int](fBranch, name, 10)
		for k := range 4 {
			v, err := dusk.Compute(ctx, c, dusk.Call[int](fScaled, base, k))
			if err != nil || v != 45*k {
				t.Fatalf("active %v: step %d = %v, %v; want %d", active, k, v, err, 45*k)
			}
		}
		want := map[bool]int64{true: 2, false: 4}[active]
		if runs := counter(name).Load(); runs != want {
			t.Fatalf("active %v: the branch ran %d times, want %d", active, runs, want)
		}
		fnd, err := c.Advise(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rule, sev := map[bool]string{true: "persist-shared", false: "recomputed"}[active], map[bool]string{true: "fixed", false: "warning"}[active]
		if f := findingOf(fnd, rule); f == nil || f.Severity != sev {
			t.Fatalf("active %v: want a %s finding %q, got %+v", active, sev, rule, fnd)
		}
		if f := findingOf(fnd, "recomputed"); !active && !strings.Contains(f.Message, "(3 times)") {
			t.Fatalf("persist-shared off: the finding does not count the 3 recomputations: %q", f.Message)
		}
	}
}

// The well-tuned twins, with the fix on: the results computed together
// (one ComputeAll), or the branch persisted by hand and its future
// passed. The branch runs once, the fix does not act and nothing is
// reported.
func TestPersistSharedWellTunedTwins(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	for _, twin := range []string{"compute-all", "persist"} {
		c := sharedCluster(t, ctx, true, 3)
		name := uniq(t)
		base := dusk.Call[[]int](fBranch, name, 100)
		var got []int
		switch twin {
		case "compute-all":
			vs, err := dusk.ComputeAll(ctx, c, []dusk.Lazy{dusk.Call[int](fScaled, base, 1), dusk.Call[int](fScaled, base, 2)})
			if err != nil {
				t.Fatal(err)
			}
			got = []int{vs[0].(int), vs[1].(int)}
		case "persist":
			bf, err := dusk.Persist(ctx, c, base)
			if err != nil {
				t.Fatal(err)
			}
			for k := 1; k <= 2; k++ {
				v, err := dusk.Compute(ctx, c, dusk.Call[int](fScaled, bf, k))
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, v)
			}
			bf.Release()
		}
		if got[0] != 4950 || got[1] != 9900 {
			t.Fatalf("%s: results %v, want [4950 9900]", twin, got)
		}
		if runs := counter(name).Load(); runs != 1 {
			t.Fatalf("%s: the branch ran %d times, want 1", twin, runs)
		}
		fnd, err := c.Advise(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, rule := range []string{"persist-shared", "recomputed"} {
			if f := findingOf(fnd, rule); f != nil {
				t.Fatalf("%s: a %s finding: %+v", twin, rule, f)
			}
		}
		if n := c.ReleaseShared(); n != 0 {
			t.Fatalf("%s: the fix kept %d results", twin, n)
		}
	}
}

// A kept branch is released after release-after computations that do not
// use it.
func TestPersistSharedReleaseAfter(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := sharedCluster(t, ctx, true, 1)
	name := uniq(t)
	base := dusk.Call[[]int](fBranch, name, 10)
	s1 := dusk.Call[int](fScaled, base, 1)
	later := dusk.Call[int](fScaled, base, 2) // keeps the branch shared
	if _, err := dusk.Compute(ctx, c, s1); err != nil {
		t.Fatal(err)
	}
	if n := heldShared(c); n != 1 {
		t.Fatalf("after the first computation %d results of the branch are kept, want 1", n)
	}
	other := dusk.Call[[]int](fBranch, uniq(t), 1)
	if _, err := dusk.Compute(ctx, c, other); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "the branch unused by one computation is released", func() bool { return heldShared(c) == 0 })
	if v, err := dusk.Compute(ctx, c, later); err != nil || v != 90 {
		t.Fatalf("the later step = %v, %v; want 90", v, err)
	}
	if runs := counter(name).Load(); runs != 2 {
		t.Fatalf("the released branch ran %d times, want 2 (computed again after its release)", runs)
	}
}
