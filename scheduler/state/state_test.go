package state

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/task"
)

func TestSingleTaskLifecycle(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	acts := h.submit("c", []*graph.Task{spec("a-1")}, "a-1")
	if got := computes(acts); !slices.Equal(got, []string{"w1:a-1"}) {
		t.Fatalf("computes = %v\n%s", got, describe(acts))
	}
	h.wantState("a-1", Processing)
	h.start("w1", "a-1")
	acts = h.finish("w1", "a-1", 8)
	mem := ofType[*KeyInMemory](acts)
	if len(mem) != 1 || mem[0].Client != "c" || mem[0].Key != "a-1" || mem[0].NBytes != 8 || !slices.Equal(mem[0].Workers, []string{"w1"}) {
		t.Fatalf("memory notifications = %+v", mem)
	}
	h.wantState("a-1", Memory)
	acts = h.handle(&KeysReleased{At: h.at(), Client: "c", Keys: []graph.Key{"a-1"}})
	frees := ofType[*Free](acts)
	if len(frees) != 1 || frees[0].Worker != "w1" || frees[0].Keys[0] != "a-1" {
		t.Fatalf("frees = %s", describe(acts))
	}
	h.wantState("a-1", Forgotten)
	if h.s.NTasks() != 0 {
		t.Fatalf("%d tasks left", h.s.NTasks())
	}
}

func TestDependenciesFreedWhenNoLongerNeeded(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 2, nil)
	acts := h.submit("c", []*graph.Task{spec("a-1"), spec("b-1", "a-1")}, "b-1")
	if got := computes(acts); !slices.Equal(got, []string{"w1:a-1"}) {
		t.Fatalf("computes = %v", got)
	}
	h.wantState("b-1", Waiting)
	acts = h.finish("w1", "a-1", 100)
	cs := ofType[*Compute](acts)
	if len(cs) != 1 || cs[0].Task.Key != "b-1" {
		t.Fatalf("want compute b-1, got\n%s", describe(acts))
	}
	if len(cs[0].Deps) != 1 || cs[0].Deps[0].Key != "a-1" || cs[0].Deps[0].NBytes != 100 || cs[0].Deps[0].Workers[0] != "w1" {
		t.Fatalf("deps = %+v", cs[0].Deps)
	}
	if len(ofType[*KeyInMemory](acts)) != 0 {
		t.Fatal("client told about a-1, which it does not want")
	}
	acts = h.finish("w1", "b-1", 8)
	frees := ofType[*Free](acts)
	if len(frees) != 1 || frees[0].Keys[0] != "a-1" {
		t.Fatalf("a-1 should be freed once b-1 is done:\n%s", describe(acts))
	}
	// a-1 stays known (released) for lineage while b-1 lives.
	h.wantState("a-1", Released)
	h.handle(&KeysReleased{At: h.at(), Client: "c", Keys: []graph.Key{"b-1"}})
	h.wantState("a-1", Forgotten)
	h.wantState("b-1", Forgotten)
}

func TestUnneededTasksOfAGraphAreDropped(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	acts := h.submit("c", []*graph.Task{spec("a-1"), spec("unused-1"), spec("b-1", "a-1")}, "b-1")
	if got := computes(acts); !slices.Equal(got, []string{"w1:a-1"}) {
		t.Fatalf("computes = %v", got)
	}
	h.wantState("unused-1", Forgotten)
}

func TestRootTasksAreQueued(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.addWorker("w2", 1, nil)
	var tasks []*graph.Task
	var keys []graph.Key
	for i := range 20 {
		k := graph.Key("inc-" + string(rune('a'+i)))
		tasks = append(tasks, spec(string(k)))
		keys = append(keys, k)
	}
	acts := h.submit("c", tasks, keys...)
	// ceil(1 thread * 1.1) = 2 tasks per worker.
	if got := computes(acts); len(got) != 4 {
		t.Fatalf("sent %d tasks, want 4: %v", len(got), got)
	}
	if h.s.NQueued() != 16 {
		t.Fatalf("queued %d, want 16", h.s.NQueued())
	}
	// The first tasks by graph order go first.
	if got := computes(acts); !slices.Equal(got, []string{"w1:inc-a", "w2:inc-b", "w1:inc-c", "w2:inc-d"}) {
		t.Fatalf("order = %v", got)
	}
	acts = h.finish("w1", "inc-a", 8)
	if got := computes(acts); !slices.Equal(got, []string{"w1:inc-e"}) {
		t.Fatalf("after one finished: %v", got)
	}
}

