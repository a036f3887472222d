package state

import (
	"math"
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

// A paused worker keeps, for pausedPatience, the tasks whose inputs it
// alone holds and that cost more to move than half their run time: a
// worker out of core pauses often while it spills, and moving its tasks
// would only carry its data into another worker's memory. Once the pause
// lasts, they move like the others.
func TestPausedWorkerKeepsTasksOnItsOwnLargeInputs(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.submit("c", []*graph.Task{spec("big-1"), spec("small-1")}, "big-1", "small-1")
	h.start("w1", "big-1")
	h.finish("w1", "big-1", 1<<30) // 1 GiB: 10 s at 100 MB/s
	h.start("w1", "small-1")
	h.finish("w1", "small-1", 100)
	h.submit("c", []*graph.Task{spec("r-1"), spec("u-1", "big-1"), spec("v-1", "small-1")}, "u-1", "v-1", "r-1")
	h.start("w1", "r-1")
	h.addWorker("w2", 1, nil)

	acts := h.handle(&Heartbeat{At: h.at(), Worker: "w1", Paused: true})
	if got, want := steals(acts), []string{"w1:v-1"}; !slices.Equal(got, want) {
		t.Fatalf("steals on pause = %v, want %v (u-1 reads 1 GiB only w1 holds):\n%s", got, want, describe(acts))
	}
	h.handle(&StealReplied{At: h.at(), Worker: "w1", Key: "v-1", Stolen: true})
	acts = h.handle(&Tick{At: h.at()})
	if got := steals(acts); len(got) != 0 {
		t.Fatalf("a tick soon after the pause moved %v", got)
	}
	for range 2 { // heartbeats within the worker TTL
		h.now = h.now.Add(pausedPatience / 2)
		h.handle(&Heartbeat{At: h.at(), Worker: "w1", Paused: true})
		h.handle(&Heartbeat{At: h.at(), Worker: "w2"})
	}
	acts = h.handle(&Tick{At: h.at()})
	if got, want := steals(acts), []string{"w1:u-1"}; !slices.Equal(got, want) {
		t.Fatalf("steals once the pause lasted = %v, want %v:\n%s", got, want, describe(acts))
	}
}

// A task whose large input only a paused worker holds is placed there, to
// run when it resumes, rather than on a running worker that would fetch
// the input into its own memory; a task with a small input goes to the
// running worker as before, and once the pause has lasted pausedPatience
// so does the large one.
func TestTaskWaitsForThePausedHolderOfItsLargeInput(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.submit("c", []*graph.Task{spec("big-1"), spec("small-1")}, "big-1", "small-1")
	h.finish("w1", "big-1", 1<<30)
	h.finish("w1", "small-1", 100)
	h.addWorker("w2", 1, nil)
	h.handle(&Heartbeat{At: h.at(), Worker: "w1", Paused: true})
	acts := h.submit("c", []*graph.Task{spec("u-1", "big-1"), spec("v-1", "small-1")}, "u-1", "v-1")
	if got, want := computes(acts), []string{"w1:u-1", "w2:v-1"}; !slices.Equal(got, want) {
		t.Fatalf("placed %v, want %v:\n%s", got, want, describe(acts))
	}
	for range 2 { // heartbeats within the worker TTL
		h.now = h.now.Add(pausedPatience / 2)
		h.handle(&Heartbeat{At: h.at(), Worker: "w1", Paused: true})
		h.handle(&Heartbeat{At: h.at(), Worker: "w2"})
	}
	acts = h.submit("c", []*graph.Task{spec("u-2", "big-1")}, "u-2")
	if got, want := computes(acts), []string{"w2:u-2"}; !slices.Equal(got, want) {
		t.Fatalf("after a long pause placed %v, want %v:\n%s", got, want, describe(acts))
	}
}

// An idle worker does not steal a task whose inputs would take it past
// half its memory limit: out of core, it would have to spill what it
// fetched, and workers would trade their data back and forth. With room,
// it steals.
func TestThiefNeedsRoomForTheInputs(t *testing.T) {
	for _, managed := range []int64{0, 60 << 20} {
		h := newHarness(t, func(c *Config) { c.WorkStealing = true; c.WorkerSaturation = math.Inf(1) })
		h.handle(&WorkerAdded{At: h.at(), ID: "w1", Address: "addr-w1", NThreads: 1, MemoryLimit: 100 << 20})
		h.submit("c", []*graph.Task{spec("in-1"), spec("in-2")}, "in-1", "in-2")
		h.finish("w1", "in-1", 10<<20)
		h.finish("w1", "in-2", 10<<20)
		h.submit("c", []*graph.Task{spec("x-1", "in-1"), spec("x-2", "in-2")}, "x-1", "x-2")
		h.start("w1", "x-1")
		h.handle(&WorkerAdded{At: h.at(), ID: "w2", Address: "addr-w2", NThreads: 1, MemoryLimit: 100 << 20})
		h.handle(&Heartbeat{At: h.at(), Worker: "w2", Managed: managed})
		acts := h.handle(&Tick{At: h.at()})
		got := steals(acts)
		if managed == 0 && !slices.Equal(got, []string{"w1:x-2"}) {
			t.Fatalf("an empty thief should steal x-2: %v\n%s", got, describe(acts))
		}
		if managed > 0 && len(got) != 0 {
			t.Fatalf("a thief holding 60 of its 100 MiB stole %v", got)
		}
	}
}
