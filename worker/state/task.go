package state

import (
	"github.com/dusk-go/dusk/graph"
)

// TaskState is where a key is on this worker.
type TaskState uint8

// The worker task states. Every move between them is a row of the table in
// transitions.go.
const (
	// Released: not held here. A record is created in this state and
	// leaves it at once; a record that returns to it is removed.
	Released TaskState = iota
	// Waiting: a task to run whose inputs are not all here.
	Waiting
	// Ready: a task whose inputs are here, waiting for a thread.
	Ready
	// Executing: running on a thread.
	Executing
	// Memory: the value is in this worker's store.
	Memory
	// Fetch: a value a local task needs, to be fetched from a peer.
	Fetch
	// Flight: a value being fetched.
	Flight
	// Cancelled: freed while executing; the result is dropped.
	Cancelled

	numStates
)

var names = [numStates]string{"released", "waiting", "ready", "executing", "memory", "fetch", "flight", "cancelled"}

func (s TaskState) String() string {
	if s < numStates {
		return names[s]
	}
	return "unknown"
}

// Dep is an input of a task and the peers (addresses) that hold it.
type Dep struct {
	Key    graph.Key
	NBytes int64
	Peers  []string
}

// Task is the worker's record of one key. Its State changes only through
// the transition table.
type Task struct {
	Key   graph.Key
	Spec  *graph.Task // nil for a value that is only an input here
	State TaskState
	Prio  graph.Priority

	deps       []*Task // inputs, while the task waits or runs
	dependents []*Task // local tasks waiting for this value
	nMissing   int

	peers  []string // who has it, for Fetch
	tried  []string
	flight string // the peer asked for it, in Flight
	NBytes int64
	// handle is the scheduler's handle of the task, from its Compute
	// (0: none), echoed in the reports about it.
	handle uint64

	thread    int  // the thread running it, in Executing and Cancelled
	acquire   bool // fetched as a copy for the scheduler, not for a task
	freed     bool // the scheduler freed it; drop once no dependent needs it
	rerun     bool // asked to compute again while cancelled
	heapIdx   int
	resources map[string]float64
}

func newTask(k graph.Key) *Task { return &Task{Key: k, heapIdx: -1} }
