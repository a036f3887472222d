package state

import (
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/internal/shrink"
)

// The release sequence: a task that leaves an active state (activeToReleased,
// toErred), memory or erred stops what it holds, moves, lets go of its
// inputs and is then computed again if needed or forgotten (afterRelease).

// activeToReleased stops a task that nobody needs or that must be placed
// again. If a worker was running it, the worker is told to drop it; a
// worker that dropped the task on its own (it failed, was rejected, or the
// worker died) is detached from it first (unassign) and told nothing.
func (s *State) activeToReleased(t *Task, _ *Worker) {
	s.stop(t)
	s.setState(t, Released)
	s.leaveActive(t)
	s.afterRelease(t)
}

func (s *State) memoryToReleased(t *Task, _ *Worker) {
	for len(t.whoHas) > 0 {
		w := t.whoHas[len(t.whoHas)-1]
		t.removeHolder(w)
		if _, ok := s.workers[w.ID]; ok {
			s.emit(&Free{Worker: w.ID, Keys: []graph.Key{t.Key}})
		}
	}
	s.setState(t, Released)
	s.visits += uint64(len(t.dependents))
	for _, dt := range t.dependents {
		switch dt.State {
		case Waiting:
			dt.nWaiting++
		case Queued, NoWorker, Processing:
			// It was ready on the assumption that t was in memory.
			s.recommend(dt, Released)
		}
	}
	s.afterRelease(t)
}

func (s *State) erredToReleased(t *Task, _ *Worker) {
	t.err = nil
	s.setState(t, Released)
	s.visits += uint64(len(t.dependents))
	for _, dt := range t.dependents {
		if dt.State == Erred && dt.needed() {
			s.recommend(dt, Released)
		}
	}
	s.afterRelease(t)
}

// toErred marks t as failed (t.err says why) and fails its dependents.
func (s *State) toErred(t *Task, _ *Worker) {
	wasActive := t.State.active()
	s.stop(t)
	s.setState(t, Erred)
	if wasActive {
		s.leaveActive(t)
	}
	for _, c := range t.wantedBy {
		s.emit(&KeyErred{Client: c.ID, Key: t.Key, Err: t.err})
	}
	s.visits += uint64(len(t.dependents))
	for _, dt := range t.dependents {
		if dt.State.active() || (dt.State == Released && dt.needed()) {
			dt.err = t.err
			s.recommend(dt, Erred)
		}
	}
	if !t.needed() && s.canForget(t) {
		s.recommend(t, Forgotten)
	}
}

// stop takes an active task out of the queue, the unrunnable set or its
// worker; a worker that may hold it (it was processing there, perhaps
// sent speculatively) is told to drop it.
func (s *State) stop(t *Task) {
	if t.State != Processing {
		s.unready(t)
		return
	}
	if w := s.unassign(t); w != nil {
		if _, ok := s.workers[w.ID]; ok {
			s.emit(&Free{Worker: w.ID, Keys: []graph.Key{t.Key}})
		}
		// Filled once the pass is over (see apply).
		s.toFill = append(s.toFill, w)
	}
}

// unready takes a task out of the root-task queue or the unrunnable set.
func (s *State) unready(t *Task) {
	switch t.State {
	case Queued:
		s.queue.remove(t)
	case NoWorker:
		delete(s.unrunnable, t)
		s.unrunnable = shrink.Map(s.unrunnable, &s.unrunnablePeak)
	}
}

// enterActive notes that t will need its dependencies' data.
func (s *State) enterActive(t *Task) {
	s.visits += uint64(len(t.deps))
	for _, d := range t.deps {
		d.nWaiters++
	}
}

// leaveActive notes that t no longer needs its dependencies' data, and
// releases dependencies nobody needs any more.
func (s *State) leaveActive(t *Task) {
	s.visits += uint64(len(t.deps))
	for _, d := range t.deps {
		d.nWaiters--
		if !d.needed() {
			switch d.State {
			case Memory, Waiting, Queued, NoWorker, Processing:
				s.releaseUnneeded(d)
			case Released, Erred:
				if s.canForget(d) {
					s.recommend(d, Forgotten)
				}
			}
		}
	}
}

// afterRelease decides what comes next for a task that just became
// released: computing it again if someone needs it, or forgetting it.
func (s *State) afterRelease(t *Task) {
	if t.needed() {
		s.recommend(t, Waiting)
	} else if s.canForget(t) {
		s.recommend(t, Forgotten)
	}
}

func (s *State) canForget(t *Task) bool {
	return !t.needed() && t.liveDependents() == 0
}

func (t *Task) liveDependents() int { return len(t.dependents) - int(t.deadDependents) }

// forget drops a released or erred task that nothing needs or depends on.
func (s *State) forget(t *Task, _ *Worker) {
	if !s.canForget(t) {
		return
	}
	s.setState(t, Forgotten)
	delete(s.tasks, t.Key)
	s.handles.drop(t)
	if s.moving != nil {
		delete(s.moving, t)
	}
	s.tasks = shrink.Map(s.tasks, &s.tasksPeak)
	if g := t.group; g != nil {
		g.Count--
		g.ByState[Forgotten]--
		if g.Count == 0 {
			// The group's statistics outlive its tasks; its view of
			// their inputs does not (it would keep them alive).
			g.depKeys, g.manyDeps = nil, false
		}
	}
	s.visits += uint64(len(t.deps))
	for _, d := range t.deps {
		d.deadDependents++
		d.compactDependents()
		if (d.State == Released || d.State == Erred) && s.canForget(d) {
			s.recommend(d, Forgotten)
		}
	}
	clear(t.deps) // it may share a block with live tasks' lists
	t.deps = nil
	t.dependents = nil
	t.Spec = nil
}

// compactDependents drops forgotten tasks from the dependents list once
// they are more than half of it, so the cost stays amortized constant.
func (t *Task) compactDependents() {
	n := len(t.dependents)
	if n < 16 || int(t.deadDependents)*2 < n {
		return
	}
	live := t.dependents[:0]
	for _, d := range t.dependents {
		if d.State != Forgotten {
			live = append(live, d)
		}
	}
	for i := len(live); i < n; i++ {
		t.dependents[i] = nil
	}
	t.dependents = live
	t.deadDependents = 0
}
