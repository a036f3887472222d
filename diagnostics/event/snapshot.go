package event

import "time"

// Snapshot is what the scheduler holds at one moment, published for
// readers that must not take the scheduler's lock (dashboard, advisor,
// benchmarks, tests). The scheduler builds one on its own goroutine every
// tick; a Snapshot is never changed once published.
type Snapshot struct {
	// Time is when it was taken.
	Time time.Time
	// Tasks is the number of tasks the scheduler holds, ByState how many
	// are in each state (by the state's name: "waiting", "memory", ...).
	Tasks   int
	ByState map[string]int
	// Prefixes count the tasks of each key prefix by state (states with
	// none left out).
	Prefixes map[string]map[string]int
	// Workers are the connected workers, in the order they joined.
	Workers []WorkerSnapshot
}

// WorkerSnapshot is one worker's facts and its last heartbeat.
type WorkerSnapshot struct {
	ID          string
	Address     string
	Name        string
	Threads     int
	Resources   map[string]float64
	MemoryLimit int64
	// Status is "running", "paused" or "retiring".
	Status string
	// NBytes is the size of the results the worker holds, Processing the
	// tasks assigned to it.
	NBytes     int64
	Processing int
	// Memory is its last heartbeat's report.
	Memory MemorySample
	// Process, UnmanagedRecent, SpilledDisk, SpilledKeys and SpillFailed
	// complete Memory with what only heartbeats carry.
	Process         int64
	UnmanagedRecent int64
	SpilledDisk     int64
	SpilledKeys     int64
	SpillFailed     bool
}

// Graph is the scheduler's task graph at one moment, for the dashboard's
// graph view: built only on request, and only when it has at most the
// requested number of tasks.
type Graph struct {
	// Tasks is how many tasks the scheduler held; when it is over the
	// limit asked for, Nodes is empty.
	Tasks int
	Nodes []GraphNode
}

// GraphNode is one task of a Graph: its key, the keys it depends on, and
// how many tasks were fused into it.
type GraphNode struct {
	Key   string
	Deps  []string
	Fused int
}
