package dusk

import (
	"errors"
	"fmt"

	"github.com/dusk-go/dusk/task"
)

// TaskError is a task that failed on a worker (or a task whose input
// failed). Callers branch on Kind: "error" (the function returned an
// error), "panic", "killed-worker", "lost", "unknown-function",
// "dependency" (task.ErrTask, ...).
type TaskError = task.TaskError

// ErrKilledWorker is matched (errors.Is) by a TaskError of kind
// "killed-worker": the task was running on workers that died too often.
var ErrKilledWorker = task.ErrKilledWorkerSentinel

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
