package graph

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// The index lists the same dependencies, in the same order, as Task.Deps,
// restricted to the graph.
func TestIndexMatchesDeps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		g, _ := randomDAG(rng, 200)
		ix := newIndex(g, true)
		if len(ix.keys) != len(g) {
			t.Fatalf("indexed %d keys of %d", len(ix.keys), len(g))
		}
		for i, k := range ix.keys {
			id, ok := ix.ids.get(k)
			if !ok || int(id) != i || ix.tasks[i] != g[k] {
				t.Fatalf("id or task of %q wrong", k)
			}
			var want []Key
			for _, d := range g[k].Deps() {
				if _, ok := g[d]; ok {
					want = append(want, d)
				}
			}
			var got []Key
			for _, d := range ix.deps(id) {
				got = append(got, ix.keys[d])
			}
			if !slices.Equal(got, want) {
				t.Fatalf("deps of %q = %v, want %v", k, got, want)
			}
			if (ix.refDepth[i] == 0) != (len(want) == 0) {
				t.Fatalf("refDepth of %q = %d with %d deps", k, ix.refDepth[i], len(want))
			}
		}
		for _, k := range []Key{"ext-1", "", "t0-999999"} {
			if _, ok := ix.ids.get(k); ok {
				t.Fatalf("found %q, which is not in the graph", k)
			}
		}
	}
}

func TestIndexDepths(t *testing.T) {
	g := graphOf(
		mk("a", "f", val("1")),
		mk("b", "f", call("g", call("h", Ref("a"))), Ref("ext")),
		mk("c", "f", call("g", call("h", Ref("ext"))), Ref("a")),
	)
	ix := newIndex(g, true)
	var height, refDepth []int32
	for _, k := range []Key{"a", "b", "c"} {
		i, _ := ix.ids.get(k)
		height = append(height, ix.height[i])
		refDepth = append(refDepth, ix.refDepth[i])
	}
	wantHeight := []int32{1, 3, 3}
	wantRef := []int32{0, 3, 1} // external refs do not count
	if !slices.Equal(height, wantHeight) || !slices.Equal(refDepth, wantRef) {
		t.Errorf("height %v refDepth %v, want %v %v", height, refDepth, wantHeight, wantRef)
	}
}

// The key table finds every key among many, including ones whose hashes
// share slots, and nothing else.
func TestKeyTable(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 100, 1024, 5000} {
		keys := make([]Key, n)
		for i := range keys {
			keys[i] = Key(fmt.Sprint("k-", i))
		}
		var tb keyTable
		tb.build(keys)
		if size := len(tb.slots); size < 2*n || size&(size-1) != 0 || n > 0 && size >= 4*n {
			t.Fatalf("n=%d: %d slots, want a power of two in [2n, 4n)", n, size)
		}
		for i, k := range keys {
			if id, ok := tb.get(k); !ok || int(id) != i {
				t.Fatalf("n=%d: get(%q) = %d, %v", n, k, id, ok)
			}
		}
		probe := append(slices.Clone(keys), "k-x", "", Key(fmt.Sprint("k-", n)))
		ids := tb.lookupAll(probe, nil)
		for i, id := range ids {
			want := int32(i)
			if i >= n {
				want = -1
			}
			if id != want {
				t.Fatalf("n=%d: lookupAll[%d] = %d, want %d", n, i, id, want)
			}
		}
	}
}

// Tasks with many references (more than the index scans linearly) list
// each dependency once, in order of first appearance.
func TestIndexWideTasks(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	g := make(Graph)
	for i := range 50 {
		k := Key(fmt.Sprint("w-", i))
		var args []Arg
		for range rng.IntN(60) {
			switch {
			case rng.IntN(5) == 0:
				args = append(args, Ref(Key(fmt.Sprint("ext-", rng.IntN(3)))))
			case i > 0:
				args = append(args, Ref(Key(fmt.Sprint("w-", rng.IntN(i)))))
			}
		}
		g[k] = mk(k, "f", List(args...))
	}
	ix := newIndex(g, false)
	for i, k := range ix.keys {
		var want []Key
		for _, d := range g[k].Deps() {
			if _, ok := g[d]; ok {
				want = append(want, d)
			}
		}
		var got []Key
		for _, d := range ix.deps(int32(i)) {
			got = append(got, ix.keys[d])
		}
		if !slices.Equal(got, want) {
			t.Fatalf("deps of %q = %v, want %v", k, got, want)
		}
	}
}
