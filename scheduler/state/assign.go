package state

import (
	"github.com/dusk-go/dusk/task"
)

// The way to a worker: a needed task waits for its inputs, then goes to a
// worker, or to the root-task queue, or among the tasks no worker can run.

func (s *State) releasedToWaiting(t *Task, _ *Worker) {
	if t.Spec == nil {
		// Scattered data that is gone cannot be recomputed.
		if t.err == nil {
			t.err = &task.TaskError{Kind: task.ErrLost, Key: string(t.Key),
				Message: "scattered data was lost with the workers that held it; scatter it again"}
		}
		s.transition(t, Erred, nil)
		return
	}
	s.setState(t, Waiting)
	s.enterActive(t)
	t.nWaiting = 0
	var blame *task.TaskError
	s.visits += uint64(len(t.deps))
	for _, d := range t.deps {
		switch d.State {
		case Memory:
		case Erred:
			blame = d.err
			t.nWaiting++
		case Released:
			s.recommend(d, Waiting)
			t.nWaiting++
		default:
			t.nWaiting++
		}
	}
	if blame != nil {
		t.err = blame
		s.recommend(t, Erred)
		return
	}
	if t.nWaiting == 0 {
		s.recommend(t, Processing)
	}
}

// toProcessing sends a ready task to worker w or, when w is nil, to the
// worker where it would start soonest. A root task no worker has room for
// goes to the queue instead, and a task no worker may run now among the
// no-worker tasks: those are moves of their own. A queued task no worker
// takes stays queued: the first worker with room takes it. A waiting task
// whose inputs are not all in memory goes only if speculation allows (see
// speculate.go); a processing task is one its worker gave up (stolen), and
// moves off that worker first.
func (s *State) toProcessing(t *Task, w *Worker) {
	switch t.State {
	case Waiting:
		if t.nWaiting > 0 {
			if w = s.speculationTarget(t); w != nil {
				s.assign(t, w)
			}
			return
		}
	case Processing:
		s.unassign(t)
	}
	if w == nil {
		var to TaskState
		var reason string
		if w, to, reason = s.place(t); w == nil {
			if t.State == Queued {
				return
			}
			if to != t.State {
				s.transition(t, to, nil)
			}
			if to == NoWorker && reason != reasonAllPaused {
				s.stall(t, reason)
			}
			return
		}
	}
	s.assign(t, w)
}

// place decides where a ready task goes: the worker to run it on, or, if
// none now, the state to wait in (queued or no-worker) and why.
func (s *State) place(t *Task) (*Worker, TaskState, string) {
	if s.isRootish(t) {
		if w := s.workerWithRoom(t); w != nil {
			return w, Processing, ""
		}
		return nil, Queued, ""
	}
	w, reason := s.decideWorker(t)
	if w == nil {
		return nil, NoWorker, reason
	}
	return w, Processing, ""
}

// toQueued puts a root task in the scheduler's queue: it goes to the first
// worker with room (fillWorker).
func (s *State) toQueued(t *Task, _ *Worker) {
	s.unready(t)
	s.setState(t, Queued)
	s.queue.push(t)
}

// toNoWorker sets aside a task no connected worker may run now; it is
// placed again when the workers change (retryUnrunnable).
func (s *State) toNoWorker(t *Task, _ *Worker) {
	s.unready(t)
	s.setState(t, NoWorker)
	s.unrunnable[t] = struct{}{}
}

// assign sends t to worker w.
func (s *State) assign(t *Task, w *Worker) {
	s.unready(t)
	t.processingOn = w
	t.executing = false
	t.stalled = false
	t.speculative = t.nWaiting > 0
	w.addProcessing(t)
	s.noteIdle(w)
	t.estimate = s.estimate(t)
	w.occupancy += t.estimate
	s.setState(t, Processing)
	c := &Compute{Worker: w.ID, Task: t.Spec, Priority: t.prio, Handle: s.handles.handle(t)}
	if len(t.deps) > 0 {
		c.Deps = make([]DepLocation, len(t.deps))
		s.visits += uint64(len(t.deps))
		for i, d := range t.deps {
			c.Deps[i] = DepLocation{Key: d.Key, NBytes: d.NBytes, Workers: d.holderIDs()}
		}
	}
	s.emit(c)
	// Tasks waiting only for this one (and data already on w) may follow it
	// to w at once.
	s.visits += uint64(len(t.dependents))
	for _, dt := range t.dependents {
		if dt.State == Waiting {
			s.recommend(dt, Processing)
		}
	}
}

// unassign takes t off the worker it was processing on. Unless t finished
// there, tasks sent to that worker speculatively to follow t are taken back
// too.
func (s *State) unassign(t *Task) *Worker {
	w := s.unassignOnly(t)
	if w != nil && t.State != Memory {
		s.pullBack(t, w)
	}
	return w
}

func (s *State) unassignOnly(t *Task) *Worker {
	w := t.processingOn
	if w == nil {
		return nil
	}
	w.removeProcessing(t)
	s.noteIdle(w)
	w.occupancy -= t.estimate
	if w.occupancy < 0 || len(w.processing) == 0 {
		w.occupancy = 0
	}
	t.processingOn = nil
	t.executing = false
	t.speculative = false
	t.estimate = 0
	delete(s.stealing, t)
	return w
}
