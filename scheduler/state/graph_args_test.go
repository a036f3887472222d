package state

import (
	"bytes"
	"slices"
	"testing"

	"github.com/dusk-go/dusk/graph"
)

// A task that arrived encoded keeps its encoded form, which is what the
// worker gets, and its dependencies, but not its decoded arguments: the
// scheduler used them only to find the dependencies.
func TestEncodedTaskDropsItsArgumentsOnceLinked(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	a := &graph.Task{Key: "a", Func: "f", Args: []graph.Arg{graph.Value([]byte("one"))}, Encoded: []byte("encoded a")}
	b := &graph.Task{Key: "b", Func: "f", Args: []graph.Arg{graph.List(graph.Ref("a"), graph.Value([]byte("two")))}, Encoded: []byte("encoded b")}
	plain := spec("c", "a") // not encoded: a test's or the simulator's task
	acts := h.submit("c1", []*graph.Task{a, b, plain}, "b", "c")
	if got := computes(acts); !slices.Equal(got, []string{"w1:a"}) {
		t.Fatalf("computes after submit = %v, want [w1:a]", got)
	}
	for _, k := range []graph.Key{"a", "b"} {
		if args := h.s.Task(k).Spec.Args; args != nil {
			t.Errorf("%s still holds its arguments %v after the graph was linked", k, args)
		}
	}
	if got := h.s.Task("b").Deps(); !slices.Equal(got, []graph.Key{"a"}) {
		t.Fatalf("b depends on %v, want [a]", got)
	}
	if len(h.s.Task("c").Spec.Args) != 1 {
		t.Fatalf("c, not encoded, lost its arguments: %v", h.s.Task("c").Spec.Args)
	}
	h.start("w1", "a")
	acts = h.finish("w1", "a", 8)
	cs := ofType[*Compute](acts)
	if len(cs) == 0 || cs[0].Task.Key != "b" || !bytes.Equal(cs[0].Task.Encoded, []byte("encoded b")) {
		t.Fatalf("after a finished: %s; want b computed with its encoded form", describe(acts))
	}
}
