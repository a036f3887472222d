package dusk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
)

func TestDelayedChain(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	d := dusk.Call[int](fInc, 0)
	for range 29 {
		d = dusk.Call[int](fInc, d)
	}
	v, err := dusk.Compute(ctx, c, d)
	if err != nil || v != 30 {
		t.Fatalf("30 incs of 0 = %v, %v", v, err)
	}
	// Nothing runs until computed; computing again gives the same.
	v, err = dusk.Compute(ctx, c, d)
	if err != nil || v != 30 {
		t.Fatalf("second Compute = %v, %v", v, err)
	}
}

// a -> b, a -> c, (b, c) -> d: the shared node runs once.
func TestDelayedDiamond(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	name := uniq(t)
	a := dusk.Call[int](fCount, name, 5)
	b := dusk.Call[int](fDouble, a) // 10
	cc := dusk.Call[int](fInc, a)   // 6
	d := dusk.Call[int](fAdd, b, cc)
	v, err := dusk.Compute(ctx, c, d)
	if err != nil || v != 16 {
		t.Fatalf("diamond = %v, %v; want 16", v, err)
	}
	if n := counter(name).Load(); n != 1 {
		t.Fatalf("the shared node ran %d times; want 1", n)
	}
}

// ComputeAll of two graphs sharing a node computes the node once.
func TestComputeAllSharesCommonNodes(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	name := uniq(t)
	shared := dusk.Call[int](fCount, name, 7)
	g1 := dusk.Call[int](fInc, shared)    // 8
	g2 := dusk.Call[int](fDouble, shared) // 14
	out, err := dusk.ComputeAll(ctx, c, []dusk.Lazy{g1, g2})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0] != 8 || out[1] != 14 {
		t.Fatalf("ComputeAll = %v; want [8 14]", out)
	}
	if n := counter(name).Load(); n != 1 {
		t.Fatalf("the shared node ran %d times; want 1", n)
	}
	// The same with optimization off.
	name2 := uniq(t)
	shared2 := dusk.Call[int](fCount, name2, 7)
	h1 := dusk.Call[int](fInc, shared2)
	h2 := dusk.Call[int](fDouble, shared2)
	out, err = dusk.ComputeAll(ctx, c, []dusk.Lazy{h1, h2, shared2}, dusk.Optimize(false))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 || out[0] != 8 || out[1] != 14 || out[2] != 7 {
		t.Fatalf("ComputeAll without optimization = %v; want [8 14 7]", out)
	}
	if n := counter(name2).Load(); n != 1 {
		t.Fatalf("the shared node ran %d times without optimization; want 1", n)
	}
}

// A node used twice by the same task (f(d, d)) runs once, also when the
// optimizer fuses it into that task.
func TestNodeUsedTwiceByOneTaskRunsOnce(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	for _, opt := range []bool{false, true} {
		name := uniq(t)
		d := dusk.Call[int](fCount, name, 3)
		sum := dusk.Call[int](fAdd, d, d)
		v, err := dusk.Compute(ctx, c, sum, dusk.Optimize(opt))
		if err != nil || v != 6 {
			t.Fatalf("Optimize(%v): add(d, d) = %v, %v; want 6", opt, v, err)
		}
		if n := counter(name).Load(); n != 1 {
			t.Errorf("Optimize(%v): d ran %d times for one computation of add(d, d); want 1", opt, n)
		}
		// Also inside a list argument.
		name = uniq(t)
		d = dusk.Call[int](fCount, name, 4)
		s := dusk.Call[int](fSum, []*dusk.Delayed[int]{d, d, d})
		v, err = dusk.Compute(ctx, c, s, dusk.Optimize(opt))
		if err != nil || v != 12 {
			t.Fatalf("Optimize(%v): sum([d, d, d]) = %v, %v; want 12", opt, v, err)
		}
		if n := counter(name).Load(); n != 1 {
			t.Errorf("Optimize(%v): d ran %d times for one computation of sum([d, d, d]); want 1", opt, n)
		}
	}
}

