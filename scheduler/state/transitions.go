package state

import (
	"fmt"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/graph"
)

// rec is a recommendation: move task t to state to. An unneeded
// recommendation holds only if the task is still not needed when it is
// applied (something may have come to need it again meanwhile).
type rec struct {
	t        *Task
	to       TaskState
	unneeded bool
}

func (s *State) recommend(t *Task, to TaskState) { s.recs = append(s.recs, rec{t: t, to: to}) }

// releaseUnneeded recommends releasing t because nothing needs it.
func (s *State) releaseUnneeded(t *Task) {
	s.recs = append(s.recs, rec{t: t, to: Released, unneeded: true})
}

// transitionFunc moves a task from one state to another.
type transitionFunc func(s *State, t *Task)

// transitions is the table of direct transitions. Requests for a pair that
// is not here go through Released (for example processing -> forgotten is
// processing -> released -> forgotten); a pair that cannot be reached that
// way is a bug.
var transitions = [numStates][numStates]transitionFunc{
	Released: {
		Waiting:   (*State).releasedToWaiting,
		Forgotten: (*State).releasedToForgotten,
		Erred:     (*State).toErred,
	},
	Waiting: {
		Processing: (*State).waitingToReady,
		Released:   (*State).activeToReleased,
		Erred:      (*State).toErred,
	},
	NoWorker: {
		Processing: (*State).waitingToReady,
		Released:   (*State).activeToReleased,
		Erred:      (*State).toErred,
	},
	Queued: {
		Processing: (*State).waitingToReady,
		Released:   (*State).activeToReleased,
		Erred:      (*State).toErred,
	},
	Processing: {
		Released: (*State).activeToReleased,
		Erred:    (*State).toErred,
	},
	Memory: {
		Released: (*State).memoryToReleased,
	},
	Erred: {
		Released: (*State).erredToReleased,
	},
}

// apply carries out recommendations until none are left. Workers that got
// a free slot during the pass are filled from the root-task queue after
// it: by then the pass has released whatever it releases, so no queued
// root is sent to a worker only to be taken back at once (cancelling a
// graph with many queued roots would otherwise send each of them).
func (s *State) apply() {
	for {
		for i := 0; i < len(s.recs); i++ {
			r := s.recs[i]
			if r.unneeded && r.t.needed() {
				continue
			}
			if r.to == Processing && !r.t.State.active() {
				// Stale: the task was recommended while waiting and was
				// released (or finished) by an earlier recommendation of
				// this pass. If it is wanted again, its move to waiting
				// places it.
				continue
			}
			s.transition(r.t, r.to)
		}
		s.recs = s.recs[:0]
		if len(s.toFill) == 0 {
			return
		}
		ws := s.toFill
		s.toFill = s.fillBuf[:0]
		for _, w := range ws {
			if s.workers[w.ID] == w {
				s.fillWorker(w)
			}
		}
		s.fillBuf = ws[:0]
	}
}

func (s *State) transition(t *Task, to TaskState) {
	from := t.State
	if from == to || from == Forgotten {
		return
	}
	if f := transitions[from][to]; f != nil {
		f(s, t)
		return
	}
	if via := transitions[from][Released]; via != nil && transitions[Released][to] != nil {
		via(s, t)
		if t.State == Released {
			transitions[Released][to](s, t)
		}
		return
	}
	panic(fmt.Sprintf("state: no transition %s -> %s for %s; story:\n%s", from, to, t.Key, s.Story(t.Key)))
}

// setState records a task's move to a new state.
func (s *State) setState(t *Task, to TaskState) {
	from := t.State
	t.State = to
	if g := t.group; g != nil {
		g.ByState[from]--
		g.ByState[to]++
	}
	var w string
	if t.processingOn != nil {
		w = t.processingOn.ID
	} else if to == Memory && len(t.whoHas) > 0 {
		w = t.whoHas[0].ID
	}
	s.story.add(storyEntry{key: t.Key, from: from, to: to, worker: w, at: s.now})
	if s.cfg.Record {
		s.record(event.Event{Kind: event.Transition, Key: string(t.Key), Worker: w, From: from.String(), To: to.String()})
	}
}

// enterActive notes that t will need its dependencies' data.
func (s *State) enterActive(t *Task) {
	for _, d := range t.deps {
		d.nWaiters++
	}
}

