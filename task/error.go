package task

import (
	"errors"
	"fmt"
	"strings"
)

// ErrorKind says why a task failed. Callers branch on it; its values are
// the words logs and messages show.
type ErrorKind string

// The kinds of task failure.
const (
	// ErrTask: the task's function returned an error.
	ErrTask ErrorKind = "error"
	// ErrPanic: the task's function panicked (Stack says where).
	ErrPanic ErrorKind = "panic"
	// ErrKilledWorker: the task was running on workers that died too many
	// times (matched by errors.Is(err, ErrKilledWorkerSentinel)).
	ErrKilledWorker ErrorKind = "killed-worker"
	// ErrLost: data that cannot be recomputed (scattered data) was lost
	// with its workers.
	ErrLost ErrorKind = "lost"
	// ErrUnknownFunc: the worker's binary does not register the task's
	// function.
	ErrUnknownFunc ErrorKind = "unknown-function"
	// ErrDependency: an input of the task failed (the error is the
	// input's).
	ErrDependency ErrorKind = "dependency"
)

// ErrorKinds lists every kind, in the order of the protocol's enum.
var ErrorKinds = []ErrorKind{ErrTask, ErrPanic, ErrKilledWorker, ErrLost, ErrUnknownFunc, ErrDependency}

// String returns the kind's word.
func (k ErrorKind) String() string { return string(k) }

// TaskError is a task that failed on a worker, or a task whose input
// failed: the one error type the scheduler, the workers and the client
// share (the root package's dusk.TaskError).
type TaskError struct {
	Kind    ErrorKind
	Key     string // the task that failed first
	Func    string // its function
	Worker  string // where it failed
	Message string
	// Stack is the goroutine stack of a panic, with the task's code on top.
	Stack string
}

func (e *TaskError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "dusk: task %s", e.Key)
	if e.Func != "" {
		fmt.Fprintf(&b, " (%s)", e.Func)
	}
	if e.Worker != "" {
		fmt.Fprintf(&b, " on %s", e.Worker)
	}
	if e.Kind == ErrPanic {
		b.WriteString(" panicked")
	}
	fmt.Fprintf(&b, ": %s", e.Message)
	if e.Stack != "" {
		b.WriteString("\n")
		b.WriteString(e.Stack)
	}
	return b.String()
}

// ErrKilledWorkerSentinel is matched (errors.Is) by a TaskError of kind
// ErrKilledWorker (the root package calls it dusk.ErrKilledWorker).
var ErrKilledWorkerSentinel = errors.New("dusk: killed worker")

// Is makes errors.Is(err, ErrKilledWorkerSentinel) work.
func (e *TaskError) Is(target error) bool {
	return target == ErrKilledWorkerSentinel && e.Kind == ErrKilledWorker
}
