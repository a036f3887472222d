package state

import (
	"fmt"
	"slices"
	"testing"

	"github.com/dusk-go/dusk/graph"
)

func speculating(c *Config) { c.Speculate = true }

func TestChainIsSentAhead(t *testing.T) {
	h := newHarness(t, speculating)
	h.addWorker("w1", 1, nil)
	h.addWorker("w2", 1, nil)
	acts := h.submit("c", []*graph.Task{spec("a-1"), spec("b-1", "a-1"), spec("c-1", "b-1")}, "c-1")
	got := computes(acts)
	w := h.s.Task("a-1").ProcessingOn()
	if !slices.Equal(got, []string{w + ":a-1", w + ":b-1", w + ":c-1"}) {
		t.Fatalf("computes = %v: the chain should follow a-1 to %s", got, w)
	}
	for _, c := range ofType[*Compute](acts)[1:] {
		if len(c.Deps) != 1 || len(c.Deps[0].Workers) != 0 {
			t.Fatalf("%s: input locations %+v, want none yet (computed there)", c.Task.Key, c.Deps)
		}
	}
	if acts := h.finish(w, "a-1", 8); len(computes(acts)) != 0 {
		t.Fatalf("nothing more to send, got %v", computes(acts))
	}
	if h.s.Task("b-1").speculative {
		t.Fatal("b-1 has all its inputs now")
	}
	h.finish(w, "b-1", 8)
	h.finish(w, "c-1", 8)
	h.wantState("c-1", Memory)
}

func TestFailedInputTakesFollowersBack(t *testing.T) {
	h := newHarness(t, speculating)
	h.addWorker("w1", 1, nil)
	a := spec("a-1")
	a.Retries = 1
	h.submit("c", []*graph.Task{a, spec("b-1", "a-1"), spec("c-1", "b-1")}, "c-1")
	acts := h.fail("w1", "a-1", "flaky")
	frees := ofType[*Free](acts)
	var freed []graph.Key
	for _, f := range frees {
		freed = append(freed, f.Keys...)
	}
	slices.Sort(freed)
	if !slices.Equal(freed, []graph.Key{"b-1", "c-1"}) {
		t.Fatalf("freed %v, want the followers b-1 and c-1:\n%s", freed, describe(acts))
	}
	if got := computes(acts); !slices.Equal(got, []string{"w1:a-1", "w1:b-1", "w1:c-1"}) {
		t.Fatalf("after the retry: %v", got)
	}
	acts = h.fail("w1", "a-1", "broken")
	h.wantState("c-1", Erred)
	if errs := ofType[*KeyErred](acts); len(errs) != 1 || errs[0].Err.Key != "a-1" {
		t.Fatalf("erred:\n%s", describe(acts))
	}
}

func TestStolenInputTakesFollowersBack(t *testing.T) {
	h := newHarness(t, speculating, func(c *Config) { c.WorkStealing = true })
	h.addWorker("w1", 1, nil)
	h.submit("c", []*graph.Task{spec("busy-1")}, "busy-1")
	h.start("w1", "busy-1")
	h.submit("c", []*graph.Task{spec("a-1"), spec("b-1", "a-1")}, "b-1")
	h.addWorker("w2", 1, nil)
	acts := h.handle(&Tick{At: h.at()})
	steals := ofType[*Steal](acts)
	if len(steals) != 1 || steals[0].Key != "a-1" {
		t.Fatalf("steals:\n%s", describe(acts))
	}
	acts = h.handle(&StealReplied{At: h.at(), Worker: "w1", Key: "a-1", Stolen: true})
	if got := computes(acts); !slices.Equal(got, []string{"w2:a-1", "w2:b-1"}) {
		t.Fatalf("after the steal: %v\n%s", got, describe(acts))
	}
	if frees := ofType[*Free](acts); len(frees) != 1 || frees[0].Worker != "w1" || frees[0].Keys[0] != "b-1" {
		t.Fatalf("b-1 should be taken back from w1:\n%s", describe(acts))
	}
}

