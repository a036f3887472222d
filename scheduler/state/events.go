package state

import (
	"time"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/task"
)

// Event is an input to the state machine. Every event carries the time the
// shell received it; Handle gives it a Cause, and its kind and source make
// it the Stimulus of what its handling does.
type Event interface {
	when() time.Time
	stimulus() (EventKind, string)
}

// At is embedded in every event: the time it happened.
type At struct{ Now time.Time }

func (a At) when() time.Time { return a.Now }

// WorkerAdded: a worker connected and registered.
type WorkerAdded struct {
	At
	ID          string // unique for this connection; never reused
	Address     string // where peers and clients reach it
	Name        string
	NThreads    int
	Resources   map[string]float64
	MemoryLimit int64
	// Held are the results it holds as it joins (see HeldKey).
	Held []HeldKey
}

// WorkerRemoved: a worker's connection ended or its heartbeats stopped.
type WorkerRemoved struct {
	At
	ID     string
	Reason string
}

// WorkerRetiring: a worker asked to leave gracefully (SIGTERM). Its data is
// copied to other workers first.
type WorkerRetiring struct {
	At
	ID string
}

// ClientAdded: a client connected.
type ClientAdded struct {
	At
	ID string
}

// ClientRemoved: a client disconnected; everything it wanted is released.
type ClientRemoved struct {
	At
	ID string
}

// GraphSubmitted: a client sent tasks and wants the keys Wanted (it holds
// futures for them). Tasks may refer to keys that already exist. A task's
// place in the graph's order (see graph.Order) is its index in Tasks,
// unless Order is given: then Order says it, and tasks missing from it
// come last.
type GraphSubmitted struct {
	At
	Client string
	Tasks  []*graph.Task
	Wanted []graph.Key
	Order  map[graph.Key]int
	// Reclaim are keys the client holds futures of without their tasks
	// (from named state), claimed again after the scheduler restarted: a
	// known key, or one restored named state waits for, is the client's
	// again; another is cancelled as lost.
	Reclaim []graph.Key
	// PartOf numbers a graph the client sends in parts (0: a graph in
	// one event), in priority order; More says more parts of it follow.
	// The tasks of a part with More are computed and kept, as if wanted
	// (without telling the client), until the graph's last part has been
	// handled: without that, a part's tasks, which only later parts use,
	// would be dropped as needed by nobody.
	PartOf uint64
	More   bool
}

// KeysReleased: a client dropped its futures for these keys.
type KeysReleased struct {
	At
	Client string
	Keys   []graph.Key
}

// KeysCancelled: a client cancelled these keys: its futures for them end
// as cancelled, and tasks nobody else needs stop.
type KeysCancelled struct {
	At
	Client string
	Keys   []graph.Key
}

// KeysScattered: a client placed data on workers directly.
type KeysScattered struct {
	At
	Client string
	Keys   []ScatteredKey
}

// ScatteredKey is one scattered value and where it is.
type ScatteredKey struct {
	Key     graph.Key
	NBytes  int64
	Type    string
	Workers []string // worker IDs
}

// TaskStarted: a worker began executing a task on a thread.
type TaskStarted struct {
	At
	Worker string
	Key    graph.Key
	Thread int
	// Handle is the one the task's Compute carried, or 0 (see TaskHandle).
	Handle TaskHandle
}

// TaskFinished: a worker finished a task and holds its result.
type TaskFinished struct {
	At
	Worker      string
	Key         graph.Key
	NBytes      int64
	Type        string
	Thread      int
	Start, Stop time.Time
	// CPU and Wait: the run's time on the CPU and waiting for a core, for
	// runs the worker measured (0 otherwise).
	CPU, Wait time.Duration
	// Handle is the one the task's Compute carried, or 0 (see TaskHandle).
	Handle TaskHandle
}

// TaskFailed: a task returned an error or panicked on a worker.
type TaskFailed struct {
	At
	Worker      string
	Key         graph.Key
	Err         *task.TaskError
	Thread      int
	Start, Stop time.Time
	// Handle is the one the task's Compute carried, or 0 (see TaskHandle).
	Handle TaskHandle
}