func TestShortTasksRaiseSaturation(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	var tasks []*graph.Task
	var keys []graph.Key
	for i := range 2000 {
		k := graph.NewKey("inc")
		tasks = append(tasks, spec(string(k)))
		keys = append(keys, k)
		_ = i
	}
	acts := h.submit("c", tasks, keys...)
	sent := computes(acts)
	if len(sent) != 2 {
		t.Fatalf("before any duration is known, %d sent, want 2", len(sent))
	}
	// A task that takes a microsecond: the worker should get enough to
	// cover the round trip, not two at a time.
	first := strings.TrimPrefix(sent[0], "w1:")
	h.s.Handle(&TaskFinished{At: h.at(), Worker: "w1", Key: graph.Key(first), NBytes: 8, Start: h.now, Stop: h.now.Add(1000)})
	more := computes(h.s.Ready().Actions)
	if len(more) < 100 {
		t.Fatalf("after a 1µs task, only %d more sent", len(more))
	}
}

func TestInfiniteSaturationSendsEverything(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.WorkerSaturation = math.Inf(1) })
	h.addWorker("w1", 1, nil)
	var tasks []*graph.Task
	var keys []graph.Key
	for range 50 {
		k := graph.NewKey("inc")
		tasks = append(tasks, spec(string(k)))
		keys = append(keys, k)
	}
	if got := computes(h.submit("c", tasks, keys...)); len(got) != 50 {
		t.Fatalf("sent %d, want 50", len(got))
	}
}

func TestPlacementFollowsData(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.addWorker("w2", 1, nil)
	h.submit("c", []*graph.Task{spec("big-1"), spec("small-1")}, "big-1", "small-1")
	h.finish(h.s.Task("big-1").ProcessingOn(), "big-1", 1<<30)
	big := h.s.Task("big-1").WhoHas()[0]
	h.finish(h.s.Task("small-1").ProcessingOn(), "small-1", 10)
	acts := h.submit("c", []*graph.Task{spec("use-1", "big-1", "small-1")}, "use-1")
	if got := computes(acts); !slices.Equal(got, []string{big + ":use-1"}) {
		t.Fatalf("use-1 sent to %v, want the holder of big-1 (%s)", got, big)
	}
}

// Two tasks that read the same two inputs, one on each worker, both
// ready at once, go to the same worker: the second counts the input the
// first's worker is fetching as held there, so one input moves instead
// of one per task (as the blocks (i, j) and (j, i) of x + x.T).
func TestTasksSharingInputsArePlacedTogether(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.addWorker("w2", 1, nil)
	h.submit("c", []*graph.Task{spec("a-1"), spec("b-1")}, "a-1", "b-1")
	wa, wb := h.s.Task("a-1").ProcessingOn(), h.s.Task("b-1").ProcessingOn()
	if wa == wb {
		t.Fatalf("a-1 and b-1 both on %s; the test needs them apart", wa)
	}
	h.finish(wa, "a-1", 1<<30)
	h.finish(wb, "b-1", 1<<30)
	acts := h.submit("c", []*graph.Task{spec("ab-1", "a-1", "b-1"), spec("ba-1", "b-1", "a-1")}, "ab-1", "ba-1")
	got := computes(acts)
	if len(got) != 2 {
		t.Fatalf("computes = %v, want ab-1 and ba-1", got)
	}
	if w1, w2 := strings.Split(got[0], ":")[0], strings.Split(got[1], ":")[0]; w1 != w2 {
		t.Fatalf("computes = %v: the tasks went to different workers, each fetching the other's input", got)
	}
}

