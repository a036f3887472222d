package state

import (
	"testing"

	"github.com/dusk-go/dusk/graph"
)

// TestHandleFindsItsTask: the replies of a worker that echo the handle of
// the task's Compute move the task as the same replies by key do.
func TestHandleFindsItsTask(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	cs := ofType[*Compute](h.submit("c", []*graph.Task{spec("a-1")}, "a-1"))
	if len(cs) != 1 || cs[0].Handle == 0 {
		t.Fatalf("computes = %+v: want one with a handle", cs)
	}
	id := cs[0].Handle
	if got := h.s.handles.lookup(id, "a-1"); got != h.s.Task("a-1") {
		t.Fatalf("handle %x names %v, not a-1", id, got)
	}
	if got := h.s.handles.lookup(id, "b-1"); got != nil {
		t.Fatalf("handle %x with key b-1 names %s: the key must be checked", id, got.Key)
	}
	h.handle(&TaskStarted{At: h.at(), Worker: "w1", Key: "a-1", Handle: id})
	if !h.s.Task("a-1").executing {
		t.Fatal("a-1 not executing after TaskStarted with its handle")
	}
	h.handle(&TaskFinished{At: h.at(), Worker: "w1", Key: "a-1", Handle: id, NBytes: 8})
	h.wantState("a-1", Memory)
}

// TestStaleHandleNamesNothing: once a task is forgotten its place is
// reused by the next task, under a new generation. A reply with the old
// handle must not reach the new task: not under another key, and not
// under the same key submitted again (that one goes by its key, as a
// reply without a handle does).
func TestStaleHandleNamesNothing(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	old := ofType[*Compute](h.submit("c", []*graph.Task{spec("a-1")}, "a-1"))[0].Handle
	h.finish("w1", "a-1", 8)
	h.handle(&KeysReleased{At: h.at(), Client: "c", Keys: []graph.Key{"a-1"}})
	h.wantState("a-1", Forgotten)

	// b-1 takes a-1's place.
	cs := ofType[*Compute](h.submit("c", []*graph.Task{spec("b-1")}, "b-1"))
	if len(cs) != 1 {
		t.Fatalf("computes = %+v", cs)
	}
	if uint32(cs[0].Handle) != uint32(old) || cs[0].Handle == old {
		t.Fatalf("b-1's handle %x: want a-1's place with a new generation (a-1's was %x)", cs[0].Handle, old)
	}
	if got := h.s.handles.lookup(old, "b-1"); got != nil {
		t.Fatalf("a-1's stale handle names %s", got.Key)
	}
	// a-1's late result, with its old handle, is a result for a task the
	// scheduler does not know: freed; b-1 is untouched.
	acts := h.handle(&TaskFinished{At: h.at(), Worker: "w1", Key: "a-1", Handle: old, NBytes: 8})
	if fs := ofType[*Free](acts); len(fs) != 1 || len(fs[0].Keys) != 1 || fs[0].Keys[0] != "a-1" {
		t.Fatalf("want a-1 freed, got\n%s", describe(acts))
	}
	h.wantState("b-1", Processing)
	// The same stale handle under b-1's key: the key decides.
	h.handle(&TaskFinished{At: h.at(), Worker: "w1", Key: "b-1", Handle: old, NBytes: 8})
	h.wantState("b-1", Memory)

	// a-1 submitted again takes another place or generation; the old
	// handle does not name it.
	h.submit("c", []*graph.Task{spec("a-1")}, "a-1")
	if got := h.s.handles.lookup(old, "a-1"); got != nil {
		t.Fatal("a-1's handle from before it was forgotten names the a-1 submitted again")
	}
}

// TestHandlesTableStartsAfterEveryOldGeneration: when every task is gone
// a big table of places is dropped; the new one starts at a generation
// above every handle the old one gave out.
func TestHandlesTableStartsAfterEveryOldGeneration(t *testing.T) {
	var hs handles
	ts := make([]Task, 2000)
	for i := range ts {
		ts[i].Key = graph.Key("k")
		hs.add(&ts[i])
	}
	ids := make([]TaskHandle, len(ts))
	for i := range ts {
		ids[i] = hs.handle(&ts[i])
	}
	for i := range ts {
		hs.drop(&ts[i])
	}
	if len(hs.places) != 0 {
		t.Fatalf("%d places kept after every task went", len(hs.places))
	}
	var again Task
	again.Key = "k"
	hs.add(&again)
	for _, id := range ids {
		if got := hs.lookup(id, "k"); got != nil {
			t.Fatalf("old handle %x names the new task (%x)", id, hs.handle(&again))
		}
	}
}

// TestTaskCursorFindsOnlyWhatIsThere: the cursor over a graph's new tasks
// finds a key in order, again, or one task ahead; anything else (a key
// further on, one before, one not new) is left to the map.
func TestTaskCursorFindsOnlyWhatIsThere(t *testing.T) {
	ts := []*Task{{Key: "a"}, {Key: "b"}, {Key: "c"}, {Key: "d"}, {Key: "e"}}
	c := newTaskCursor(ts)
	for _, step := range []struct {
		k    graph.Key
		want *Task
	}{
		{"c", nil}, {"a", ts[0]}, {"a", ts[0]}, {"c", ts[2]}, {"b", nil},
		{"d", ts[3]}, {"x", nil}, {"e", ts[4]}, {"e", ts[4]}, {"f", nil},
	} {
		if got := c.find(step.k); got != step.want {
			t.Fatalf("find(%s) = %v, want %v", step.k, got, step.want)
		}
	}
}
