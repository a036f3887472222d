package state

import (
	"slices"
	"testing"

	"github.com/dusk-go/dusk/graph"
)

func steals(acts []Action) []string {
	var out []string
	for _, s := range ofType[*Steal](acts) {
		out = append(out, s.Worker+":"+string(s.Key))
	}
	slices.Sort(out)
	return out
}

// A worker that pauses is asked for the tasks it has not started; those it
// gives back go to a running worker, which fetches their inputs from the
// paused one. The inputs are not released on the way.
func TestPausedWorkerGivesBackUnstartedTasks(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.submit("c", []*graph.Task{spec("x-1")}, "x-1")
	h.finish("w1", "x-1", 100)
	h.submit("c", []*graph.Task{spec("a-1"), spec("b-1", "x-1"), spec("c-1")}, "a-1", "b-1", "c-1")
	for _, k := range []graph.Key{"a-1", "b-1", "c-1"} {
		if on := h.s.Task(k).ProcessingOn(); on != "w1" {
			t.Fatalf("%s on %q, want w1", k, on)
		}
	}
	h.start("w1", "a-1")
	h.addWorker("w2", 1, nil)

	acts := h.handle(&Heartbeat{At: h.at(), Worker: "w1", Paused: true})
	if got, want := steals(acts), []string{"w1:b-1", "w1:c-1"}; !slices.Equal(got, want) {
		t.Fatalf("steals on pause = %v, want %v (a-1 runs already):\n%s", got, want, describe(acts))
	}
	if h.s.Worker("w1").Status != Paused {
		t.Fatalf("w1 is %s", h.s.Worker("w1").Status)
	}
	acts = h.handle(&StealReplied{At: h.at(), Worker: "w1", Key: "b-1", Stolen: true})
	cs := ofType[*Compute](acts)
	if len(cs) != 1 || cs[0].Worker != "w2" || cs[0].Task.Key != "b-1" {
		t.Fatalf("b-1 given back:\n%s", describe(acts))
	}
	if d := cs[0].Deps; len(d) != 1 || d[0].Key != "x-1" || !slices.Equal(d[0].Workers, []string{"w1"}) {
		t.Fatalf("b-1's input should come from the paused w1: %+v", d)
	}
	if fs := ofType[*Free](acts); len(fs) != 0 {
		t.Fatalf("moving b-1 freed data:\n%s", describe(acts))
	}
	h.wantState("x-1", Memory)
	// A task that started meanwhile stays.
	h.start("w1", "c-1")
	acts = h.handle(&StealReplied{At: h.at(), Worker: "w1", Key: "c-1", Stolen: false})
	if len(computes(acts)) != 0 || h.s.Task("c-1").ProcessingOn() != "w1" {
		t.Fatalf("c-1 started on w1 and should stay:\n%s", describe(acts))
	}
	// New work goes to w2 only while w1 is paused.
	acts = h.submit("c", []*graph.Task{spec("d-1")}, "d-1")
	if got := computes(acts); !slices.Equal(got, []string{"w2:d-1"}) {
		t.Fatalf("new task went to %v", got)
	}
	h.finish("w2", "b-1", 8)
	h.finish("w1", "a-1", 8)
	h.finish("w1", "c-1", 8)
	h.finish("w2", "d-1", 8)
	// Resumed, w1 takes work again.
	h.handle(&Heartbeat{At: h.at(), Worker: "w1", Paused: false})
	if h.s.Worker("w1").Status != Running {
		t.Fatalf("w1 is %s after resuming", h.s.Worker("w1").Status)
	}
}

// When every worker is paused, tasks stay where they are (moving them
// would help no one) and new ones wait; as soon as one worker resumes it
// gets the new tasks, and the tick moves the paused worker's unstarted
// tasks to it.
func TestEveryWorkerPausedThenOneResumes(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.submit("c", []*graph.Task{spec("a-1"), spec("b-1")}, "a-1", "b-1")
	h.start("w1", "a-1")
	h.addWorker("w2", 1, nil)
	h.handle(&Heartbeat{At: h.at(), Worker: "w2", Paused: true})
	acts := h.handle(&Heartbeat{At: h.at(), Worker: "w1", Paused: true})
	if got := steals(acts); len(got) != 0 {
		t.Fatalf("with every worker paused, steals = %v", got)
	}
	acts = h.submit("c", []*graph.Task{spec("n-1")}, "n-1")
	if len(computes(acts)) != 0 {
		t.Fatalf("a task went to a paused worker:\n%s", describe(acts))
	}
	if len(ofType[*KeyStalled](acts)) != 0 {
		t.Fatalf("a pause is not worth a stall warning per task:\n%s", describe(acts))
	}
	h.wantState("n-1", NoWorker)
	acts = h.handle(&Tick{At: h.at()})
	if got := steals(acts); len(got) != 0 {
		t.Fatalf("tick with every worker paused: steals = %v", got)
	}

	acts = h.handle(&Heartbeat{At: h.at(), Worker: "w2", Paused: false})
	if got := computes(acts); !slices.Equal(got, []string{"w2:n-1"}) {
		t.Fatalf("after w2 resumed: %v", got)
	}
	acts = h.handle(&Tick{At: h.at()})
	if got := steals(acts); !slices.Equal(got, []string{"w1:b-1"}) {
		t.Fatalf("tick after w2 resumed: steals = %v", got)
	}
	// Asked once only.
	acts = h.handle(&Tick{At: h.at()})
	if got := steals(acts); len(got) != 0 {
		t.Fatalf("second tick: steals = %v", got)
	}
	acts = h.handle(&StealReplied{At: h.at(), Worker: "w1", Key: "b-1", Stolen: true})
	if got := computes(acts); !slices.Equal(got, []string{"w2:b-1"}) {
		t.Fatalf("b-1 given back: %v", got)
	}
}

// A task that only the paused worker may run stays there.
func TestPausedWorkerKeepsTasksOnlyItMayRun(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, map[string]float64{"GPU": 1})
	h.addWorker("w2", 1, nil)
	gpu := spec("g-1")
	gpu.Resources = map[string]float64{"GPU": 1}
	h.submit("c", []*graph.Task{spec("a-1"), gpu}, "a-1", "g-1")
	if on := h.s.Task("g-1").ProcessingOn(); on != "w1" {
		t.Fatalf("g-1 on %s", on)
	}
	acts := h.handle(&Heartbeat{At: h.at(), Worker: "w1", Paused: true})
	for _, s := range steals(acts) {
		if s == "w1:g-1" {
			t.Fatalf("g-1 can run on w1 only, yet it was taken back:\n%s", describe(acts))
		}
	}
}
