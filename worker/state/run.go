package state

import (
	"github.com/dusk-go/dusk/graph"
)

// executed takes a task's outcome from the thread that ran it.
func (s *State) executed(e *Executed) {
	t := s.tasks[e.Key]
	if t == nil || (t.State != Executing && t.State != Cancelled) {
		if e.Err == nil {
			s.emit(&Drop{Keys: []graph.Key{e.Key}})
		}
		return
	}
	if t.State == Cancelled {
		if e.Err == nil {
			s.emit(&Drop{Keys: []graph.Key{e.Key}})
		}
		if t.rerun {
			s.transition(t, Ready)
		} else {
			s.transition(t, Released)
		}
		return
	}
	if e.Err != nil {
		s.emit(&Failed{Key: t.Key, Err: e.Err, Thread: e.Thread, Start: e.Start, Stop: e.Stop, Handle: t.handle})
		s.transition(t, Released)
		return
	}
	t.NBytes = e.NBytes
	s.emit(&Finished{Key: t.Key, NBytes: e.NBytes, Type: e.Type, Thread: e.Thread, Start: e.Start, Stop: e.Stop, CPU: e.CPU, Wait: e.Wait, Handle: t.handle})
	s.transition(t, Memory)
}

// ensureExecuting starts ready tasks while threads and resources allow.
func (s *State) ensureExecuting() {
	if s.paused {
		return
	}
	var blocked []*Task
	for len(s.threads) > 0 && s.ready.Len() > 0 {
		t := s.ready.first()
		if !s.take(t.resources) {
			s.ready.remove(0)
			blocked = append(blocked, t)
			continue
		}
		t.thread = s.threads[len(s.threads)-1]
		s.threads = s.threads[:len(s.threads)-1]
		s.transition(t, Executing)
	}
	for _, t := range blocked {
		s.ready.push(t)
	}
}

// take consumes resources if they are all available.
func (s *State) take(res map[string]float64) bool {
	for r, v := range res {
		if s.avail[r] < v {
			return false
		}
	}
	for r, v := range res {
		s.avail[r] -= v
	}
	return true
}
