package state

import (
	"fmt"
)

// TaskState is where a task is in its life on the scheduler.
type TaskState uint8

// The task states. A task is active (it will need its dependencies' data)
// while it is waiting, no-worker, queued or processing.
const (
	// Released: known, but nobody needs it now; its data is not held.
	Released TaskState = iota
	// Waiting: needed, but some dependencies are not in memory yet.
	Waiting
	// NoWorker: ready to run, but no connected worker can run it
	// (resources, restrictions); it runs when one joins.
	NoWorker
	// Queued: ready to run, held on the scheduler until a worker has room
	// (root-task queuing keeps memory bounded).
	Queued
	// Processing: assigned to a worker.
	Processing
	// Memory: its result is held by one or more workers.
	Memory
	// Erred: it, or a task it depends on, failed.
	Erred
	// Forgotten: gone from the scheduler.
	Forgotten
	numStates
)

var stateNames = [numStates]string{"released", "waiting", "no-worker", "queued", "processing", "memory", "erred", "forgotten"}

// String returns the state's name, as Dask spells it.
func (s TaskState) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", s)
}

func (s TaskState) active() bool {
	return s == Waiting || s == NoWorker || s == Queued || s == Processing
}

// WorkerStatus is whether a worker takes new work.
type WorkerStatus uint8

// The worker statuses.
const (
	// Running workers take new tasks.
	Running WorkerStatus = iota
	// Paused workers (memory above the pause threshold) keep their data
	// and finish what they run, but get no new tasks.
	Paused
	// Retiring workers hand their data to others before they leave.
	Retiring
)

func (s WorkerStatus) String() string {
	switch s {
	case Running:
		return "running"
	case Paused:
		return "paused"
	case Retiring:
		return "retiring"
	}
	return fmt.Sprintf("status(%d)", s)
}
