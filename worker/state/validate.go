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
	nexec := 0
	for k, t := range s.tasks {
		if t.Key != k {
			bad("%s stored under %s", t.Key, k)
		}
		missing := 0
		for _, d := range t.deps {
			if s.tasks[d.Key] != d {
				bad("%s depends on %s, which is forgotten", k, d.Key)
			}
			if !slices.Contains(d.dependents, t) {
				bad("%s depends on %s, which does not list it", k, d.Key)
			}
			if d.State != Memory {
				missing++
			}
		}
		for _, dt := range t.dependents {
			if s.tasks[dt.Key] != dt {
				bad("%s has forgotten dependent %s", k, dt.Key)
			}
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
			if t.heapIdx < 0 || t.heapIdx >= s.ready.Len() || s.ready[t.heapIdx] != t {
				bad("%s ready but not in the ready heap", k)
			}
		case Executing, Cancelled:
			nexec++
		case Fetch, Flight:
			if len(t.dependents) == 0 && !t.acquire && !t.freed {
				bad("%s is %s but nothing needs it", k, t.State)
			}
		}
		if t.State == Flight {
			found := false
			for _, ts := range s.flights {
				found = found || slices.Contains(ts, t)
			}
			if !found {
				bad("%s in flight but no fetch asked for it", k)
			}
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
	if nexec != s.nexec {
		bad("%d executing, counter %d", nexec, s.nexec)
	}
	if s.nexec+len(s.threads) != s.cfg.NThreads {
		bad("%d executing and %d free threads, of %d", s.nexec, len(s.threads), s.cfg.NThreads)
	}
	return errors.Join(errs...)
}
