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
	specsAgain, ok, lost := l.resubmission([]graph.Key{"c"})
	if len(lost) != 0 || !slices.Equal(ok, []graph.Key{"c"}) {
		t.Fatalf("resubmission: ok %v, lost %v", ok, lost)
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

// A task over a key the client never sent as a task (scattered data)
// cannot be recomputed: its future is lost, naming that key.
func TestLineageNamesWhatCannotBeRecomputed(t *testing.T) {
	l := newLineage()
	g, keys, specs := chainGraph("scattered-1")
	l.record(g, keys, specs, func(k graph.Key) bool { return k == "c" || k == "b" })
	specsAgain, ok, lost := l.resubmission([]graph.Key{"b", "c", "scattered-1"})
	if len(specsAgain) != 0 || len(ok) != 0 {
		t.Fatalf("resubmitted %q for %v; nothing can be recomputed", specsAgain, ok)
	}
	for _, k := range []graph.Key{"b", "c", "scattered-1"} {
		if lost[k] != "scattered-1" {
			t.Errorf("lost[%s] = %q, want scattered-1", k, lost[k])
		}
	}
}
