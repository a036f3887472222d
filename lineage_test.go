package dusk

import (
	"slices"
	"testing"

	"github.com/dusk-go/dusk/graph"
)

// chainGraph returns tasks a <- b <- c (c depends on b, b on a) and, if
// ext is set, a over the outside key ext.
func chainGraph(ext graph.Key) (graph.Graph, []graph.Key, [][]byte) {
	g := graph.Graph{
		"a": {Key: "a", Func: "f"},
		"b": {Key: "b", Func: "f", Args: []graph.Arg{graph.Ref("a")}},
		"c": {Key: "c", Func: "f", Args: []graph.Arg{graph.Ref("b")}},
	}
	if ext != "" {
		g["a"].Args = []graph.Arg{graph.Ref(ext)}
	}
	return g, []graph.Key{"a", "b", "c"}, [][]byte{[]byte("A"), []byte("B"), []byte("C")}
}

func kept(l *lineage) []string {
	var ks []string
	for k := range l.tasks {
		ks = append(ks, string(k))
	}
	slices.Sort(ks)
	return ks
}

// The lineage keeps what held futures need, and nothing once released.
func TestLineageKeepsWhatFuturesNeed(t *testing.T) {
	l := newLineage()
	g, keys, specs := chainGraph("")
	l.record(g, keys, specs, func(k graph.Key) bool { return k == "c" })
	if got := kept(&l); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("kept %v, want a, b and c (c is held and needs the others)", got)
	}
	specsAgain, ok, declare, lost := l.resubmission([]graph.Key{"c"}, func(graph.Key) bool { return false })
	if len(lost) != 0 || len(declare) != 0 || !slices.Equal(ok, []graph.Key{"c"}) {
		t.Fatalf("resubmission: ok %v, declare %v, lost %v", ok, declare, lost)
	}
	if len(specsAgain) != 3 || string(specsAgain[0]) != "A" || string(specsAgain[2]) != "C" {
		t.Fatalf("resubmitted specs %q, want A, B, C in the order sent", specsAgain)
	}
	l.unhold("c")
	if got := kept(&l); len(got) != 0 {
		t.Fatalf("kept %v after the last future was released, want nothing", got)
	}

	// Nothing held: nothing kept.
	l.record(g, keys, specs, func(graph.Key) bool { return false })
	if got := kept(&l); len(got) != 0 {
		t.Fatalf("kept %v of a graph no future holds", got)
	}
}

// A task over a key the client never sent as a task (scattered data) is
// submitted again with that key declared again, for the workers that kept
// it to give it back; a wanted key that is neither is lost.
func TestLineageDeclaresScatteredData(t *testing.T) {
	l := newLineage()
	g, keys, specs := chainGraph("scattered-1")
	l.record(g, keys, specs, func(k graph.Key) bool { return k == "c" })
	specsAgain, ok, declare, lost := l.resubmission([]graph.Key{"c", "scattered-2", "other-1"},
		func(k graph.Key) bool { return k == "scattered-2" })
	if len(specsAgain) != 3 || !slices.Equal(ok, []graph.Key{"c"}) {
		t.Fatalf("resubmitted %q for %v; want the chain for c", specsAgain, ok)
	}
	if !slices.Equal(declare, []graph.Key{"scattered-1", "scattered-2"}) {
		t.Errorf("declared %v, want scattered-1 (an input) and scattered-2 (wanted)", declare)
	}
	if !slices.Equal(lost, []graph.Key{"other-1"}) {
		t.Errorf("lost %v, want other-1", lost)
	}
}
