package state

import (
	"time"

	"github.com/dusk-go/dusk/graph"
)

// Worker is the scheduler's record of one worker.
type Worker struct {
	ID          string
	Address     string
	Name        string
	NThreads    int
	Resources   map[string]float64
	MemoryLimit int64
	Status      WorkerStatus

	// processing and has are the tasks it processes and those whose data
	// it holds, each task knowing its place (tasklist.go).
	processing []*Task
	has        []*Task
	// slots are the first places of the tasks' lists of holders.
	slots firstSlots[*Worker]
	// alone is []string{ID}: the list of holders of data only it holds,
	// shared by the actions that carry one (their lists are read-only).
	alone []string
	// orphans are the keys of orphans it holds
	orphans   []graph.Key
	nbytes    int64   // bytes of data held
	occupancy float64 // seconds of work assigned and not finished
	// idleAt is its place in State.idle plus one (0: not there); mark is
	// the placement that last counted it as a candidate (candidates.go).
	idleAt int
	mark   uint64
	// held is the bytes of the inputs of the task being placed that it
	// holds, valid while heldMark is State.heldMarks (placement.go).
	held     int64
	heldMark uint64

	lastSeen time.Time
	// pausedAt is when it last paused.
	pausedAt time.Time
	// Metrics is the last heartbeat's report.
	Metrics Heartbeat
}

// NProcessing returns the number of tasks assigned to the worker.
func (w *Worker) NProcessing() int { return len(w.processing) }

// NBytes returns the bytes of task results the worker holds.
func (w *Worker) NBytes() int64 { return w.nbytes }

// NKeys returns how many keys the worker holds.
func (w *Worker) NKeys() int { return len(w.has) }

// Occupancy returns the estimated seconds of work assigned to the worker.
func (w *Worker) Occupancy() float64 { return w.occupancy }

func (w *Worker) fits(res map[string]float64) bool {
	for k, v := range res {
		if w.Resources[k] < v {
			return false
		}
	}
	return true
}
