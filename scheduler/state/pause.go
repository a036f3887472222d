package state

import (
	"slices"
	"time"
)

// A worker pauses when its memory passes its pause threshold: it finishes
// what it runs, keeps serving its data to peers, and starts nothing new.
// The scheduler sends it no new tasks, and gives the tasks it has not
// started to other workers (through the steal protocol: the worker gives
// a task back only if it has not started it), so that a paused worker
// never holds up the computation. Dask leaves them there (dask/distributed
// #5235, #6110). A task that no other worker can run stays, and runs when
// the worker resumes. So does, for a while (pausedPatience), a task whose
// inputs only paused workers hold and cost more to move than half its run
// time: another worker would fetch them from the paused one, fill its own
// memory with them and pause in turn. A worker that is out of core pauses
// briefly and often while it spills; moving its tasks then would only
// shuttle its data from worker to worker.

// pausedPatience is how long a paused worker keeps the tasks whose inputs
// it alone holds before they move anyway (a worker that stays paused, its
// memory full of something no spill frees, must not hold them up for
// good).
const pausedPatience = 10 * time.Second

// pauseWorker marks w paused and moves its unstarted tasks elsewhere.
func (s *State) pauseWorker(w *Worker) {
	w.Status = Paused
	w.pausedAt = s.now
	s.noteIdle(w)
	s.moveOffPaused(w)
}

// resumeWorker marks w running again and gives it work.
func (s *State) resumeWorker(w *Worker) {
	w.Status = Running
	s.noteIdle(w)
	s.retryUnrunnable()
	s.fillWorker(w)
}

// moveOffPaused asks paused worker w to give back each task it has not
// started that another worker can run. The answers (StealReplied) place
// them again. It runs when w pauses and on every tick while it stays
// paused, as other workers may resume meanwhile.
func (s *State) moveOffPaused(w *Worker) {
	if w.Status != Paused {
		return
	}
	patient := s.now.Sub(w.pausedAt) < pausedPatience
	for _, t := range sortedList(w.processing) {
		if _, asked := s.stealing[t]; asked || t.executing || t.speculative {
			continue // a speculative task waits for its input; once ready, it moves
		}
		if _, ok, _ := s.validWorkers(t); !ok {
			continue // every worker that may run it is paused too
		}
		if patient && s.stuckBytes(t)/s.Bandwidth() > stealCostRatio*s.estimate(t) {
			continue // its inputs would only move to another worker's memory
		}
		s.stealing[t] = nil // no thief: placed afresh when given back
		s.emit(&Steal{Worker: w.ID, Key: t.Key})
	}
}

// stuckBytes is the size of t's inputs that no running worker holds: what
// a worker would fetch from paused ones to run it.
func (s *State) stuckBytes(t *Task) float64 {
	n := 0.0
	for _, d := range t.deps {
		if !slices.ContainsFunc(d.whoHas, func(w *Worker) bool { return w.Status == Running }) {
			n += float64(d.NBytes)
		}
	}
	return n
}
