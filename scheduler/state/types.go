package state

import (
	"fmt"
	"strings"
)

// TaskState is where a task is in its life on the scheduler.
type TaskState uint8

// The task states. A task is active (it will need its dependencies' data)
// while it is waiting, no-worker, queued or processing.
const (
	// Released: known, but nobody needs it now; its data is not held.
	Released TaskState = iota
	// Waiting: needed, but some dependencies are not in memory yet.
	Waiting
	// NoWorker: ready to run, but no connected worker can run it
	// (resources, restrictions); it runs when one joins.
	NoWorker
	// Queued: ready to run, held on the scheduler until a worker has room
	// (root-task queuing keeps memory bounded).
	Queued
	// Processing: assigned to a worker.
	Processing
	// Memory: its result is held by one or more workers.
	Memory
	// Erred: it, or a task it depends on, failed.
	Erred
	// Forgotten: gone from the scheduler.
	Forgotten
	numStates
)

var stateNames = [numStates]string{"released", "waiting", "no-worker", "queued", "processing", "memory", "erred", "forgotten"}

// String returns the state's name, as Dask spells it.
func (s TaskState) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", s)
}

func (s TaskState) active() bool {
	return s == Waiting || s == NoWorker || s == Queued || s == Processing
}

// WorkerStatus is whether a worker takes new work.
type WorkerStatus uint8

// The worker statuses.
const (
	// Running workers take new tasks.
	Running WorkerStatus = iota
	// Paused workers (memory above the pause threshold) keep their data
	// and finish what they run, but get no new tasks.
	Paused
	// Retiring workers hand their data to others before they leave.
	Retiring
)

func (s WorkerStatus) String() string {
	switch s {
	case Running:
		return "running"
	case Paused:
		return "paused"
	case Retiring:
		return "retiring"
	}
	return fmt.Sprintf("status(%d)", s)
}

// Priority orders tasks: lower runs first. It compares user priority
// (higher first), then the graph's generation (older graphs first), then
// the task's place in its graph's order.
type Priority struct {
	User       int32 // the user's priority, negated so lower runs first
	Generation uint32
	Order      int64
}

// Less reports whether p runs before q.
func (p Priority) Less(q Priority) bool {
	if p.User != q.User {
		return p.User < q.User
	}
	if p.Generation != q.Generation {
		return p.Generation < q.Generation
	}
	return p.Order < q.Order
}

// ErrorKind classifies a task failure.
type ErrorKind uint8

// The kinds of task failure.
const (
	// ErrTask: the task's function returned an error.
	ErrTask ErrorKind = iota
	// ErrPanic: the task's function panicked.
	ErrPanic
	// ErrKilledWorker: the task was running on workers that died too many
	// times.
	ErrKilledWorker
	// ErrLost: data that cannot be recomputed (scattered data) was lost with
	// its workers.
	ErrLost
	// ErrUnknownFunc: the worker does not have the task's function.
	ErrUnknownFunc
	// ErrDependency is set on dependents of a failed task.
	ErrDependency
)

var errorKindNames = [...]string{"error", "panic", "killed-worker", "lost", "unknown-function", "dependency"}

func (k ErrorKind) String() string {
	if int(k) < len(errorKindNames) {
		return errorKindNames[k]
	}
	return "unknown"
}

// TaskError is why a task erred.
type TaskError struct {
	Kind    ErrorKind
	Key     string // the task that failed (for dependents: the original)
	Func    string // its function
	Worker  string // where it failed
	Message string
	Stack   string // the goroutine stack of a panic or the error's origin
}

func (e *TaskError) Error() string {
	var b strings.Builder
	b.WriteString("task ")
	b.WriteString(e.Key)
	if e.Func != "" {
		b.WriteString(" (")
		b.WriteString(e.Func)
		b.WriteString(")")
	}
	if e.Worker != "" {
		b.WriteString(" on ")
		b.WriteString(e.Worker)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	return b.String()
}
