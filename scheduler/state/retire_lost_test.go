package state

import (
	"testing"

	"github.com/dusk-go/dusk/graph"
)

// Every worker that holds a result a client wants retires, none stays to
// take it, and they leave anyway (their processes ended): the result is
// computed again on the next worker, not waited for forever.
func TestResultOfRetiredWorkersIsComputedAgain(t *testing.T) {
	h := newHarness(t)
	h.addWorker("a", 1, nil)
	h.addWorker("b", 1, nil)
	h.submit("cl", []*graph.Task{spec("x")}, "x")
	holder := ofType[*Compute](h.out)[0].Worker
	h.start(holder, "x")
	h.finish(holder, "x", 10)
	h.handle(&WorkerRetiring{At: h.at(), ID: "a"})
	h.handle(&WorkerRetiring{At: h.at(), ID: "b"})
	h.handle(&WorkerRemoved{At: h.at(), ID: "a", Reason: "retired"})
	h.handle(&WorkerRemoved{At: h.at(), ID: "b", Reason: "retired"})
	acts := h.handle(&WorkerAdded{At: h.at(), ID: "c", Address: "c", NThreads: 1})
	for _, c := range ofType[*Compute](acts) {
		if c.Worker == "c" && c.Task.Key == "x" {
			return
		}
	}
	t.Fatalf("x, lost with its retired workers, is not computed again on c: %s (x is %v)", describe(acts), h.s.Task("x").State)
}
