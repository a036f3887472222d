package state

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dusk-go/dusk/graph"
)

// roots returns n independent tasks of prefix.
func roots(prefix string, n int) ([]*graph.Task, []graph.Key) {
	var ts []*graph.Task
	var keys []graph.Key
	for i := range n {
		k := fmt.Sprintf("%s-%d", prefix, i)
		ts = append(ts, spec(k))
		keys = append(keys, graph.Key(k))
	}
	return ts, keys
}

func TestScalingWithoutWorkersWantsOne(t *testing.T) {
	h := newHarness(t)
	if got := h.s.Scaling(5 * time.Second); got.Target != 0 || len(got.Close) != 0 {
		t.Fatalf("nothing to do, no workers: %+v", got)
	}
	ts, keys := roots("r", 3)
	h.submit("c", ts, keys...)
	if got := h.s.Scaling(5 * time.Second); got.Target != 1 {
		t.Fatalf("3 tasks of 0.5 s and no worker: target %d, want 1", got.Target)
	}
}

func TestScalingGrowsWithQueuedWork(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 2, nil)
	// 400 tasks of the unknown duration (0.5 s): 200 s of work; in 5 s
	// that is 40 threads, 20 workers of 2 threads.
	ts, keys := roots("r", 400)
	h.submit("c", ts, keys...)
	if got := h.s.Scaling(5 * time.Second); got.Target != 20 {
		t.Fatalf("200 s of work for 5 s on 2-thread workers: target %d, want 20", got.Target)
	}
	// A longer target wants fewer workers.
	if got := h.s.Scaling(50 * time.Second); got.Target != 2 {
		t.Fatalf("200 s of work for 50 s: target %d, want 2", got.Target)
	}
	// Never more threads than tasks: 3 tasks of a minute want 2 workers of
	// 2 threads, not 36.
	h2 := newHarness(t)
	h2.addWorker("w1", 2, nil)
	h2.submit("c", []*graph.Task{spec("slow-warm")}, "slow-warm")
	h2.start("w1", "slow-warm")
	h2.handle(&TaskFinished{At: h2.at(), Worker: "w1", Key: "slow-warm", NBytes: 8, Type: "int",
		Start: h2.now.Add(-time.Minute), Stop: h2.now})
	ts, keys = roots("slow", 3)
	h2.submit("c", ts, keys...)
	if got := h2.s.Scaling(5 * time.Second); got.Target != 2 {
		t.Fatalf("3 one-minute tasks: target %d, want 2", got.Target)
	}
}

func TestScalingShrinksIdleWorkersLeastDataFirst(t *testing.T) {
	h := newHarness(t)
	for _, w := range []string{"a", "b", "c", "d"} {
		h.handle(&WorkerAdded{At: h.at(), ID: w, Address: "addr-" + w, NThreads: 1, MemoryLimit: 1000})
	}
	// One worker holds 100 bytes, one 10 (or both, if placed together);
	// nothing runs.
	h.submit("cl", []*graph.Task{spec("x"), spec("y")}, "x", "y")
	for _, a := range ofType[*Compute](h.out) {
		h.start(a.Worker, a.Task.Key)
		h.finish(a.Worker, a.Task.Key, map[graph.Key]int64{"x": 100, "y": 10}[a.Task.Key])
	}
	got := h.s.Scaling(5 * time.Second)
	if got.Target != 1 {
		t.Fatalf("no work and 110 bytes in 4000: target %d, want 1 (%v)", got.Target, got)
	}
	if len(got.Close) != 3 {
		t.Fatalf("close %v, want three workers", got.Close)
	}
	holder := h.s.Task("x").whoHas[0]
	if slices.Contains(got.Close, holder.ID) {
		t.Fatalf("close %v names %s, which holds the most data", got.Close, holder.ID)
	}
	// The ones with the least data go first.
	nbytes := func(id string) int64 { return h.s.Worker(id).nbytes }
	for i := 1; i < len(got.Close); i++ {
		if nbytes(got.Close[i-1]) > nbytes(got.Close[i]) {
			t.Fatalf("close %v: not least data first", got.Close)
		}
	}
}

