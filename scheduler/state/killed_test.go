package state

import (
	"errors"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/task"
)

// After more deaths than allowed, the KilledWorker error names the task,
// every worker it was executing on when they died with their memory at
// their last report, and what to do about it.
func TestKilledWorkerErrorNamesWorkersAndTheirMemory(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AllowedFailures = 1 })
	const mib = 1 << 20
	h.submit("c", []*graph.Task{spec("big-1")}, "big-1")
	for i, id := range []string{"w1", "w2"} {
		h.handle(&WorkerAdded{At: h.at(), ID: id, Address: "addr-" + id, NThreads: 1, MemoryLimit: 256 * mib})
		h.start(id, "big-1")
		h.handle(&Heartbeat{At: h.at(), Worker: id, Process: int64(230+i) * mib, Managed: 10 * mib,
			Unmanaged: int64(220+i) * mib, Spilled: 64 * mib, Paused: true})
		h.handle(&WorkerRemoved{At: h.at(), ID: id, Reason: "connection reset"})
	}
	h.wantState("big-1", Erred)
	err := h.s.Task("big-1").Err()
	if err == nil || err.Kind != task.ErrKilledWorker {
		t.Fatalf("error = %v", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"task big-1 (f)",
		"executing on 2 workers when they died",
		"w1 (process memory 230 MiB of its 256 MiB limit at its last report: 10 MiB managed, 220 MiB unmanaged, 64 MiB spilled, paused)",
		"w2 (process memory 231 MiB of its 256 MiB limit",
		"connection reset",
		"smaller partitions",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
	// A worker that died before it ever reported says so.
	h2 := newHarness(t, func(c *Config) { c.AllowedFailures = 0 })
	h2.submit("c", []*graph.Task{spec("big-2")}, "big-2")
	h2.addWorker("w9", 1, nil)
	h2.start("w9", "big-2")
	h2.handle(&WorkerRemoved{At: h2.at(), ID: "w9", Reason: "gone"})
	if e := h2.s.Task("big-2").Err(); e == nil || !strings.Contains(e.Error(), "w9 (no memory report before it died)") {
		t.Fatalf("error without a report = %v", e)
	}
	var te *task.TaskError
	if !errors.As(error(err), &te) {
		t.Fatal("not a *task.TaskError")
	}
}
