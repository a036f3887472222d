package state

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/dusk-go/dusk/graph"
)

// finishTook reports k finished on worker after running for d.
func (h *harness) finishTook(worker string, k graph.Key, nbytes int64, d time.Duration) []Action {
	at := h.at()
	return h.handle(&TaskFinished{At: at, Worker: worker, Key: k, NBytes: nbytes, Type: "int", Start: at.Now.Add(-d), Stop: at.Now})
}

// The bandwidth is the configured guess until workers report what their
// fetches reached, then the mean of their reports; a worker that leaves
// takes its report with it.
func TestBandwidthIsTheMeanOfTheWorkersReports(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Bandwidth = 100e6 })
	h.addWorker("w1", 1, nil)
	h.addWorker("w2", 1, nil)
	h.addWorker("w3", 1, nil)
	if got := h.s.Bandwidth(); got != 100e6 {
		t.Fatalf("before any report: %v, want the configured 1e8", got)
	}
	h.handle(&Heartbeat{At: h.at(), Worker: "w1", Bandwidth: 1e9})
	h.handle(&Heartbeat{At: h.at(), Worker: "w2", Bandwidth: 3e9})
	h.handle(&Heartbeat{At: h.at(), Worker: "w3"}) // has fetched nothing
	if got := h.s.Bandwidth(); got != 2e9 {
		t.Fatalf("w1 1e9, w2 3e9, w3 none: %v, want 2e9", got)
	}
	h.handle(&Heartbeat{At: h.at(), Worker: "w2", Bandwidth: 2e9})
	if got := h.s.Bandwidth(); got != 1.5e9 {
		t.Fatalf("w2 now 2e9: %v, want 1.5e9", got)
	}
	h.handle(&WorkerRemoved{At: h.at(), ID: "w2", Reason: "test"})
	if got := h.s.Bandwidth(); got != 1e9 {
		t.Fatalf("w2 gone: %v, want w1's 1e9", got)
	}
	h.handle(&WorkerRemoved{At: h.at(), ID: "w1", Reason: "test"})
	if got := h.s.Bandwidth(); got != 100e6 {
		t.Fatalf("no report left: %v, want the configured 1e8", got)
	}
}

// Stealing weighs a task's inputs with the measured bandwidth: 20 MB for
// a task of 100 ms is 0.2 s at the configured 100 MB/s (too dear, more
// than half its run time) and 20 ms at the 1 GB/s the workers report.
func TestStealingUsesTheMeasuredBandwidth(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.WorkStealing = true; c.WorkerSaturation = math.Inf(1); c.Bandwidth = 100e6 })
	h.addWorker("w1", 1, nil)
	h.submit("c", []*graph.Task{spec("in-1"), spec("x-0")}, "in-1", "x-0")
	h.finish("w1", "in-1", 20e6)
	h.finishTook("w1", "x-0", 8, 100*time.Millisecond) // x's tasks take 100 ms
	h.submit("c", []*graph.Task{spec("x-1", "in-1"), spec("x-2", "in-1")}, "x-1", "x-2")
	h.start("w1", "x-1")
	h.addWorker("w2", 1, nil)
	if acts := h.handle(&Tick{At: h.at()}); len(steals(acts)) != 0 {
		t.Fatalf("at 100 MB/s stole %v", steals(acts))
	}
	h.handle(&Heartbeat{At: h.at(), Worker: "w2", Bandwidth: 1e9})
	h.now = h.now.Add(time.Second) // past the steal interval
	acts := h.handle(&Tick{At: h.at()})
	if got, want := steals(acts), []string{"w1:x-2"}; !slices.Equal(got, want) {
		t.Fatalf("at 1 GB/s steals = %v, want %v:\n%s", got, want, describe(acts))
	}
}

// A task whose inputs' holders have every thread taken goes to an idle
// worker at once, on stealing's terms (the inputs cost at most half the
// task's measured run time to fetch, and fit in the idle worker's memory
// within half its limit), rather than waiting for stealing's next look.
// Otherwise, and while no task of its kind has finished, it stays with
// its inputs.
func TestBusyHoldersHandTasksToAnIdleWorker(t *testing.T) {
	for _, tc := range []struct {
		name    string
		input   int64 // bytes of x's input
		managed int64 // what the idle worker holds, of 1 GiB
		unknown bool  // no x task has finished
		want    []string
	}{
		{"cheap input, room", 10e6, 0, false, []string{"w1:x-1", "w2:x-2"}},
		{"input too dear", 100e6, 0, false, []string{"w1:x-1", "w1:x-2"}},
		{"idle worker full", 10e6, 600 << 20, false, []string{"w1:x-1", "w1:x-2"}},
		{"duration not measured", 10e6, 0, true, []string{"w1:x-1", "w1:x-2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.Bandwidth = 1e9 })
			add := func(id string) {
				h.handle(&WorkerAdded{At: h.at(), ID: id, Address: "addr-" + id, NThreads: 1, MemoryLimit: 1 << 30})
			}
			add("w1")
			h.submit("c", []*graph.Task{spec("in-1"), spec("x-0")}, "in-1", "x-0")
			h.finishTook("w1", "in-1", tc.input, 100*time.Millisecond)
			if !tc.unknown {
				h.finishTook("w1", "x-0", 8, 100*time.Millisecond) // x's tasks take 100 ms
			}
			add("w2")
			h.handle(&Heartbeat{At: h.at(), Worker: "w2", Managed: tc.managed})
			acts := h.submit("c", []*graph.Task{spec("x-1", "in-1"), spec("x-2", "in-1")}, "x-1", "x-2")
			if got := computes(acts); !slices.Equal(got, tc.want) {
				t.Fatalf("placed %v, want %v:\n%s", got, tc.want, describe(acts))
			}
		})
	}
}