// leaveActive notes that t no longer needs its dependencies' data, and
// releases dependencies nobody needs any more.
func (s *State) leaveActive(t *Task) {
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

func (s *State) canForget(t *Task) bool {
	return !t.needed() && t.liveDependents() == 0
}

func (t *Task) liveDependents() int { return len(t.dependents) - int(t.deadDependents) }

func (s *State) releasedToWaiting(t *Task) {
	if t.Spec == nil {
		// Scattered data that is gone cannot be recomputed.
		if t.err == nil {
			t.err = &TaskError{Kind: ErrLost, Key: string(t.Key),
				Message: "scattered data was lost with the workers that held it; scatter it again"}
		}
		s.toErred(t)
		return
	}
	s.setState(t, Waiting)
	s.enterActive(t)
	t.nWaiting = 0
	var blame *TaskError
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

// waitingToReady places a task whose dependencies are all in memory: on a
// worker, in the root-task queue, or among the tasks no worker can run.
func (s *State) waitingToReady(t *Task) {
	if t.nWaiting > 0 {
		// Some inputs are not in memory yet. If they are all being computed
		// on one worker that holds the rest, send the task there now.
		if t.State == Waiting {
			if w := s.speculationTarget(t); w != nil {
				s.assign(t, w)
			}
		}
		return
	}
	from := t.State
	switch from {
	case Queued:
		s.queue.remove(t)
	case NoWorker:
		delete(s.unrunnable, t)
	}
	if s.isRootish(t) {
		if w := s.workerWithRoom(t); w != nil {
			s.assign(t, w)
			return
		}
		if from != Queued {
			s.setState(t, Queued)
		}
		s.queue.push(t)
		return
	}
	w, reason := s.decideWorker(t)
	if w == nil {
		if from != NoWorker {
			s.setState(t, NoWorker)
		}
		s.unrunnable[t] = struct{}{}
		if reason != reasonAllPaused {
			s.stall(t, reason)
		}
		return
	}
	s.assign(t, w)
}

// assign sends t to worker w.
func (s *State) assign(t *Task, w *Worker) {
	t.processingOn = w
	t.executing = false
	t.stalled = false
	t.speculative = t.nWaiting > 0
	w.processing[t] = struct{}{}
	t.estimate = s.estimate(t)
	w.occupancy += t.estimate
	s.setState(t, Processing)
	c := &Compute{Worker: w.ID, Task: t.Spec, Priority: t.prio}
	if len(t.deps) > 0 {
		c.Deps = make([]DepLocation, len(t.deps))
		for i, d := range t.deps {
			c.Deps[i] = DepLocation{Key: d.Key, NBytes: d.NBytes, Workers: d.WhoHas()}
		}
	}
	s.emit(c)
	// Tasks waiting only for this one (and data already on w) may follow it
	// to w at once.
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
	delete(w.processing, t)
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

// stop takes an active task out of the queue, the unrunnable set or its
// worker; a worker that may hold it (it was processing there, perhaps
// sent speculatively) is told to drop it.
func (s *State) stop(t *Task) {
	switch t.State {
	case Queued:
		s.queue.remove(t)
	case NoWorker:
		delete(s.unrunnable, t)
	case Processing:
		if w := s.unassign(t); w != nil {
			if _, ok := s.workers[w.ID]; ok {
				s.emit(&Free{Worker: w.ID, Keys: []graph.Key{t.Key}})
			}
			// Filled once the pass is over (see apply).
			s.toFill = append(s.toFill, w)
		}
	}
}

// activeToReleased stops a task that nobody needs or that must be placed
// again. If a worker was running it, the worker is told to drop it.
func (s *State) activeToReleased(t *Task) {
	s.stop(t)
	s.setState(t, Released)
	s.leaveActive(t)
	s.afterRelease(t)
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

func (s *State) memoryToReleased(t *Task) {
	for len(t.whoHas) > 0 {
		w := t.whoHas[len(t.whoHas)-1]
		t.removeHolder(w)
		if _, ok := s.workers[w.ID]; ok {
			s.emit(&Free{Worker: w.ID, Keys: []graph.Key{t.Key}})
		}
	}
	s.setState(t, Released)
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

func (s *State) erredToReleased(t *Task) {
	t.err = nil
	s.setState(t, Released)
	for _, dt := range t.dependents {
		if dt.State == Erred && dt.needed() {
			s.recommend(dt, Released)
		}
	}
	s.afterRelease(t)
}

// toErred marks t as failed (t.err says why) and fails its dependents.
func (s *State) toErred(t *Task) {
	wasActive := t.State.active()
	s.stop(t)
	s.setState(t, Erred)
	if wasActive {
		s.leaveActive(t)
	}
	for _, c := range t.wantedBy {
		s.emit(&KeyErred{Client: c.ID, Key: t.Key, Err: t.err})
	}
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

func (s *State) releasedToForgotten(t *Task) {
	if !s.canForget(t) {
		return
	}
	s.setState(t, Forgotten)
	delete(s.tasks, t.Key)
	if g := t.group; g != nil {
		g.Count--
		g.ByState[Forgotten]--
	}
	for _, d := range t.deps {
		d.deadDependents++
		d.compactDependents()
		if (d.State == Released || d.State == Erred) && s.canForget(d) {
			s.recommend(d, Forgotten)
		}
	}
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
