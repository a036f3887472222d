package state

import (
	"testing"

	"github.com/dusk-go/dusk/graph"
)

// part submits tasks as a part of client's graph id; more: parts follow.
func (h *harness) part(client string, id uint64, more bool, tasks []*graph.Task, wanted ...graph.Key) []Action {
	return h.handle(&GraphSubmitted{At: h.at(), Client: client, Tasks: tasks, Wanted: wanted, PartOf: id, More: more})
}

// told returns the keys client heard were in memory, among acts.
func told(acts []Action, client string) []graph.Key {
	var out []graph.Key
	for _, m := range ofType[*KeyInMemory](acts) {
		if m.Client == client {
			out = append(out, m.Key)
		}
	}
	return out
}

// A graph sent in parts: the tasks of a part with more to come run at
// once and stay in memory, untold to the client, although nothing wants
// them yet; the last part's tasks use them, and once those are done the
// earlier parts' results are released as usual.
func TestGraphInPartsKeepsEarlierPartsUntilTheLast(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 2, nil)
	acts := h.part("c", 7, true, []*graph.Task{spec("a-1"), spec("a-2")})
	if got := computes(acts); len(got) != 2 {
		t.Fatalf("the first part started %v; want both of its tasks", got)
	}
	acts = append(h.finish("w1", "a-1", 8), h.finish("w1", "a-2", 8)...)
	if k := told(h.out, "c"); len(k) != 0 {
		t.Fatalf("the client heard of %v; want nothing before its last part", k)
	}
	h.wantState("a-1", Memory)
	h.wantState("a-2", Memory)
	h.part("c", 7, false, []*graph.Task{spec("s-1", "a-1", "a-2")}, "s-1")
	h.wantState("s-1", Processing)
	acts = h.finish("w1", "s-1", 8)
	if k := told(acts, "c"); len(k) != 1 || k[0] != "s-1" {
		t.Fatalf("the client heard of %v; want s-1", k)
	}
	h.wantState("a-1", Released) // s-1, in memory, still names them
	h.wantState("a-2", Released)
	h.handle(&KeysReleased{At: h.at(), Client: "c", Keys: []graph.Key{"s-1"}})
	for _, k := range []graph.Key{"a-1", "a-2", "s-1"} {
		h.wantState(k, Forgotten)
	}
}

// A task of an earlier part that another client also wants, or that a
// task of a later part still waits for, is not released with the holds.
func TestLastPartReleasesOnlyWhatNothingElseNeeds(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.part("c", 1, true, []*graph.Task{spec("a-1"), spec("b-1")})
	h.submit("d", nil, "b-1")
	h.finish("w1", "a-1", 8)
	h.finish("w1", "b-1", 8)
	h.part("c", 1, false, nil) // a last part of no task: the holds go
	h.wantState("a-1", Forgotten)
	h.wantState("b-1", Memory) // d wants it
	h.handle(&KeysReleased{At: h.at(), Client: "d", Keys: []graph.Key{"b-1"}})
	h.wantState("b-1", Forgotten)
}

// Two graphs of one client in parts at once: the last part of one lets go
// of its own parts only.
func TestInterleavedGraphsInParts(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 2, nil)
	h.part("c", 1, true, []*graph.Task{spec("a-1")})
	h.part("c", 2, true, []*graph.Task{spec("b-1")})
	h.finish("w1", "a-1", 8)
	h.finish("w1", "b-1", 8)
	h.part("c", 1, false, []*graph.Task{spec("s-1", "a-1")}, "s-1")
	h.finish("w1", "s-1", 8)
	h.wantState("a-1", Released)
	h.wantState("b-1", Memory) // graph 2's last part is still to come
	h.part("c", 2, false, []*graph.Task{spec("s-2", "b-1")}, "s-2")
	h.finish("w1", "s-2", 8)
	h.wantState("b-1", Released)
	h.wantState("s-2", Memory)
}

// A client that goes away between the parts of a graph leaves nothing
// behind: what its parts held is released, running or done.
func TestClientGoneBetweenPartsReleasesThem(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.part("c", 3, true, []*graph.Task{spec("a-1"), spec("a-2"), spec("b-1", "a-1")})
	h.finish("w1", "a-1", 8)
	h.handle(&ClientRemoved{At: h.at(), ID: "c"})
	for _, k := range []graph.Key{"a-1", "a-2", "b-1"} {
		h.wantState(k, Forgotten)
	}
	if n := len(h.s.tasks); n != 0 {
		t.Fatalf("the scheduler holds %d tasks after the client left", n)
	}
}
