package state

import (
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/task"
)

// Action is an output of the state machine for the shell to carry out.
// The concrete types below are all the actions there are; each embeds
// Caused. Actions are read-only: their lists (of workers, say) may be
// shared between actions and with the state.
type Action interface{ caused() *Caused }

// Caused is embedded in every action: the cause of the event whose
// handling produced it.
type Caused struct {
	Cause Cause
}

func (c *Caused) caused() *Caused { return c }

// Compute tells a worker to run a task. Deps says, for each dependency,
// its size and which workers hold it.
type Compute struct {
	Caused
	Worker   string
	Task     *graph.Task
	Priority graph.Priority
	Deps     []DepLocation
	// Handle names the task in the core: the worker's replies about it
	// echo it (TaskStarted, TaskFinished, TaskFailed, TaskRejected), so
	// that the core finds the task without looking its key up.
	Handle TaskHandle
}

// DepLocation is a dependency of a task and where its data is.
type DepLocation struct {
	Key     graph.Key
	NBytes  int64
	Workers []string // worker IDs
}

// Free tells a worker to drop these keys: their data, and the tasks if it
// was running them (their contexts are cancelled).
type Free struct {
	Caused
	Worker string
	Keys   []graph.Key
}

// Steal asks a worker to give back a task it has not started.
type Steal struct {
	Caused
	Worker string
	Key    graph.Key
}

// Acquire tells a worker to fetch copies of keys from other workers
// (retiring a worker, or replicating).
type Acquire struct {
	Caused
	Worker string
	Deps   []DepLocation
}

// CloseWorker tells a retiring worker it may leave now.
type CloseWorker struct {
	Caused
	Worker string
	Reason string
}

// DropWorker tells the shell that the state removed a worker that may
// still be connected (its heartbeats stopped): end its connection, saying
// why, so that it connects again as a new worker (its data is not
// trusted: it is dropped).
type DropWorker struct {
	Caused
	Worker string
	Reason string
}

// KeyInMemory tells a client that a key it wants is ready, and where.
type KeyInMemory struct {
	Caused
	Client  string
	Key     graph.Key
	NBytes  int64
	Type    string
	Workers []string // worker IDs
}

// KeyErred tells a client that a key it wants failed.
type KeyErred struct {
	Caused
	Client string
	Key    graph.Key
	Err    *task.TaskError
}

// KeyCancelled tells a client that its future for a key ended without a
// result: cancelled, released by a restart, or lost.
type KeyCancelled struct {
	Caused
	Client string
	Key    graph.Key
	Reason string
}

// KeyStalled tells a client that a key it wants cannot run on any worker
// now, and why. The task waits; it runs when a fitting worker joins.
type KeyStalled struct {
	Caused
	Client string
	Key    graph.Key
	Reason string
}