func TestResourcesWaitForAFittingWorker(t *testing.T) {
	h := newHarness(t)
	h.addWorker("cpu", 2, nil)
	g := spec("train-1")
	g.Resources = map[string]float64{"GPU": 1}
	acts := h.submit("c", []*graph.Task{g}, "train-1")
	h.wantState("train-1", NoWorker)
	st := ofType[*KeyStalled](acts)
	if len(st) != 1 || !strings.Contains(st[0].Reason, "GPU=1") {
		t.Fatalf("stalled = %+v", st)
	}
	acts = h.addWorker("gpu", 1, map[string]float64{"GPU": 1})
	if got := computes(acts); !slices.Equal(got, []string{"gpu:train-1"}) {
		t.Fatalf("computes = %v", got)
	}
}

func TestWorkerRestrictions(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.addWorker("w2", 1, nil)
	strict := spec("s-1")
	strict.Workers = []string{"addr-w2"}
	loose := spec("l-1")
	loose.Workers = []string{"w9"}
	loose.AllowOtherWorkers = true
	acts := h.submit("c", []*graph.Task{strict, loose}, "s-1", "l-1")
	got := computes(acts)
	if !slices.Contains(got, "w2:s-1") || len(got) != 2 {
		t.Fatalf("computes = %v", got)
	}
	gone := spec("g-1")
	gone.Workers = []string{"w9"}
	h.submit("c", []*graph.Task{gone}, "g-1")
	h.wantState("g-1", NoWorker)
}

func TestWorkerDeathReschedulesAndRecomputes(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.addWorker("w2", 1, nil)
	h.submit("c", []*graph.Task{spec("a-1"), spec("b-1", "a-1"), spec("x-1")}, "b-1", "x-1")
	wa := h.s.Task("a-1").ProcessingOn()
	h.finish(wa, "a-1", 8)
	wb := h.s.Task("b-1").ProcessingOn()
	if wb != wa {
		t.Fatalf("b-1 on %s, a-1 on %s", wb, wa)
	}
	// The worker holding a-1 and running b-1 dies before b-1 finishes.
	acts := h.handle(&WorkerRemoved{At: h.at(), ID: wa, Reason: "test"})
	other := "w1"
	if wa == "w1" {
		other = "w2"
	}
	if got := computes(acts); !slices.Contains(got, other+":a-1") {
		t.Fatalf("a-1 should be recomputed on %s:\n%s", other, describe(acts))
	}
	h.wantState("b-1", Waiting)
	h.finish(other, "a-1", 8)
	h.wantState("b-1", Processing)
	h.finish(other, "b-1", 8)
	h.wantState("b-1", Memory)
}

func TestKilledWorkerCountsOnlyExecutingTasks(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AllowedFailures = 1 })
	h.submit("c", []*graph.Task{spec("boom-1"), spec("quiet-1")}, "boom-1", "quiet-1")
	for i, id := range []string{"w1", "w2", "w3"} {
		h.addWorker(id, 1, nil)
		if h.state("boom-1") != Processing {
			t.Fatalf("round %d: boom-1 is %s", i, h.state("boom-1"))
		}
		h.start(id, "boom-1") // only boom-1 executes; quiet-1 waits on the worker
		acts := h.handle(&WorkerRemoved{At: h.at(), ID: id, Reason: "killed by the nanny"})
		if i < 1 {
			if st := h.state("boom-1"); st == Erred {
				t.Fatalf("erred after one death")
			}
			continue
		}
		h.wantState("boom-1", Erred)
		errs := ofType[*KeyErred](acts)
		if len(errs) != 1 || errs[0].Err.Kind != task.ErrKilledWorker ||
			!strings.Contains(errs[0].Err.Error(), "w1 (") || !strings.Contains(errs[0].Err.Error(), "w2 (") || !strings.Contains(errs[0].Err.Error(), "smaller partitions") {
			t.Fatalf("erred = %s", describe(acts))
		}
		break
	}
	if h.s.Task("quiet-1").suspicious != 0 {
		t.Fatal("a task that never started was blamed")
	}
}

