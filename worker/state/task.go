package state

import (
	"slices"

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
	// dependentAt is where each dependent is in dependents, kept once
	// they are many (manyDependents): a task leaving a long list is then
	// found, and swapped with the last, in constant time.
	dependentAt map[*Task]int
	nMissing    int

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

// manyDependents is the length from which a task's dependents are
// indexed: below it, a scan and an order-keeping delete cost less than
// the map.
const manyDependents = 64

// addDependent records that dt waits for t's value.
func (t *Task) addDependent(dt *Task) {
	if t.dependentAt != nil {
		if _, ok := t.dependentAt[dt]; ok {
			return
		}
		t.dependentAt[dt] = len(t.dependents)
	}
	t.dependents = append(t.dependents, dt)
	if t.dependentAt == nil && len(t.dependents) >= manyDependents {
		t.dependentAt = make(map[*Task]int, 2*len(t.dependents))
		for i, d := range t.dependents {
			t.dependentAt[d] = i
		}
	}
}

// removeDependent forgets that dt waits for t's value. A short list keeps
// its order; a long one has its last dependent moved into dt's place.
func (t *Task) removeDependent(dt *Task) {
	if t.dependentAt == nil {
		if i := slices.Index(t.dependents, dt); i >= 0 {
			t.dependents = slices.Delete(t.dependents, i, i+1)
		}
		return
	}
	i, ok := t.dependentAt[dt]
	if !ok {
		return
	}
	delete(t.dependentAt, dt)
	last := len(t.dependents) - 1
	if i != last {
		moved := t.dependents[last]
		t.dependents[i] = moved
		t.dependentAt[moved] = i
	}
	t.dependents[last] = nil
	t.dependents = t.dependents[:last]
	if last == 0 {
		t.dependentAt = nil
	}
}
