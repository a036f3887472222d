package dusk

import (
	"errors"
	"fmt"
	"strings"
)

// TaskError is a task that failed on a worker (or a task whose input
// failed). Callers branch on Kind: "error" (the function returned an
// error), "panic", "killed-worker", "lost", "unknown-function",
// "dependency".
type TaskError struct {
	Kind    string
	Key     Key    // the task that failed first
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
	if e.Kind == "panic" {
		b.WriteString(" panicked")
	}
	fmt.Fprintf(&b, ": %s", e.Message)
	if e.Stack != "" {
		b.WriteString("\n")
		b.WriteString(e.Stack)
	}
	return b.String()
}

// ErrKilledWorker is matched (errors.Is) by a TaskError of kind
// "killed-worker": the task was running on workers that died too often.
var ErrKilledWorker = errors.New("dusk: killed worker")

// Is makes errors.Is(err, ErrKilledWorker) work.
func (e *TaskError) Is(target error) bool {
	return target == ErrKilledWorker && e.Kind == "killed-worker"
}

// CancelledError is a future that ended without a result: cancelled,
// dropped by a restart, or released before it was done.
type CancelledError struct {
	Key    Key
	Reason string
}

func (e *CancelledError) Error() string {
	return fmt.Sprintf("dusk: %s was cancelled: %s", e.Key, e.Reason)
}

// ErrCancelled is matched (errors.Is) by every *CancelledError.
var ErrCancelled = errors.New("dusk: cancelled")

// Is makes errors.Is(err, ErrCancelled) work.
func (e *CancelledError) Is(target error) bool { return target == ErrCancelled }
