package state

import (
	"fmt"
	"strings"

	"github.com/dusk-go/dusk/internal/units"
	"github.com/dusk-go/dusk/task"
)

// A task that was executing on a worker when the worker died may have
// killed it, most often by using more memory than the worker had: its
// nanny kills a worker past the terminate threshold. Only executing tasks
// are suspected; tasks merely assigned to the worker are not (Dask blames
// those too, dask/distributed#5234). A task suspected more than
// AllowedFailures times errs with a KilledWorker error that names the
// workers it killed and their memory at their last report.

// death is a worker that died while a task executed on it.
type death struct {
	worker string
	name   string
	reason string    // why its connection ended, as the shell saw it
	limit  int64     // its memory limit (0: none)
	last   Heartbeat // its last report
}

func deathOf(w *Worker, reason string) death {
	return death{worker: w.ID, name: w.Name, reason: reason, limit: w.MemoryLimit, last: w.Metrics}
}

// memory describes the worker's memory at its last report.
func (d death) memory() string {
	h := d.last
	if h.At.Now.IsZero() {
		return "no memory report before it died"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "process memory %s", units.FormatBytes(h.Process))
	if d.limit > 0 {
		fmt.Fprintf(&b, " of its %s limit", units.FormatBytes(d.limit))
	}
	fmt.Fprintf(&b, " at its last report: %s managed, %s unmanaged", units.FormatBytes(h.Managed), units.FormatBytes(h.Unmanaged))
	if h.Spilled > 0 {
		fmt.Fprintf(&b, ", %s spilled", units.FormatBytes(h.Spilled))
	}
	if h.Paused {
		b.WriteString(", paused")
	}
	return b.String()
}

// killedWorkerError is why t errs after killing too many workers.
func killedWorkerError(t *Task) *task.TaskError {
	var b strings.Builder
	fmt.Fprintf(&b, "the task was executing on %d workers when they died, so it may have killed them: ", len(t.killedOn))
	for i, d := range t.killedOn {
		if i > 0 {
			b.WriteString("; ")
		}
		if d.name != "" && d.name != d.worker {
			fmt.Fprintf(&b, "%s (%s; %s)", d.worker, d.name, d.memory())
		} else {
			fmt.Fprintf(&b, "%s (%s)", d.worker, d.memory())
		}
	}
	last := t.killedOn[len(t.killedOn)-1]
	fmt.Fprintf(&b, ". The last one's connection ended with: %s. "+
		"A worker is killed when its memory passes the terminate threshold of its limit: "+
		"if the task needs more memory than a worker has, split its input into smaller partitions, "+
		"or give workers more memory (--memory-limit)", last.reason)
	fn := ""
	if t.Spec != nil {
		fn = t.Spec.Func
	}
	return &task.TaskError{Kind: task.ErrKilledWorker, Key: string(t.Key), Func: fn, Worker: last.worker, Message: b.String()}
}
