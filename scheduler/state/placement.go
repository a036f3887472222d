package state

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dusk-go/dusk/internal/units"
)

// latencyCover is how much work, per thread, a worker should have in hand
// so that it never idles while its next task crosses the network.
const latencyCover = 2e-3 // seconds

// rootMemoryShare is the share of a worker's memory limit that queued-ahead
// root task results may take.
const rootMemoryShare = 0.02

// isRootish reports whether t is one of many tasks of its kind that depend
// on little or nothing: a root of a wide fan-out. Such tasks are queued on
// the scheduler and handed out as workers free up, so that a huge fan-out
// does not flood workers' memory (Dask's root-task queuing).
func (s *State) isRootish(t *Task) bool {
	if math.IsInf(s.cfg.WorkerSaturation, 1) || t.restricted() {
		return false
	}
	g := t.group
	return g != nil && !g.manyDeps && g.Count > 2*s.totalThreads
}

// slots is how many tasks a worker may hold before queued root tasks stop
// going to it: threads × saturation, raised when tasks of the queue's head
// group are known to be so short that a worker would idle waiting for the
// next one, as long as their results stay a small share of its memory.
// (Dask uses threads × saturation alone, which starves workers of tiny
// tasks.)
func (s *State) slots(w *Worker, head *Task) int {
	n := int(math.Ceil(float64(w.NThreads) * s.cfg.WorkerSaturation))
	if n < 1 {
		n = 1
	}
	if head == nil || head.group == nil {
		return n
	}
	dur, ok := head.group.Duration()
	if !ok {
		return n
	}
	want := n
	if dur <= 0 {
		dur = 1e-6
	}
	if cover := int(latencyCover / dur * float64(w.NThreads)); cover > want {
		want = cover
	}
	if mb, ok := head.group.meanBytes(); ok && mb > 0 {
		budget := int64(64 << 20)
		if w.MemoryLimit > 0 {
			budget = int64(float64(w.MemoryLimit) * rootMemoryShare)
		}
		if lim := n + int(budget/mb); want > lim {
			want = lim
		}
	}
	return max(want, n)
}

// minRun is the fewest slots a worker must have for queued root tasks to
// go to it in runs (see workerWithRoom and fillWorker).
const minRun = 16

// inRuns reports whether root tasks go to w in runs: its slots (n) are
// many, as for tiny tasks.
func inRuns(n int) bool { return n >= minRun }

// workerWithRoom returns the least busy running worker that has room for
// one more root task, or nil. Where slots are many (tiny tasks), it keeps
// giving root tasks to the worker of the current run until it is full:
// root tasks arrive in priority order, so neighbours (the inputs of one
// reduction, as Dask's co-assignment of root tasks) land on one worker
// instead of alternating between workers and being fetched again.
// On a cluster of more than manyWorkers workers it looks at a sample (see
// candidates.go): up to manyWorkers idle workers in turn, or, with none
// idle, as many workers in turn; a task none of them has room for waits
// in the queue for the next worker that frees a thread.
func (s *State) workerWithRoom(t *Task) *Worker {
	if w := s.runTo; w != nil && s.workers[w.ID] == w && w.Status == Running {
		if n := s.slots(w, t); inRuns(n) && len(w.processing) < n {
			return w
		}
	}
	var best *Worker
	bestLoad := math.Inf(1)
	look := func(w *Worker) {
		if w.Status != Running || len(w.processing) >= s.slots(w, t) {
			return
		}
		load := float64(len(w.processing)) / float64(max(w.NThreads, 1))
		if load < bestLoad {
			best, bestLoad = w, load
		}
	}
	if len(s.wlist) <= manyWorkers {
		for _, w := range s.wlist {
			look(w)
		}
	} else {
		pool := s.idle
		if len(pool) == 0 {
			pool = s.wlist
		}
		for i := range min(manyWorkers, len(pool)) {
			look(pool[(s.rr+i)%len(pool)])
		}
		s.rr++
	}
	s.runTo = best
	return best
}

// fillWorker hands queued root tasks to w while it has room. Where its
// slots are many (tiny tasks), it waits until half are free and then
// fills them all: a run of neighbouring root tasks, as workerWithRoom
// gives, rather than one task each time one finishes (which would deal
// neighbours out to the workers in turn).
func (s *State) fillWorker(w *Worker) {
	if w.Status != Running {
		return
	}
	t := s.queue.peek()
	if t == nil {
		return
	}
	if n := s.slots(w, t); inRuns(n) && len(w.processing) > n/2 {
		return
	}
	for {
		if t == nil || len(w.processing) >= s.slots(w, t) {
			return
		}
		s.transition(t, Processing, w)
		t = s.queue.peek()
	}
}