func TestRetriesThenError(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	a := spec("a-1")
	a.Retries = 1
	h.submit("c", []*graph.Task{a, spec("b-1", "a-1")}, "b-1")
	acts := h.fail("w1", "a-1", "flaky")
	if got := computes(acts); !slices.Equal(got, []string{"w1:a-1"}) {
		t.Fatalf("retry: %v", got)
	}
	acts = h.fail("w1", "a-1", "broken")
	h.wantState("a-1", Erred)
	h.wantState("b-1", Erred)
	errs := ofType[*KeyErred](acts)
	if len(errs) != 1 || errs[0].Key != "b-1" || errs[0].Err.Key != "a-1" || errs[0].Err.Message != "broken" {
		t.Fatalf("erred = %s", describe(acts))
	}
	h.handle(&KeysReleased{At: h.at(), Client: "c", Keys: []graph.Key{"b-1"}})
	h.wantState("a-1", Forgotten)
	h.wantState("b-1", Forgotten)
}

func TestCancelStopsRunningTask(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.submit("c", []*graph.Task{spec("slow-1")}, "slow-1")
	h.start("w1", "slow-1")
	acts := h.handle(&KeysCancelled{At: h.at(), Client: "c", Keys: []graph.Key{"slow-1"}})
	if len(ofType[*KeyCancelled](acts)) != 1 || len(ofType[*Free](acts)) != 1 {
		t.Fatalf("cancel:\n%s", describe(acts))
	}
	h.wantState("slow-1", Forgotten)
	// A late result is freed on the worker.
	acts = h.finish("w1", "slow-1", 8)
	if len(ofType[*Free](acts)) != 1 {
		t.Fatalf("late result:\n%s", describe(acts))
	}
}

func TestScatteredDataIsUsedWhereItIs(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.addWorker("w2", 1, nil)
	h.handle(&KeysScattered{At: h.at(), Client: "c", Keys: []ScatteredKey{{Key: "lookup-1", NBytes: 1 << 30, Workers: []string{"w2"}}}})
	h.wantState("lookup-1", Memory)
	acts := h.submit("c", []*graph.Task{spec("use-1", "lookup-1")}, "use-1")
	if got := computes(acts); !slices.Equal(got, []string{"w2:use-1"}) {
		t.Fatalf("computes = %v", got)
	}
	// Losing the only copy of scattered data errs its users.
	acts = h.handle(&WorkerRemoved{At: h.at(), ID: "w2"})
	h.wantState("lookup-1", Erred)
	errs := ofType[*KeyErred](acts)
	if len(errs) != 2 || !strings.Contains(errs[0].Err.Message, "scatter it again") {
		t.Fatalf("erred:\n%s", describe(acts))
	}
}

func TestDataMissingRecomputes(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.addWorker("w2", 1, nil)
	h.submit("c", []*graph.Task{spec("a-1"), spec("b-1")}, "a-1", "b-1")
	wa := h.s.Task("a-1").ProcessingOn()
	h.finish(wa, "a-1", 8)
	h.finish(h.s.Task("b-1").ProcessingOn(), "b-1", 8)
	h.submit("c", []*graph.Task{spec("c-1", "a-1", "b-1")}, "c-1")
	wc := h.s.Task("c-1").ProcessingOn()
	acts := h.handle(&DataMissing{At: h.at(), Worker: wc, Task: "c-1", Key: "a-1", Tried: []string{wa}})
	if got := computes(acts); len(got) != 1 || !strings.HasSuffix(got[0], ":a-1") {
		t.Fatalf("a-1 should be recomputed:\n%s", describe(acts))
	}
	h.wantState("c-1", Waiting)
}

