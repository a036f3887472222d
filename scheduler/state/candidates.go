package state

// On a cluster of many workers, placing a task looks at a bounded set of
// candidates instead of every worker, so that a decision costs the same
// with ten thousand workers as with forty (scheduler/sim measures it):
// the workers that hold its inputs, and up to manyWorkers idle ones (a
// running worker with a free thread), taken in turn from the idle set,
// which the state keeps as threads are taken and freed. With no idle
// worker, manyWorkers workers in turn from the list stand in. Dask does
// the same for tasks without inputs (a round robin over its idle
// workers).
//
// A task with inputs is weighed, as in Dask, on the workers that hold
// them, when one of those runs (holders): moving its inputs elsewhere to
// start it a little sooner is work stealing's call, which weighs the
// transfer against the task's measured duration and the thief's memory.
// Weighing every worker against the occupancy estimates placed tasks away
// from their data whenever a kind of task's duration was not yet known.
// When every holder's threads are taken, a sample of idle workers is
// weighed too, each only on stealing's terms (see offload in
// placement.go): a measured duration, a cheap fetch, and room in memory.

// manyWorkers is the number of workers beyond which placement samples
// its candidates, and how many idle (or other) workers it samples.
const manyWorkers = 32

// noteIdle puts w in the idle set, or takes it out, as it now is.
func (s *State) noteIdle(w *Worker) {
	idle := w.Status == Running && len(w.processing) < w.NThreads && s.workers[w.ID] == w
	switch {
	case idle && w.idleAt == 0:
		s.idle = append(s.idle, w)
		w.idleAt = len(s.idle)
	case !idle && w.idleAt != 0:
		i, last := w.idleAt-1, len(s.idle)-1
		s.idle[i] = s.idle[last]
		s.idle[i].idleAt = i + 1
		s.idle[last] = nil
		s.idle = s.idle[:last]
		w.idleAt = 0
	}
}

// holders returns the workers that hold t's inputs (marked with the
// current mark, in s.cands, reused by the next call) and whether one of
// them is running.
func (s *State) holders(t *Task) (out []*Worker, running bool) {
	s.marks++
	out = s.cands[:0]
	s.visits += uint64(len(t.deps))
	for _, d := range t.deps {
		for _, w := range d.whoHas {
			if w.mark != s.marks {
				w.mark = s.marks
				out = append(out, w)
				running = running || w.Status == Running
			}
		}
	}
	s.cands = out
	return out, running
}

// sampled returns holders (from holders) with, on a cluster of more than
// manyWorkers workers, a sample of idle workers (or of all, when none is
// idle) added: the workers worth weighing for a task none of whose
// holders runs. The slice is reused by the next call.
func (s *State) sampled(holders []*Worker) []*Worker {
	out := holders
	pool := s.idle
	if len(pool) == 0 {
		pool = s.wlist
	}
	n := min(manyWorkers, len(pool))
	for i := range n {
		w := pool[(s.rr+i)%len(pool)]
		if w.mark != s.marks {
			w.mark = s.marks
			out = append(out, w)
		}
	}
	s.cands = out
	return out
}