// fillAll hands queued tasks to every worker with room.
func (s *State) fillAll() {
	for _, w := range s.wlist {
		if s.queue.Len() == 0 {
			return
		}
		s.fillWorker(w)
	}
}

// reasonAllPaused is why a task waits while every worker is paused (or
// retiring). That passes on its own, so clients are not warned per task.
const reasonAllPaused = "every worker is paused or retiring"

// validWorkers returns the workers that may run t, or nil for "any running
// worker". The second result is false when no connected worker may, with a
// reason.
func (s *State) validWorkers(t *Task) ([]*Worker, bool, string) {
	spec := t.Spec
	if spec == nil || (len(spec.Resources) == 0 && len(spec.Workers) == 0) {
		for _, w := range s.wlist {
			if w.Status == Running {
				return nil, true, ""
			}
		}
		if len(s.wlist) == 0 {
			return nil, false, "no workers are connected"
		}
		return nil, false, reasonAllPaused
	}
	var out []*Worker
	if len(spec.Workers) > 0 {
		for _, w := range s.wlist {
			if w.Status == Running && matchesWorker(w, spec.Workers) && w.fits(spec.Resources) {
				out = append(out, w)
			}
		}
		if len(out) > 0 || !spec.AllowOtherWorkers {
			if len(out) == 0 {
				return nil, false, fmt.Sprintf("restricted to workers %s, none of which is connected and running with the resources it needs", strings.Join(spec.Workers, ", "))
			}
			return out, true, ""
		}
	}
	for _, w := range s.wlist {
		if w.Status == Running && w.fits(spec.Resources) {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return nil, false, fmt.Sprintf("needs resources %s, which no running worker supplies (workers declare them with --resources)", units.FormatResources(spec.Resources))
	}
	return out, true, ""
}

func matchesWorker(w *Worker, names []string) bool {
	for _, n := range names {
		if n == w.ID || n == w.Address || (w.Name != "" && n == w.Name) {
			return true
		}
	}
	return false
}

// decideWorker picks the worker where t would start soonest: the least
// estimated wait (occupancy per thread) plus the time to fetch the bytes
// of its dependencies that worker lacks. An input that a worker is about
// to fetch for another task it processes counts as held there (see
// countFetching).
func (s *State) decideWorker(t *Task) (*Worker, string) {
	valid, ok, reason := s.validWorkers(t)
	if !ok {
		return nil, reason
	}
	candidates := valid
	nHolders := -1 // candidates[:nHolders] hold inputs; the rest are extras
	var dur float64
	if candidates == nil {
		hs, running := s.holders(t)
		switch {
		case running:
			candidates = hs
			if d, ok := s.measuredDuration(t); ok && len(s.idle) > 0 && allBusy(hs) {
				// Every holder's threads are taken: weigh idle workers too,
				// as stealing would a tick later (see offload).
				nHolders, dur = len(hs), d
				candidates = s.sampled(hs) // the idle set, not empty here
			}
		case len(s.wlist) > manyWorkers:
			candidates = s.sampled(hs)
		default:
			candidates = s.wlist
		}
	}
	// What each worker holds of t's inputs, in one pass over their
	// holders: weighing a candidate is then O(1), not O(inputs).
	s.heldMarks++
	var total int64
	for _, d := range t.deps {
		total += d.NBytes
		s.visits += uint64(len(d.whoHas))
		for _, w := range d.whoHas {
			if w.heldMark != s.heldMarks {
				w.heldMark, w.held = s.heldMarks, 0
			}
			w.held += d.NBytes
		}
		s.countFetching(t, d)
	}
	var best, holder *Worker
	var bestCost, bestComm float64
	var bestBytes int64
	holderComm := float64(total)
	n := len(candidates)
	bw := s.Bandwidth()
	for i := 0; i < n; i++ {
		// Start at a rotating offset so that ties spread over workers.
		j := (s.rr + i) % n
		w := candidates[j]
		s.visits++
		lacks := total
		if w.heldMark == s.heldMarks {
			lacks -= w.held
		}
		comm := float64(lacks)
		if w.Status == Paused && comm < holderComm {
			holder, holderComm = w, comm
		}
		if w.Status != Running {
			continue
		}
		if nHolders >= 0 && j >= nHolders && !offload(w, comm, bw, dur) {
			continue
		}
		cost := w.occupancy/float64(max(w.NThreads, 1)) + comm/bw
		if best == nil || cost < bestCost || (cost == bestCost && (comm < bestComm || (comm == bestComm && w.nbytes < bestBytes))) {
			best, bestCost, bestComm, bestBytes = w, cost, comm, w.nbytes
		}
	}
	s.rr++
	if best == nil {
		return nil, reasonAllPaused
	}
	if holder != nil && s.now.Sub(holder.pausedAt) < pausedPatience &&
		(bestComm-holderComm)/bw > stealCostRatio*s.estimate(t) {
		// A paused worker holds what the best running one would fetch, at
		// more than half the task's run time: the task waits there for it
		// to resume (see pause.go).
		return holder, ""
	}
	return best, ""
}

// measuredDuration is the mean duration of t's kind, in seconds, once
// one of them has finished: what moving t away from its inputs is weighed
// against (see offload). The configured guess for unknown kinds is not
// enough: a kind's first tasks (a shuffle's Transfers, whose inputs the
// shuffle has just spread over the workers) stay with their inputs.
func (s *State) measuredDuration(t *Task) (float64, bool) {
	if t.group == nil {
		return 0, false
	}
	return t.group.Duration()
}

// allBusy reports whether no worker of ws is in the idle set (running,
// with a free thread; see noteIdle).
func allBusy(ws []*Worker) bool {
	for _, w := range ws {
		if w.idleAt != 0 {
			return false
		}
	}
	return true
}

// offload reports whether w, a worker that holds none of t's inputs
// (sampled from the idle ones), may be given a task whose inputs it lacks
// comm bytes of, when every holder's threads are taken: on the terms work
// stealing moves a task on (the fetch at most stealCostRatio of the
// task's duration dur, and room for the inputs in w's memory; see
// roomFor). Placement then does at once what stealing would do at its
// next look, a tick later, when each wave of a shuffle on 10,000 workers
// queued on its inputs' holders (scheduler/sim; bench/README.md has the
// figures).
func offload(w *Worker, comm, bandwidth, dur float64) bool {
	return comm/bandwidth <= stealCostRatio*dur && roomFor(w, comm)
}

// fetchLook is how many dependents an input may have for countFetching
// to look at them: inputs read by a few tasks only. With more (a
// shuffle's groups of 8 in scheduler/sim), piling a group's tasks onto
// the worker that fetches their inputs cost more parallelism than it
// saved in transfers (its makespan 2.36x the bound became 2.70x).
const fetchLook = 4

// countFetching counts d, an input of t, as held (in the held marks of
// decideWorker's pass) by each worker that lacks it but processes
// another of its dependents: that worker fetches it anyway, so t placed
// there moves no more bytes. Two tasks that read the same two inputs,
// held by different workers and ready at once (the blocks (i, j) and
// (j, i) of an array's x + x.T), are then placed together: one transfer
// instead of one each. Only inputs of at most fetchLook dependents are
// looked at.
func (s *State) countFetching(t, d *Task) {
	if len(d.dependents) > fetchLook {
		return
	}
	var seen [fetchLook]*Worker
	n := 0
	s.visits += uint64(len(d.dependents))
next:
	for _, u := range d.dependents {
		w := u.processingOn
		if u == t || u.State != Processing || w == nil {
			continue
		}
		for _, h := range d.whoHas {
			if h == w {
				continue next
			}
		}
		for _, x := range seen[:n] {
			if x == w {
				continue next
			}
		}
		seen[n] = w
		n++
		if w.heldMark != s.heldMarks {
			w.heldMark, w.held = s.heldMarks, 0
		}
		w.held += d.NBytes
	}
}

// estimate is the expected duration of t in seconds.
func (s *State) estimate(t *Task) float64 {
	if t.group != nil {
		if d, ok := t.group.Duration(); ok {
			return d
		}
	}
	return s.cfg.UnknownDuration.Seconds()
}

// stall tells the clients that t cannot run now, once.
func (s *State) stall(t *Task, reason string) {
	if t.stalled {
		return
	}
	t.stalled = true
	for _, c := range s.clientList() {
		s.emit(&KeyStalled{Client: c.ID, Key: t.Key, Reason: reason})
	}
}

func (s *State) clientList() []*Client {
	out := make([]*Client, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// retryUnrunnable tries to place the tasks no worker could run, after the
// set of workers changed.
func (s *State) retryUnrunnable() {
	if len(s.unrunnable) == 0 {
		return
	}
	ts := make([]*Task, 0, len(s.unrunnable))
	for t := range s.unrunnable {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].prio.Less(ts[j].prio) })
	for _, t := range ts {
		if _, ok, _ := s.validWorkers(t); ok {
			s.recommend(t, Processing)
		}
	}
}