func TestWorkStealing(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.WorkStealing = true; c.WorkerSaturation = math.Inf(1) })
	h.addWorker("w1", 1, nil)
	// Four tasks that depend on a tiny key on w1 all go to w1.
	h.submit("c", []*graph.Task{spec("seed-1")}, "seed-1")
	h.finish("w1", "seed-1", 8)
	var ts []*graph.Task
	var keys []graph.Key
	for _, k := range []string{"x-1", "x-2", "x-3", "x-4"} {
		ts = append(ts, spec(k, "seed-1"))
		keys = append(keys, graph.Key(k))
	}
	h.submit("c", ts, keys...)
	h.start("w1", "x-1")
	h.addWorker("w2", 1, nil)
	acts := h.handle(&Tick{At: h.at()})
	steals := ofType[*Steal](acts)
	if len(steals) != 1 || steals[0].Worker != "w1" || steals[0].Key == "x-1" {
		t.Fatalf("steals:\n%s", describe(acts))
	}
	acts = h.handle(&StealReplied{At: h.at(), Worker: "w1", Key: steals[0].Key, Stolen: true})
	if got := computes(acts); !slices.Equal(got, []string{"w2:" + string(steals[0].Key)}) {
		t.Fatalf("after steal: %v", got)
	}
}

func TestRestartCancelsEverything(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.submit("c", []*graph.Task{spec("a-1"), spec("b-1", "a-1")}, "b-1")
	acts := h.handle(&Restarted{At: h.at()})
	if c := ofType[*KeyCancelled](acts); len(c) != 1 || c[0].Key != "b-1" {
		t.Fatalf("restart:\n%s", describe(acts))
	}
	if h.s.NTasks() != 0 {
		t.Fatalf("%d tasks after restart", h.s.NTasks())
	}
	h.handle(&WorkerRemoved{At: h.at(), ID: "w1"})
	h.addWorker("w1b", 1, nil)
	if got := computes(h.submit("c", []*graph.Task{spec("a-1")}, "a-1")); !slices.Equal(got, []string{"w1b:a-1"}) {
		t.Fatalf("after restart: %v", got)
	}
}

func TestClientRemovalReleasesItsKeys(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.submit("c", []*graph.Task{spec("a-1")}, "a-1")
	h.submit("d", nil, "a-1")
	h.finish("w1", "a-1", 8)
	h.handle(&ClientRemoved{At: h.at(), ID: "c"})
	h.wantState("a-1", Memory)
	h.handle(&ClientRemoved{At: h.at(), ID: "d"})
	h.wantState("a-1", Forgotten)
}

func TestPausedWorkerGetsNoTasks(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.addWorker("w2", 1, nil)
	h.handle(&Heartbeat{At: h.at(), Worker: "w1", Paused: true})
	acts := h.submit("c", []*graph.Task{spec("a-1"), spec("b-1")}, "a-1", "b-1")
	for _, c := range computes(acts) {
		if strings.HasPrefix(c, "w1:") {
			t.Fatalf("paused worker got %s", c)
		}
	}
}

func TestHeartbeatTimeoutRemovesWorker(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.now = h.now.Add(time.Minute)
	h.handle(&Tick{At: h.at()})
	if h.s.Worker("w1") != nil {
		t.Fatal("silent worker not removed")
	}
}

func TestRetiringWorkerHandsOverData(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.submit("c", []*graph.Task{spec("a-1")}, "a-1")
	h.finish("w1", "a-1", 8)
	h.addWorker("w2", 1, nil)
	acts := h.handle(&WorkerRetiring{At: h.at(), ID: "w1"})
	acq := ofType[*Acquire](acts)
	if len(acq) != 1 || acq[0].Worker != "w2" || acq[0].Deps[0].Key != "a-1" {
		t.Fatalf("retire:\n%s", describe(acts))
	}
	acts = h.handle(&KeysAdded{At: h.at(), Worker: "w2", Keys: []graph.KeySize{{Key: "a-1", NBytes: 8}}})
	if len(ofType[*CloseWorker](acts)) != 1 {
		t.Fatalf("after copy:\n%s", describe(acts))
	}
}