// KeysAdded: a worker now holds copies of these keys (it fetched them).
type KeysAdded struct {
	At
	Worker string
	Keys   []graph.KeySize
}

// DataMissing: worker Worker could not get dependency Key of task Task
// from the workers it tried (IDs). The task was dropped by the worker and
// must be scheduled again.
type DataMissing struct {
	At
	Worker string
	Task   graph.Key
	Key    graph.Key
	Tried  []string
}

// TaskRejected: a worker dropped a task it was sent (it was told to free
// it, or it could not run it yet and gave it back after a steal request).
type TaskRejected struct {
	At
	Worker string
	Key    graph.Key
	// Handle is the one the task's Compute carried, or 0 (see TaskHandle).
	Handle TaskHandle
}

// StealReplied: answer to a Steal action. Stolen is true when the victim
// gave the task up (it had not started).
type StealReplied struct {
	At
	Worker string
	Key    graph.Key
	Stolen bool
}

// Heartbeat: a worker is alive; it reports its memory and load. Process
// is its process's memory; Managed the values it holds in memory;
// Unmanaged the rest of Process, UnmanagedRecent the part of that which
// appeared in the last 30 seconds; Spilled the values on disk (their size
// in memory; SpilledDisk the bytes of their files).
type Heartbeat struct {
	At
	Worker          string
	Process         int64
	Managed         int64
	Unmanaged       int64
	UnmanagedRecent int64
	Spilled         int64
	SpilledDisk     int64
	SpilledKeys     int64
	SpillFailed     bool
	Paused          bool
	Executing       int
	Ready           int
	CPU             float64
	BytesIn         int64
	BytesOut        int64
	Procs           int // the worker process's GOMAXPROCS (0: not told)
	// Bandwidth is the bytes per second the worker's fetches from peers
	// reached lately (0: none measured yet).
	Bandwidth float64
}

// Tick: time passes. The state checks heartbeats and steals work.
type Tick struct{ At }

// Restarted: every worker is being replaced; all tasks are dropped and the
// clients told their futures were cancelled.
type Restarted struct {
	At
	Reason string
}

func (e *WorkerAdded) stimulus() (EventKind, string)    { return KindWorkerAdded, e.ID }
func (e *WorkerRemoved) stimulus() (EventKind, string)  { return KindWorkerRemoved, e.ID }
func (e *WorkerRetiring) stimulus() (EventKind, string) { return KindWorkerRetiring, e.ID }
func (e *ClientAdded) stimulus() (EventKind, string)    { return KindClientAdded, e.ID }
func (e *ClientRemoved) stimulus() (EventKind, string)  { return KindClientRemoved, e.ID }
func (e *GraphSubmitted) stimulus() (EventKind, string) { return KindGraphSubmitted, e.Client }
func (e *KeysReleased) stimulus() (EventKind, string)   { return KindKeysReleased, e.Client }
func (e *KeysCancelled) stimulus() (EventKind, string)  { return KindKeysCancelled, e.Client }
func (e *KeysScattered) stimulus() (EventKind, string)  { return KindKeysScattered, e.Client }
func (e *TaskStarted) stimulus() (EventKind, string)    { return KindTaskStarted, e.Worker }
func (e *TaskFinished) stimulus() (EventKind, string)   { return KindTaskFinished, e.Worker }
func (e *TaskFailed) stimulus() (EventKind, string)     { return KindTaskFailed, e.Worker }
func (e *KeysAdded) stimulus() (EventKind, string)      { return KindKeysAdded, e.Worker }
func (e *DataMissing) stimulus() (EventKind, string)    { return KindDataMissing, e.Worker }
func (e *TaskRejected) stimulus() (EventKind, string)   { return KindTaskRejected, e.Worker }
func (e *StealReplied) stimulus() (EventKind, string)   { return KindStealReplied, e.Worker }
func (e *Heartbeat) stimulus() (EventKind, string)      { return KindHeartbeat, e.Worker }
func (e *Tick) stimulus() (EventKind, string)           { return KindTick, "" }
func (e *Restarted) stimulus() (EventKind, string)      { return KindRestarted, "" }
