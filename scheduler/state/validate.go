package state

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Check verifies every invariant of the state and returns the first broken
// one. Tests run it after every event (Config.Validate).
func (s *State) Check() error {
	var errs []error
	bad := func(format string, args ...any) {
		if len(errs) < 10 {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	// The groups' counters (which snapshots read) agree with the tasks.
	if got, want := s.CountByState(), s.Counts(); !maps.Equal(got, want) {
		bad("task counts by state from the groups %v, from the tasks %v", got, want)
	}
	if n := len(s.idle); n > len(s.wlist) {
		bad("%d idle workers of %d", n, len(s.wlist))
	}
	threads := 0
	for _, w := range s.wlist {
		threads += w.NThreads
		if s.workers[w.ID] != w {
			bad("worker %s in list but not in map", w.ID)
		}
		if idle := w.Status == Running && len(w.processing) < w.NThreads; idle != (w.idleAt != 0) || w.idleAt != 0 && s.idle[w.idleAt-1] != w {
			bad("worker %s (%s, %d of %d threads taken) is wrongly in or out of the idle set (at %d)", w.ID, w.Status, len(w.processing), w.NThreads, w.idleAt)
		}
		var nbytes int64
		for i, t := range w.has {
			nbytes += t.NBytes
			if j := slices.Index(t.whoHas, w); j < 0 || t.heldAt[j] != int32(i) {
				bad("worker %s has %s at %d, which the task does not record", w.ID, t.Key, i)
			}
			if !t.holdsOn(w) {
				bad("worker %s has %s but the task does not list it", w.ID, t.Key)
			}
			if s.tasks[t.Key] != t {
				bad("worker %s has %s, which is not in the task map", w.ID, t.Key)
			}
		}
		if nbytes != w.nbytes {
			bad("worker %s nbytes %d, sum of its keys %d", w.ID, w.nbytes, nbytes)
		}
		for i, t := range w.processing {
			if t.procAt != int32(i) {
				bad("worker %s processing %s at %d, which the task places at %d", w.ID, t.Key, i, t.procAt)
			}
			if t.State != Processing || t.processingOn != w {
				bad("worker %s processing %s, which is %s on %v", w.ID, t.Key, t.State, t.ProcessingOn())
			}
		}
	}
	if threads != s.totalThreads {
		bad("total threads %d, sum %d", s.totalThreads, threads)
	}
	if len(s.wlist) != len(s.workers) {
		bad("%d workers in list, %d in map", len(s.wlist), len(s.workers))
	}
	if live := len(s.handles.places) - len(s.handles.free); live != len(s.tasks) {
		bad("%d places taken in the table of handles, %d tasks", live, len(s.tasks))
	}
	queued := 0
	for k, t := range s.tasks {
		if t.Key != k {
			bad("task %s under key %s", t.Key, k)
		}
		if t.place < 0 || int(t.place) >= len(s.handles.places) || s.handles.places[t.place] != t {
			bad("task %s is not at its place %d in the table of handles", t.Key, t.place)
		}
		s.checkTask(t, bad)
		if t.State == Queued {
			queued++
		}
	}
	if n := s.queue.Len(); n != queued {
		bad("the queue holds %d tasks, %d are queued", n, queued)
	}
	s.queue.each(func(t *Task) bool {
		if t.State != Queued {
			bad("%s is in the queue but %s", t.Key, t.State)
		}
		return true
	})
	for _, c := range s.clients {
		for at, t := range c.wants {
			if i := t.wantIndex(c); i < 0 {
				bad("client %s wants %s but the task does not list it", c.ID, t.Key)
			} else if int(t.wantAt[i]) != at {
				bad("client %s wants %s at %d, but the task says %d", c.ID, t.Key, at, t.wantAt[i])
			}
		}
	}
	if len(s.recs) > 0 {
		bad("%d recommendations left unapplied", len(s.recs))
	}
	for k, o := range s.orphans {
		if s.tasks[k] != nil {
			bad("orphan %s has a task", k)
		}
		if len(o.holders) == 0 {
			bad("orphan %s has no holder", k)
		}
		for _, w := range o.holders {
			if s.workers[w.ID] != w || !slices.Contains(w.orphans, k) {
				bad("orphan %s is held by %s, which is gone or does not list it", k, w.ID)
			}
		}
	}
	return errors.Join(errs...)
}

func (s *State) checkTask(t *Task, bad func(string, ...any)) {
	if t.State == Forgotten {
		bad("%s is forgotten but still in the task map", t.Key)
	}
	if t.moving != 0 {
		bad("%s is still marked as moving", t.Key)
	}
	waiters := int32(0)
	for _, dt := range t.dependents {
		if dt.State.active() {
			waiters++
		}
	}
	if waiters != t.nWaiters {
		bad("%s nWaiters %d, active dependents %d", t.Key, t.nWaiters, waiters)
	}
	for _, d := range t.deps {
		if d.State == Forgotten {
			bad("%s (%s) depends on forgotten %s", t.Key, t.State, d.Key)
		}
	}
	if len(t.wantAt) != len(t.wantedBy) {
		bad("%s has %d clients and %d places among their wants", t.Key, len(t.wantedBy), len(t.wantAt))
	}
	for i, c := range t.wantedBy {
		if i >= len(t.wantAt) || int(t.wantAt[i]) >= len(c.wants) || c.wants[t.wantAt[i]] != t {
			bad("%s lists client %s, which does not want it there", t.Key, c.ID)
		}
	}
	switch t.State {
	case Released:
		if t.needed() {
			bad("%s is released but needed (wanted %d, waiters %d)", t.Key, len(t.wantedBy), t.nWaiters)
		}
		if s.canForget(t) {
			bad("%s is released and could be forgotten", t.Key)
		}
	case Waiting:
		n := int32(0)
		for _, d := range t.deps {
			if d.State != Memory {
				n++
			}
		}
		if n != t.nWaiting || n == 0 {
			bad("%s waiting on %d (counter %d)", t.Key, n, t.nWaiting)
		}
	case Queued, NoWorker, Processing:
		missing := int32(0)
		for _, d := range t.deps {
			if d.State == Memory {
				continue
			}
			missing++
			if !t.speculative || d.State != Processing || d.processingOn != t.processingOn {
				bad("%s is %s (speculative %v) but dependency %s is %s", t.Key, t.State, t.speculative, d.Key, d.State)
			}
		}
		if t.speculative && (missing == 0 || missing != t.nWaiting) {
			bad("%s speculative with %d inputs missing (counter %d)", t.Key, missing, t.nWaiting)
		}
		switch t.State {
		case Queued:
			if !s.queue.holds(t) {
				bad("%s queued but not in the queue", t.Key)
			}
		case NoWorker:
			if _, ok := s.unrunnable[t]; !ok {
				bad("%s no-worker but not in the unrunnable set", t.Key)
			}
		case Processing:
			if t.processingOn == nil || s.workers[t.processingOn.ID] != t.processingOn {
				bad("%s processing on a worker that is gone", t.Key)
			} else if !t.processingOn.processes(t) {
				bad("%s processing on %s, which does not list it", t.Key, t.processingOn.ID)
			}
		}
	case Memory:
		if len(t.whoHas) == 0 {
			bad("%s in memory but held by no worker", t.Key)
		}
		if len(t.heldAt) != len(t.whoHas) {
			bad("%s held by %d workers with %d places", t.Key, len(t.whoHas), len(t.heldAt))
		}
		for j, w := range t.whoHas {
			if j >= len(t.heldAt) || int(t.heldAt[j]) >= len(w.has) || w.has[t.heldAt[j]] != t {
				bad("%s held by %s, which does not list it", t.Key, w.ID)
			}
		}
		if !t.needed() {
			bad("%s in memory but nobody needs it", t.Key)
		}
	case Erred:
		if t.err == nil {
			bad("%s erred without an error", t.Key)
		}
	}
	if t.State != Processing && t.processingOn != nil {
		bad("%s is %s but has a processing worker", t.Key, t.State)
	}
	if t.State != Memory && len(t.whoHas) > 0 {
		bad("%s is %s but held by %d workers", t.Key, t.State, len(t.whoHas))
	}
}
