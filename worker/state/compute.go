package state

import (
	"slices"
)

// compute takes a task the scheduler sent.
func (s *State) compute(e *Compute) {
	k := e.Task.Key
	if t := s.tasks[k]; t != nil {
		t.handle = e.Handle
		switch t.State {
		case Memory:
			t.freed = false
			s.emit(&Finished{Key: k, NBytes: t.NBytes, Handle: t.handle})
		case Cancelled:
			t.rerun = true
			t.Spec, t.Prio = e.Task, e.Priority
		case Fetch, Flight:
			// It is expected here as an input and now as a task: keep
			// fetching; if the value is given up on, the task is handed
			// back (see dropValue).
			t.Spec, t.Prio = e.Task, e.Priority
		}
		return
	}
	t := newTask(k)
	t.Spec, t.Prio, t.resources, t.handle = e.Task, e.Priority, e.Task.Resources, e.Handle
	s.link(t, e.Deps)
	if t.nMissing == 0 {
		s.transition(t, Ready)
	} else {
		s.transition(t, Waiting)
	}
}

// link connects a task to its inputs, creating records for the ones that
// must be fetched.
func (s *State) link(t *Task, deps []Dep) {
	t.deps = make([]*Task, 0, len(deps))
	t.nMissing = 0
	for _, dl := range deps {
		d := s.tasks[dl.Key]
		fresh := d == nil
		if fresh {
			d = newTask(dl.Key)
			d.NBytes = dl.NBytes
		}
		t.deps = append(t.deps, d)
		d.addDependent(t)
		if fresh {
			s.transition(d, Fetch) // once t needs it
		}
		if d.State == Fetch || d.State == Flight {
			for _, p := range dl.Peers {
				if p != s.cfg.Address && !slices.Contains(d.peers, p) && !slices.Contains(d.tried, p) {
					d.peers = append(d.peers, p)
				}
			}
		}
		if d.State != Memory {
			t.nMissing++
		}
	}
}
