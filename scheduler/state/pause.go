package state

// A worker pauses when its memory passes its pause threshold: it finishes
// what it runs, keeps serving its data to peers, and starts nothing new.
// The scheduler sends it no new tasks, and gives the tasks it has not
// started to other workers (through the steal protocol: the worker gives
// a task back only if it has not started it), so that a paused worker
// never holds up the computation. Dask leaves them there (dask/distributed
// #5235, #6110). A task that no other worker can run stays, and runs when
// the worker resumes.

// pauseWorker marks w paused and moves its unstarted tasks elsewhere.
func (s *State) pauseWorker(w *Worker) {
	w.Status = Paused
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
	for _, t := range sortedTasks(w.processing) {
		if _, asked := s.stealing[t]; asked || t.executing || t.speculative {
			continue // a speculative task waits for its input; once ready, it moves
		}
		if _, ok, _ := s.validWorkers(t); !ok {
			continue // every worker that may run it is paused too
		}
		s.stealing[t] = nil // no thief: placed afresh when given back
		s.emit(&Steal{Worker: w.ID, Key: t.Key})
	}
}