func TestNoSpeculationAcrossWorkers(t *testing.T) {
	h := newHarness(t, speculating)
	h.addWorker("w1", 1, nil)
	h.addWorker("w2", 1, nil)
	h.submit("c", []*graph.Task{spec("x-1"), spec("y-1")}, "x-1", "y-1")
	wx, wy := h.s.Task("x-1").ProcessingOn(), h.s.Task("y-1").ProcessingOn()
	if wx == wy {
		t.Skip("both inputs landed on one worker")
	}
	acts := h.submit("c", []*graph.Task{spec("z-1", "x-1", "y-1")}, "z-1")
	if got := computes(acts); len(got) != 0 {
		t.Fatalf("z-1 needs inputs from two workers, sent %v", got)
	}
	h.wantState("z-1", Waiting)
}

// TestClientLeavesWhileRootsAreQueued releases a graph whose roots are
// partly queued. Releasing a running task frees a slot, a queued root takes
// it and recommends its follower for processing, while that follower's own
// release is still to come in the same pass: the recommendation is stale
// by the time it is applied and must be dropped (it used to panic: "no
// transition released -> processing"). Nor is any queued root sent to the
// worker only to be freed in the same pass.
func TestClientLeavesWhileRootsAreQueued(t *testing.T) {
	for _, speculate := range []bool{false, true} {
		t.Run(fmt.Sprintf("speculate=%v", speculate), func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.Speculate = speculate })
			h.addWorker("w1", 1, nil)
			var tasks []*graph.Task
			var keys []graph.Key
			var cleans []string
			for i := range 20 {
				load, clean := fmt.Sprintf("load-%d", i), fmt.Sprintf("clean-%d", i)
				tasks = append(tasks, spec(load), spec(clean, load))
				cleans = append(cleans, clean)
				keys = append(keys, graph.Key(load), graph.Key(clean))
			}
			tasks = append(tasks, spec("total-1", cleans...))
			keys = append(keys, "total-1")
			h.submit("c", tasks, "total-1")
			// Run what the worker has until a follower is processing and
			// the worker has room for one more root once it is released.
			for range 3 {
				for _, k := range keys {
					if tk := h.s.Task(k); tk.State == Processing && !tk.speculative {
						h.start("w1", k)
						h.finish("w1", k, 8)
						break
					}
				}
			}
			if h.state("load-19") != Queued {
				t.Fatalf("load-19 is %s, want queued (the test needs queued roots)", h.state("load-19"))
			}
			acts := h.handle(&ClientRemoved{At: h.at(), ID: "c"})
			if got := computes(acts); len(got) != 0 {
				t.Errorf("tasks sent to run after their only client left: %v", got)
			}
			for _, k := range keys {
				if st := h.state(k); st != Forgotten && st != Released {
					t.Errorf("%s is %s after its only client left, want released or forgotten", k, st)
				}
			}
		})
	}
}

// The many dependents of one task (a fan-out: root-ish tasks) are not sent
// ahead to the worker computing it: they wait, and once it is done the
// queue hands them to every worker with room. Sent ahead, all of them ran
// on that one worker while the other idled.
func TestFanOutIsNotSentAhead(t *testing.T) {
	h := newHarness(t, speculating)
	h.addWorker("w1", 1, nil)
	h.addWorker("w2", 1, nil)
	tasks := []*graph.Task{spec("src-1")}
	var keys []graph.Key
	for i := range 20 {
		k := fmt.Sprintf("use-%d", i)
		tasks = append(tasks, spec(k, "src-1"))
		keys = append(keys, graph.Key(k))
	}
	acts := h.submit("c", tasks, keys...)
	w := h.s.Task("src-1").ProcessingOn()
	if got := computes(acts); !slices.Equal(got, []string{w + ":src-1"}) {
		t.Fatalf("computes = %v: only src-1 should go, its dependents wait for it", got)
	}
	acts = h.finish(w, "src-1", 8)
	by := map[string]int{}
	for _, c := range ofType[*Compute](acts) {
		by[c.Worker]++
	}
	if by["w1"] == 0 || by["w2"] == 0 {
		t.Fatalf("after src-1: computes by worker %v, want both workers given some", by)
	}
}
