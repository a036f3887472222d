package event

import "time"

// Kind says what an Event records.
type Kind uint8

// The kinds of event.
const (
	// Transition is a task moving between scheduler states (From, To);
	// Worker names the worker involved, if any.
	Transition Kind = iota + 1
	// TaskRun is a task that ran on a worker thread from Start to Stop;
	// Failed marks a run that returned an error or panicked.
	TaskRun
	// Transfer is NBytes of Key moved from Peer to Worker between Start and
	// Stop.
	Transfer
	// Spill is NBytes of Key written to disk on Worker (Unspill: read back).
	Spill
	// Unspill is the reading back of a spilled value.
	Unspill
	// WorkerSample is a periodic sample of a worker's memory and load.
	WorkerSample
	// WorkerAdded and WorkerRemoved mark a worker joining and leaving;
	// Detail says why it left.
	WorkerAdded
	WorkerRemoved
	// Log is a line of the scheduler's log: Detail holds the message and
	// its attributes, Key the level ("INFO", "WARN", ...).
	Log
	// Reset marks the scheduler dropping every task at once (a cluster
	// restart); readers that count tasks by state start again from zero.
	Reset
	// Advice is what a client's advisor did or found before the work ran:
	// Key names the rule, Detail says what with its numbers, Remedy what
	// to do; Fixed marks an automatic fix that acted (otherwise it is a
	// finding). Worker names the client.
	Advice
)

var kindNames = [...]string{
	Transition:    "transition",
	TaskRun:       "task",
	Transfer:      "transfer",
	Spill:         "spill",
	Unspill:       "unspill",
	WorkerSample:  "worker-sample",
	WorkerAdded:   "worker-added",
	WorkerRemoved: "worker-removed",
	Log:           "log",
	Reset:         "reset",
	Advice:        "advice",
}

// ParseKind returns the kind named name (as String spells it), or 0.
func ParseKind(name string) Kind {
	for k, n := range kindNames {
		if n == name && n != "" {
			return Kind(k)
		}
	}
	return 0
}

// String returns the kind's lower-case name.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "unknown"
}

// Event is one timestamped fact about the cluster. Fields not used by a
// kind are zero.
type Event struct {
	Kind   Kind
	Time   time.Time // when the scheduler learned of it
	Key    string    // the task's key
	Worker string    // the worker it happened on
	Peer   string    // Transfer: the worker the bytes came from
	Thread int       // TaskRun: the worker thread
	From   string    // Transition: the state left
	To     string    // Transition: the state entered
	Start  time.Time // TaskRun, Transfer, Spill: start
	Stop   time.Time // TaskRun, Transfer, Spill: end
	NBytes int64     // bytes moved, stored or spilled
	Failed bool      // TaskRun: the task failed
	// CPU and Wait are set on TaskRun events the worker measured (it
	// samples; 0 otherwise): the run's time on the CPU and waiting for a
	// core, from its thread's scheduler statistics.
	CPU, Wait time.Duration
	// Detail is free text: for TaskRun the result's type (or the error of a
	// failed run), for WorkerAdded the address, for WorkerRemoved the
	// reason, for Log the line.
	Detail string
	// Remedy and Fixed are set on Advice events.
	Remedy string
	Fixed  bool

	// Cause is the number the scheduler's state machine gave the event
	// (the stimulus) whose handling recorded this one: the transitions of
	// one cause happened together, for one reason (see state.Cause). 0 for
	// events recorded outside the state machine.
	Cause uint64
	// Stimulus is the kind of that event ("task-finished", "keys-released",
	// ...).
	Stimulus string

	// Memory is set on WorkerSample events.
	Memory *MemorySample
}

// MemorySample is a worker's memory and load at one moment.
type MemorySample struct {
	Managed   int64 // bytes of stored values held in memory
	Unmanaged int64 // process RSS minus managed
	// UnmanagedRecent is the part of Unmanaged that appeared in the last
	// 30 seconds, likely to go away on its own (garbage, buffers).
	UnmanagedRecent int64
	Spilled         int64   // bytes of values on disk
	Limit           int64   // the worker's memory limit (0: none)
	CPU             float64 // CPU use since the last sample, in cores
	Executing       int     // tasks running
	Ready           int     // tasks ready and waiting for a thread
	Paused          bool    // the worker is paused (memory above pause)
	BytesIn         int64   // bytes received from peers since start
	BytesOut        int64   // bytes sent to peers since start
	Procs           int     // the Go processors of the worker's process (GOMAXPROCS; 0: not told)
}