func TestScalingKeepsRoomForTheData(t *testing.T) {
	h := newHarness(t)
	for _, w := range []string{"a", "b", "c"} {
		h.handle(&WorkerAdded{At: h.at(), ID: w, Address: "addr-" + w, NThreads: 1, MemoryLimit: 1000})
	}
	h.submit("cl", []*graph.Task{spec("x")}, "x")
	a := ofType[*Compute](h.out)[0]
	h.start(a.Worker, "x")
	h.finish(a.Worker, "x", 900)
	// 900 bytes held: the workers that stay need 1800 bytes of limits, so
	// only one of three may go. Below 60% of the limits held, no growth.
	got := h.s.Scaling(5 * time.Second)
	if got.Target != 2 || len(got.Close) != 1 || got.Close[0] == a.Worker {
		t.Fatalf("900 bytes in 3 × 1000: %+v; want one idle empty worker closed", got)
	}
	// Past 60% of the limits, twice the workers.
	h.submit("cl", []*graph.Task{spec("z")}, "z")
	for _, c := range ofType[*Compute](h.out) {
		if c.Task.Key == "z" {
			h.start(c.Worker, "z")
			h.finish(c.Worker, "z", 1000)
		}
	}
	if got := h.s.Scaling(5 * time.Second); got.Target != 6 {
		t.Fatalf("1900 bytes in 3 × 1000: target %d, want 6", got.Target)
	}
}

func TestScalingNeverClosesABusyOrRetiringWorker(t *testing.T) {
	h := newHarness(t)
	h.addWorker("a", 1, nil)
	h.addWorker("b", 1, nil)
	h.submit("cl", []*graph.Task{spec("x")}, "x")
	busy := ofType[*Compute](h.out)[0].Worker
	got := h.s.Scaling(time.Hour) // 0.5 s of work wants a single worker
	if got.Target != 1 || len(got.Close) != 1 || got.Close[0] == busy {
		t.Fatalf("one task running on %s: %+v", busy, got)
	}
	// A retiring worker is not counted.
	idle := got.Close[0]
	h.handle(&WorkerRetiring{At: h.at(), ID: idle})
	if got := h.s.Scaling(time.Hour); got.Target != 1 || len(got.Close) != 0 {
		t.Fatalf("with %s retiring: %+v", idle, got)
	}
}

// Two workers retired at once (as an adaptive cluster shrinks): the data
// the first copies to the second, which was still running when the copy
// was planned, is copied again to the worker that stays before either is
// let go. Each used to count on the other's copy, both left, and the data
// was lost.
func TestRetiringWorkersDoNotCountOnEachOther(t *testing.T) {
	h := newHarness(t)
	for _, w := range []string{"a", "b", "c"} {
		h.addWorker(w, 1, nil)
	}
	h.submit("cl", []*graph.Task{spec("x")}, "x")
	holder := ofType[*Compute](h.out)[0].Worker
	h.start(holder, "x")
	h.finish(holder, "x", 10)
	acts := h.handle(&WorkerRetiring{At: h.at(), ID: holder})
	acq := ofType[*Acquire](acts)
	if len(acq) != 1 {
		t.Fatalf("retiring %s: %s", holder, describe(acts))
	}
	first := acq[0].Worker
	last := "a"
	for _, w := range []string{"a", "b", "c"} {
		if w != holder && w != first {
			last = w
		}
	}
	// The copy's target retires too, before its copy arrives.
	h.handle(&WorkerRetiring{At: h.at(), ID: first})
	acts = h.handle(&KeysAdded{At: h.at(), Worker: first, Keys: []graph.KeySize{{Key: "x", NBytes: 10}}})
	for _, c := range ofType[*CloseWorker](h.out) {
		if c.Worker == holder {
			t.Fatalf("%s was let go while x was only on retiring workers: %s", holder, describe(h.out))
		}
	}
	acq = ofType[*Acquire](acts)
	if len(acq) == 0 || acq[0].Worker != last {
		t.Fatalf("x on two retiring workers: %s; want it copied to %s", describe(acts), last)
	}
	acts = h.handle(&KeysAdded{At: h.at(), Worker: last, Keys: []graph.KeySize{{Key: "x", NBytes: 10}}})
	closed := false
	for _, c := range ofType[*CloseWorker](acts) {
		closed = closed || c.Worker == holder
	}
	if !closed {
		t.Fatalf("once %s has x, %s goes: %s", last, holder, describe(acts))
	}
}