// Persist returns a future that later tasks and graphs take as an argument.
func TestPersistReturnsUsableFuture(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	name := uniq(t)
	base := dusk.Call[int](fCount, name, 20)
	p, err := dusk.Persist(ctx, c, dusk.Call[int](fInc, base)) // 21
	if err != nil {
		t.Fatal(err)
	}
	if v, err := p.Result(ctx); err != nil || v != 21 {
		t.Fatalf("persisted = %v, %v", v, err)
	}
	f, err := dusk.Submit[int](ctx, c, fAdd, p, 100)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 121 {
		t.Fatalf("add(persisted, 100) = %v, %v", v, err)
	}
	d := dusk.Call[int](fDouble, p)
	v, err := dusk.Compute(ctx, c, d)
	if err != nil || v != 42 {
		t.Fatalf("double(persisted) = %v, %v", v, err)
	}
	if n := counter(name).Load(); n != 1 {
		t.Fatalf("the persisted graph ran %d times; want 1", n)
	}
	// PersistAll gives futures of any type.
	fs, err := dusk.PersistAll(ctx, c, []dusk.Lazy{dusk.Call[int](fInc, 1), dusk.Call[string](fJoin, ",", "a", "b")})
	if err != nil {
		t.Fatal(err)
	}
	if err := dusk.Wait(ctx, fs...); err != nil {
		t.Fatal(err)
	}
	s, err := dusk.Submit[string](ctx, c, fJoin, "|", fs[1], "c")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Result(ctx); err != nil || v != "a,b|c" {
		t.Fatalf("join(persisted any future) = %q, %v", v, err)
	}
}

// Optimization (culling and fusion) does not change results.
func TestOptimizeGivesTheSameResults(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)

	chain := func() *dusk.Delayed[int] {
		d := dusk.Call[int](fInc, 1)
		for i := range 40 {
			if i%2 == 0 {
				d = dusk.Call[int](fDouble, d)
			} else {
				d = dusk.Call[int](fAdd, d, -3)
			}
		}
		return d
	}
	tree := func() *dusk.Delayed[int] {
		level := make([]*dusk.Delayed[int], 64)
		for i := range level {
			level[i] = dusk.Call[int](fInc, i)
		}
		for len(level) > 1 {
			var next []*dusk.Delayed[int]
			for i := 0; i < len(level); i += 4 {
				args := make([]any, 0, 4)
				for _, d := range level[i:min(i+4, len(level))] {
					args = append(args, d)
				}
				next = append(next, dusk.Call[int](fSumV, args...))
			}
			level = next
		}
		return level[0]
	}
	for _, tc := range []struct {
		name  string
		build func() *dusk.Delayed[int]
		want  int
	}{
		{"chain", chain, chainWant()},
		{"tree", tree, 64 * 65 / 2},
	} {
		on, err := dusk.Compute(ctx, c, tc.build())
		if err != nil {
			t.Fatalf("%s optimized: %v", tc.name, err)
		}
		off, err := dusk.Compute(ctx, c, tc.build(), dusk.Optimize(false))
		if err != nil {
			t.Fatalf("%s unoptimized: %v", tc.name, err)
		}
		if on != off || on != tc.want {
			t.Fatalf("%s: optimized %d, unoptimized %d; want %d", tc.name, on, off, tc.want)
		}
	}
	// Outputs inside a chain are kept: fusion must not swallow them.
	a := dusk.Call[int](fInc, 1)
	b := dusk.Call[int](fDouble, a)
	top := dusk.Call[int](fInc, b)
	out, err := dusk.ComputeAll(ctx, c, []dusk.Lazy{top, a})
	if err != nil || len(out) != 2 || out[0] != 5 || out[1] != 2 {
		t.Fatalf("ComputeAll(top of a chain, its bottom) = %v, %v; want [5 2]", out, err)
	}
}

