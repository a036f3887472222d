package state

import "github.com/dusk-go/dusk/graph"

// Speculative assignment: a task whose one missing input is being computed
// on a worker that also holds its other inputs is sent to that worker right
// away. The worker runs it as soon as its input is done, which saves a
// round trip to the scheduler per link of a chain (Dask waits for every
// input to be reported; see dask/distributed#3974). If the input is moved
// or fails instead, the task is taken back (pullBack).
//
// Only a task with one input missing is considered: a wide task is
// recommended again each time one of its inputs is assigned, and looking
// at all its inputs each time would cost the square of its width; with
// one missing, the look happens once (or once per move of that input).
//
// A root-ish task (one of many of its kind over few inputs: the many
// dependents of one task, as a fan-out) is not sent ahead: speculation
// would put every dependent on the worker computing the input, where the
// queue spreads them over the workers with room once it is done.

// speculationTarget returns the worker t can be sent to before its inputs
// are all in memory, or nil.
func (s *State) speculationTarget(t *Task) *Worker {
	if !s.cfg.Speculate || t.nWaiting != 1 || t.restricted() || s.isRootish(t) {
		return nil
	}
	var w *Worker
	s.visits += uint64(len(t.deps))
	for _, d := range t.deps {
		if d.State == Processing {
			if w == nil {
				w = d.processingOn
			} else if d.processingOn != w {
				return nil
			}
		}
	}
	if w == nil || w.Status != Running {
		return nil
	}
	s.visits += uint64(len(t.deps))
	for _, d := range t.deps {
		switch d.State {
		case Processing:
		case Memory:
			if !d.holdsOn(w) {
				return nil
			}
		default:
			return nil
		}
	}
	return w
}

// pullBack takes back, from worker w, the tasks sent there speculatively to
// follow d, which will not be computed there after all: they drop off w and
// wait again (their inputs were not all in memory, so waiting is where they
// belong). Their own followers come back too.
func (s *State) pullBack(d *Task, w *Worker) {
	stack := []*Task{d}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, t := range x.dependents {
			if t.State != Processing || !t.speculative || t.processingOn != w {
				continue
			}
			s.transition(t, Waiting, nil)
			stack = append(stack, t)
		}
	}
}

// pulledBack takes a speculative task off its worker, which is told to
// drop it, back to waiting (see pullBack).
func (s *State) pulledBack(t *Task, _ *Worker) {
	w := s.unassignOnly(t)
	if _, ok := s.workers[w.ID]; ok {
		s.emit(&Free{Worker: w.ID, Keys: []graph.Key{t.Key}})
	}
	s.setState(t, Waiting)
}
