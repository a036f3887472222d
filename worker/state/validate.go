package state

import (
	"errors"
	"fmt"
	"slices"
)

// Check verifies the state's invariants and returns the broken ones.
func (s *State) Check() error {
	var errs []error
	bad := func(format string, args ...any) {
		if len(errs) < 10 {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	running := 0
	onThread := make(map[int]bool)
	for k, t := range s.tasks {
		if t.Key != k {
			bad("%s stored under %s", t.Key, k)
		}
		if t.State == Released {
			bad("%s is released but kept", k)
		}
		s.checkTaskInto(t, bad)
		for _, d := range t.deps {
			if s.tasks[d.Key] != d {
				bad("%s depends on %s, which is forgotten", k, d.Key)
			}
		}
		for i, dt := range t.dependents {
			if s.tasks[dt.Key] != dt {
				bad("%s has forgotten dependent %s", k, dt.Key)
			}
			if at, ok := t.dependentAt[dt]; t.dependentAt != nil && (!ok || at != i) {
				bad("%s's index of its dependents puts %s at %d (known %v), not %d", k, dt.Key, at, ok, i)
			}
		}
		if t.dependentAt != nil && len(t.dependentAt) != len(t.dependents) {
			bad("%s's index of its dependents holds %d, the list %d", k, len(t.dependentAt), len(t.dependents))
		}
		if t.State == Executing || t.State == Cancelled {
			running++
			if onThread[t.thread] {
				bad("%s runs on thread %d, which runs another task", k, t.thread)
			}
			onThread[t.thread] = true
		}
	}
	var flying int64
	for p, n := range s.flightBytes {
		if _, ok := s.flights[p]; !ok {
			bad("%d bytes in flight from %s, which is not being fetched from", n, p)
		}
		flying += n
	}
	if flying != s.inFlight {
		bad("%d bytes in flight by peer, counter %d", flying, s.inFlight)
	}
	for i, e := range s.ready {
		if e.prio != e.t.Prio {
			bad("%s is ready with priority %v, its heap entry says %v", e.t.Key, e.t.Prio, e.prio)
		}
		if i > 0 && e.prio.Less(s.ready[(i-1)/2].prio) {
			bad("%s runs before %s, its parent in the ready heap", e.t.Key, s.ready[(i-1)/2].t.Key)
		}
	}
	if running+len(s.threads) != s.cfg.NThreads {
		bad("%d executing and %d free threads, of %d", running, len(s.threads), s.cfg.NThreads)
	}
	return errors.Join(errs...)
}

// checkTask verifies the invariants of one task that hold after each of
// its transitions. Whether its inputs and dependents are kept is checked
// only after the whole event (Check): the inputs of a new task enter
// Fetch before the task itself is kept.
func (s *State) checkTask(t *Task) error {
	var errs []error
	s.checkTaskInto(t, func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) })
	return errors.Join(errs...)
}

func (s *State) checkTaskInto(t *Task, bad func(format string, args ...any)) {
	k := t.Key
	if t.State == Released {
		if s.tasks[k] == t {
			bad("%s is released but kept", k)
		}
		if len(t.deps) > 0 || len(t.dependents) > 0 {
			bad("%s is released with %d inputs and %d dependents linked", k, len(t.deps), len(t.dependents))
		}
		return
	}
	if s.tasks[k] != t {
		bad("%s is %s but not kept", k, t.State)
	}
	missing := 0
	for _, d := range t.deps {
		if !slices.Contains(d.dependents, t) {
			bad("%s depends on %s, which does not list it", k, d.Key)
		}
		if d.State != Memory {
			missing++
		}
	}
	if t.State != Ready && t.heapIdx >= 0 {
		bad("%s is %s but in the ready heap", k, t.State)
	}
	switch t.State {
	case Waiting:
		if missing == 0 || missing != t.nMissing {
			bad("%s waiting on %d inputs (counter %d)", k, missing, t.nMissing)
		}
	case Ready:
		if missing != 0 {
			bad("%s ready with %d inputs missing", k, missing)
		}
		if t.heapIdx < 0 || t.heapIdx >= s.ready.Len() || s.ready[t.heapIdx].t != t {
			bad("%s ready but not in the ready heap", k)
		}
	case Executing, Cancelled:
		if t.thread < 0 || t.thread >= s.cfg.NThreads || slices.Contains(s.threads, t.thread) {
			bad("%s is %s on thread %d, which is free or not a thread", k, t.State, t.thread)
		}
	case Fetch, Flight:
		if len(t.dependents) == 0 && !t.acquire && !t.freed {
			bad("%s is %s but nothing needs it", k, t.State)
		}
	}
	if t.State == Flight && !slices.Contains(s.flights[t.flight], t) {
		bad("%s in flight from %q, but no fetch from it asked for it", k, t.flight)
	}
}
