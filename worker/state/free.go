package state

import (
	"github.com/dusk-go/dusk/graph"
)

// free lets go of a key the scheduler no longer wants here.
func (s *State) free(k graph.Key) {
	t := s.tasks[k]
	if t == nil {
		return
	}
	switch t.State {
	case Executing:
		s.transition(t, Cancelled)
	case Ready, Waiting:
		s.transition(t, Released)
	case Memory:
		if len(t.dependents) > 0 {
			t.freed = true
			return
		}
		s.transition(t, Released)
	case Fetch, Flight:
		t.Spec = nil
		if len(t.dependents) > 0 {
			return
		}
		t.acquire = false
		if t.State == Fetch {
			s.transition(t, Released)
		} else {
			t.freed = true // dropped when it arrives
		}
	case Cancelled:
		t.rerun = false
	}
}

// steal gives a task back to the scheduler if it has not started.
func (s *State) steal(k graph.Key) {
	t := s.tasks[k]
	if t == nil || (t.State != Waiting && t.State != Ready) || t.Spec == nil {
		s.emit(&StealReply{Key: k, Stolen: false})
		return
	}
	s.free(k)
	s.emit(&StealReply{Key: k, Stolen: true})
}

// detach removes t from its inputs' dependents, dropping inputs nobody
// here needs any more.
func (s *State) detach(t *Task) {
	for _, d := range t.deps {
		d.removeDependent(t)
		if len(d.dependents) > 0 {
			continue
		}
		switch {
		case d.State == Fetch && !d.acquire:
			s.transition(d, Released)
		case d.State == Flight && !d.acquire:
			d.freed = true // dropped when it arrives
		case d.State == Memory && d.freed:
			s.transition(d, Released)
		}
	}
	t.deps = nil
}

// abandonDependents drops the tasks here that wait for t, which failed,
// was freed or stolen, and will not be stored here. They were sent ahead
// to follow t (a task is sent with inputs still missing only then), and the
// scheduler takes such followers back when t fails or is released, sending
// them again once their inputs exist: so they go without a message. Each
// dropped task leaves t's dependents.
func (s *State) abandonDependents(t *Task) {
	for len(t.dependents) > 0 {
		s.transition(t.dependents[0], Released)
	}
}

// inputArrived tells the tasks waiting for t that it is here.
func (s *State) inputArrived(t *Task) {
	for _, dt := range t.dependents {
		dt.nMissing--
		if dt.nMissing == 0 && dt.State == Waiting {
			s.transition(dt, Ready)
		}
	}
}
