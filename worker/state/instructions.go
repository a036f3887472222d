package state

import (
	"time"

	"github.com/dusk-go/dusk/graph"
)

// Instruction is an output of the worker's state machine. Its Cause is the
// cause of the event whose handling produced it.
type Instruction interface {
	// instruction returns where the instruction keeps its cause.
	instruction() *Cause
}

// Execute runs a task on a thread. The shell posts Executed when done.
type Execute struct {
	Cause  Cause
	Task   *graph.Task
	Thread int
}

// CancelTask cancels the context of an executing task, which runs on
// Thread.
type CancelTask struct {
	Cause  Cause
	Key    graph.Key
	Thread int
}

// FetchFrom fetches keys from a peer. The shell posts Fetched when done.
type FetchFrom struct {
	Cause Cause
	Peer  string
	Keys  []graph.Key
}

// Drop removes values from the store.
type Drop struct {
	Cause Cause
	Keys  []graph.Key
}

// Message is an instruction that is a message for the scheduler (the shell
// batches them).
type Message interface{ Instruction }

// Started tells the scheduler a task began executing.
type Started struct {
	Cause  Cause
	Key    graph.Key
	Thread int
	Handle uint64 // the task's Compute's (0: none)
}

// Finished tells the scheduler a task's result is stored here.
type Finished struct {
	Cause       Cause
	Key         graph.Key
	NBytes      int64
	Type        string
	Thread      int
	Start, Stop time.Time
	CPU, Wait   time.Duration // measured runs only (see Executed)
	Handle      uint64        // the task's Compute's (0: none)
}

// Failed tells the scheduler a task failed.
type Failed struct {
	Cause       Cause
	Key         graph.Key
	Err         error
	Thread      int
	Start, Stop time.Time
	Handle      uint64 // the task's Compute's (0: none)
}

// Added tells the scheduler this worker now holds copies of keys.
type Added struct {
	Cause Cause
	Keys  []graph.KeySize
}

// Missing tells the scheduler that input Key of Task could not be fetched
// from the peers tried; the task was dropped.
type Missing struct {
	Cause Cause
	Task  graph.Key
	Key   graph.Key
	Tried []string
}

// Rejected tells the scheduler a task was dropped here.
type Rejected struct {
	Cause  Cause
	Key    graph.Key
	Handle uint64 // the task's Compute's (0: none)
}

// StealReply answers a Steal.
type StealReply struct {
	Cause  Cause
	Key    graph.Key
	Stolen bool
}

func (i *Execute) instruction() *Cause    { return &i.Cause }
func (i *CancelTask) instruction() *Cause { return &i.Cause }
func (i *FetchFrom) instruction() *Cause  { return &i.Cause }
func (i *Drop) instruction() *Cause       { return &i.Cause }
func (i *Started) instruction() *Cause    { return &i.Cause }
func (i *Finished) instruction() *Cause   { return &i.Cause }
func (i *Failed) instruction() *Cause     { return &i.Cause }
func (i *Added) instruction() *Cause      { return &i.Cause }
func (i *Missing) instruction() *Cause    { return &i.Cause }
func (i *Rejected) instruction() *Cause   { return &i.Cause }
func (i *StealReply) instruction() *Cause { return &i.Cause }
