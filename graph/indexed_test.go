package graph

import (
	"errors"
	"maps"
	"slices"
	"testing"
)

// The passes of an Indexed give what the graph's own functions give: the
// same validation errors, the same fused graph, the same order; a graph
// with nothing to fuse is passed on as it is (no copy), its index with it.
func TestIndexedPassesAgreeWithTheFunctions(t *testing.T) {
	tree, treeSeq, root := treeGraph(100, 8)
	chain, chainSeq := chainGraph(50)
	for _, tc := range []struct {
		name string
		g    Graph
		seq  []Key
		keep []Key
		fuse bool // something fuses
	}{
		{"tree", tree, treeSeq, []Key{root}, false},
		{"chain", chain, chainSeq, []Key{chainKey(49)}, true},
	} {
		x := NewIndexed(tc.g)
		if err := x.Validate(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		fx := x.Fuse(tc.keep, FuseOptions{})
		if (fx != x) != tc.fuse {
			t.Fatalf("%s: Fuse made a new graph: %v; want %v", tc.name, fx != x, tc.fuse)
		}
		want := Fuse(tc.g, tc.keep, FuseOptions{})
		if !maps.EqualFunc(fx.Graph(), want, func(a, b *Task) bool { return a.Key == b.Key && a.Fused == b.Fused }) {
			t.Fatalf("%s: Fuse gave %d tasks, Indexed.Fuse %d", tc.name, len(want), len(fx.Graph()))
		}
		if got, want := fx.OrderKeys(tc.seq), OrderKeys(want, tc.seq); !slices.Equal(got, want) {
			t.Fatalf("%s: Indexed.OrderKeys = %v, OrderKeys = %v", tc.name, got, want)
		}
	}
	cyc := graphOf(mk("a", "f", Ref("b")), mk("b", "f", Ref("a")))
	var ce *CycleError
	if err := NewIndexed(cyc).Validate(); !errors.As(err, &ce) || err.Error() != cyc.Validate().Error() {
		t.Fatalf("Indexed.Validate of a cycle = %v; want %v", err, cyc.Validate())
	}
	if err := NewIndexed(Graph{"a": nil}).Validate(); !errors.Is(err, ErrNilTask) {
		t.Fatalf("Indexed.Validate of a nil task = %v; want ErrNilTask", err)
	}
}
