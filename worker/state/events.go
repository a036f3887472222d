package state

import (
	"time"

	"github.com/dusk-go/dusk/graph"
)

// Cause identifies the event (the stimulus) that led to a change: every
// event carries one, and so does every instruction and transition that
// handling the event produced. Zero means none was given: Handle then
// numbers the event itself, counting the events it handled, and sets the
// number in the event.
type Cause uint64

// Event is an input to the worker's state machine.
type Event interface {
	// stimulus returns where the event keeps its cause.
	stimulus() *Cause
}

// Compute: the scheduler sent a task to run.
type Compute struct {
	Cause    Cause
	Task     *graph.Task
	Priority graph.Priority
	Deps     []Dep
	// Handle is the scheduler's handle of the task, echoed in what the
	// worker reports about it (Started, Finished, Failed, Rejected).
	Handle uint64
}

// Free: the scheduler says these keys are not wanted here any more.
type Free struct {
	Cause Cause
	Keys  []graph.Key
}

// Steal: the scheduler asks for a task back if it has not started.
type Steal struct {
	Cause Cause
	Key   graph.Key
}

// Acquire: fetch copies of keys (the scheduler is retiring their holder).
type Acquire struct {
	Cause Cause
	Deps  []Dep
}

// Executed: a task finished running. Err is set if it failed; then the
// shell stored nothing.
type Executed struct {
	Cause       Cause
	Key         graph.Key
	Thread      int
	NBytes      int64
	Type        string
	Err         error
	Start, Stop time.Time
	// CPU and Wait: the run's time on the CPU and waiting for a core,
	// when the worker measured it (0 otherwise).
	CPU, Wait time.Duration
}

// Fetched: a fetch from Peer ended. Got holds the keys now stored; Missing
// the keys the peer does not have; Err a failure to reach the peer (all
// keys not in Got count as missing).
type Fetched struct {
	Cause   Cause
	Peer    string
	Got     []graph.KeySize
	Missing []graph.Key
	Err     error
}

// Stored: values arrived without a fetch (scatter); they are in the store.
type Stored struct {
	Cause Cause
	Keys  []graph.KeySize
}

// Pause stops (Paused true) or resumes starting tasks and fetches.
type Pause struct {
	Cause  Cause
	Paused bool
}

func (e *Compute) stimulus() *Cause  { return &e.Cause }
func (e *Free) stimulus() *Cause     { return &e.Cause }
func (e *Steal) stimulus() *Cause    { return &e.Cause }
func (e *Acquire) stimulus() *Cause  { return &e.Cause }
func (e *Executed) stimulus() *Cause { return &e.Cause }
func (e *Fetched) stimulus() *Cause  { return &e.Cause }
func (e *Stored) stimulus() *Cause   { return &e.Cause }
func (e *Pause) stimulus() *Cause    { return &e.Cause }

// Stimulus is the kind of event that caused a transition: one per event
// type, and Pause as pause or resume.
type Stimulus uint8

// The kinds of events.
const (
	OnCompute Stimulus = iota + 1
	OnFree
	OnSteal
	OnAcquire
	OnExecuted
	OnFetched
	OnStored
	OnPause
	OnResume
)

var stimulusNames = [...]string{"", "compute", "free", "steal", "acquire", "executed", "fetched", "stored", "pause", "resume"}

func (k Stimulus) String() string {
	if int(k) < len(stimulusNames) && k > 0 {
		return stimulusNames[k]
	}
	return "unknown"
}