func chainWant() int {
	v := 2
	for i := range 40 {
		if i%2 == 0 {
			v *= 2
		} else {
			v -= 3
		}
	}
	return v
}

// Errors in a lazy call are reported by Compute with the call's line.
func TestDelayedMistakeReportedAtCompute(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	bad := dusk.Call[int](fAdd, 1) // one argument short
	line := thisLine() - 1
	_, err := dusk.Compute(ctx, c, dusk.Call[int](fInc, bad))
	if err == nil {
		t.Fatal("Compute of a call with too few arguments succeeded")
	}
	for _, want := range []string{"it.add", "func(int, int) int", "delayed_test.go:" + itoa(line)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	// A Delayed of the wrong type as an argument.
	s := dusk.Call[string](fJoin, ",", "a")
	_, err = dusk.Compute(ctx, c, dusk.Call[int](fInc, s))
	if err == nil || !strings.Contains(err.Error(), "string") || !strings.Contains(err.Error(), "it.inc") {
		t.Fatalf("inc(delayed string) = %v; want an error naming it.inc and the types", err)
	}
	// The wrong result type.
	wrong := dusk.Call[string](fInc, 1)
	line = thisLine() - 1
	_, err = dusk.Compute(ctx, c, wrong)
	if err == nil || !strings.Contains(err.Error(), "delayed_test.go:"+itoa(line)) || !strings.Contains(err.Error(), "returns int, not string") {
		t.Fatalf("Call[string](inc) = %v; want an error at delayed_test.go:%d saying it returns int", err, line)
	}
}

// The same graph computed again and again gives its result every time
// (its keys are released after each Compute and submitted again by the
// next).
func TestComputeSameGraphAgain(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	d := dusk.Call[int](fInc, dusk.Call[int](fDouble, dusk.Call[int](fInc, 1))) // 5
	settle, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	// Persisted, released, and persisted again at once.
	for i := range 20 {
		f, err := dusk.Persist(settle, c, d)
		if err != nil {
			t.Fatal(err)
		}
		f.Release()
		g, err := dusk.Persist(settle, c, d)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := g.Result(settle); err != nil || v != 5 {
			t.Fatalf("round %d: persisted again right after a release = %v, %v; want 5", i, v, err)
		}
		g.Release()
	}
	for i := range 50 {
		for _, opt := range []bool{true, false} {
			v, err := dusk.Compute(settle, c, d, dusk.Optimize(opt))
			if err != nil || v != 5 {
				t.Fatalf("Compute #%d (optimize %v) of the same graph = %v, %v; want 5", i+1, opt, v, err)
			}
		}
	}
}

// ComputeAll gathers results of several types together (one request per
// worker and type, not one per result), each in its place, and reports the
// failed ones while returning the others.
func TestComputeAllGathersMixedTypes(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	var ds []dusk.Lazy
	for i := range 50 {
		ds = append(ds, dusk.Call[int](fInc, i), dusk.Call[float64](fToFloat, i), dusk.Call[string](fJoin, "-", "a", "b"))
	}
	bad := dusk.Call[any](fCheck, -1)
	ds = append(ds, bad, ds[0])
	out, err := dusk.ComputeAll(ctx, c, ds, dusk.Optimize(false))
	if err == nil || !strings.Contains(err.Error(), "negative") {
		t.Fatalf("ComputeAll with a failing task: err %v, want the check's error", err)
	}
	if len(out) != len(ds) {
		t.Fatalf("%d results for %d", len(out), len(ds))
	}
	for i := range 50 {
		if out[3*i] != i+1 || out[3*i+1] != float64(i) || out[3*i+2] != "a-b" {
			t.Fatalf("results %d..%d = %v %v %v; want %d %v a-b", 3*i, 3*i+2, out[3*i], out[3*i+1], out[3*i+2], i+1, float64(i))
		}
	}
	if out[150] != nil || out[151] != 1 {
		t.Fatalf("the failed result is %v and the repeated first one %v; want nil and 1", out[150], out[151])
	}
}
