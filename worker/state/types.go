package state

import (
	"time"

	"github.com/dusk-go/dusk/graph"
)

// TaskState is where a key is on this worker.
type TaskState uint8

// The worker task states.
const (
	// Waiting: a task to run whose inputs are not all here.
	Waiting TaskState = iota
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
)

var names = [...]string{"waiting", "ready", "executing", "memory", "fetch", "flight", "cancelled"}

func (s TaskState) String() string {
	if int(s) < len(names) {
		return names[s]
	}
	return "unknown"
}

// Priority orders ready tasks; lower runs first (see scheduler/state).
type Priority struct {
	User       int32
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

// Dep is an input of a task and the peers (addresses) that hold it.
type Dep struct {
	Key    graph.Key
	NBytes int64
	Peers  []string
}

// Event is an input to the worker's state machine.
type Event interface{ workerEvent() }

// Compute: the scheduler sent a task to run.
type Compute struct {
	Task     *graph.Task
	Priority Priority
	Deps     []Dep
}

// Free: the scheduler says these keys are not wanted here any more.
type Free struct{ Keys []graph.Key }

// Steal: the scheduler asks for a task back if it has not started.
type Steal struct{ Key graph.Key }

// Acquire: fetch copies of keys (the scheduler is retiring their holder).
type Acquire struct{ Deps []Dep }

// Executed: a task finished running. Err is set if it failed; then the
// shell stored nothing.
type Executed struct {
	Key         graph.Key
	Thread      int
	NBytes      int64
	Type        string
	Err         error
	Start, Stop time.Time
}

// Fetched: a fetch from Peer ended. Got holds the keys now stored; Missing
// the keys the peer does not have; Err a failure to reach the peer (all
// keys not in Got count as missing).
type Fetched struct {
	Peer    string
	Got     []KeySize
	Missing []graph.Key
	Err     error
}

// KeySize is a key and the size of its value.
type KeySize struct {
	Key    graph.Key
	NBytes int64
}

// Stored: values arrived without a fetch (scatter); they are in the store.
type Stored struct{ Keys []KeySize }

// Pause stops (Paused true) or resumes starting tasks and fetches.
type Pause struct{ Paused bool }

func (*Compute) workerEvent()  {}
func (*Free) workerEvent()     {}
func (*Steal) workerEvent()    {}
func (*Acquire) workerEvent()  {}
func (*Executed) workerEvent() {}
func (*Fetched) workerEvent()  {}
func (*Stored) workerEvent()   {}
func (*Pause) workerEvent()    {}

// Instruction is an output of the worker's state machine.
type Instruction interface{ instruction() }

// Execute runs a task on a thread. The shell posts Executed when done.
type Execute struct {
	Task   *graph.Task
	Thread int
}

// CancelTask cancels the context of an executing task.
type CancelTask struct{ Key graph.Key }

// FetchFrom fetches keys from a peer. The shell posts Fetched when done.
type FetchFrom struct {
	Peer string
	Keys []graph.Key
}

// Drop removes values from the store.
type Drop struct{ Keys []graph.Key }

// Message is a message for the scheduler (the shell batches them).
type Message interface{ Instruction }

// Started tells the scheduler a task began executing.
type Started struct {
	Key    graph.Key
	Thread int
}

// Finished tells the scheduler a task's result is stored here.
type Finished struct {
	Key         graph.Key
	NBytes      int64
	Type        string
	Thread      int
	Start, Stop time.Time
}

// Failed tells the scheduler a task failed.
type Failed struct {
	Key         graph.Key
	Err         error
	Thread      int
	Start, Stop time.Time
}

// Added tells the scheduler this worker now holds copies of keys.
type Added struct{ Keys []KeySize }

// Missing tells the scheduler that input Key of Task could not be fetched
// from the peers tried; the task was dropped.
type Missing struct {
	Task  graph.Key
	Key   graph.Key
	Tried []string
}

// Rejected tells the scheduler a task was dropped here.
type Rejected struct{ Key graph.Key }

// StealReply answers a Steal.
type StealReply struct {
	Key    graph.Key
	Stolen bool
}

func (*Execute) instruction()    {}
func (*CancelTask) instruction() {}
func (*FetchFrom) instruction()  {}
func (*Drop) instruction()       {}
func (*Started) instruction()    {}
func (*Finished) instruction()   {}
func (*Failed) instruction()     {}
func (*Added) instruction()      {}
func (*Missing) instruction()    {}
func (*Rejected) instruction()   {}
func (*StealReply) instruction() {}
