package state

import (
	"fmt"
	"slices"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/graph"
)

func (s *State) handleWorkerAdded(e *WorkerAdded) {
	if _, ok := s.workers[e.ID]; ok {
		return
	}
	w := &Worker{
		ID: e.ID, Address: e.Address, Name: e.Name, NThreads: max(e.NThreads, 1),
		Resources: e.Resources, MemoryLimit: e.MemoryLimit,
		lastSeen: s.now, alone: []string{e.ID},
	}
	s.workers[e.ID] = w
	s.wlist = append(s.wlist, w)
	s.noteIdle(w)
	s.totalThreads += w.NThreads
	if ev := s.newEvent(event.WorkerAdded); ev != nil {
		ev.Worker, ev.Detail = w.ID, w.Address
	}
	s.adopt(w, e.Held)
	s.retryUnrunnable()
	s.fillWorker(w)
}

func (s *State) handleWorkerRemoved(e *WorkerRemoved) {
	w := s.workers[e.ID]
	if w == nil {
		return
	}
	delete(s.workers, e.ID)
	s.wlist = slices.DeleteFunc(s.wlist, func(x *Worker) bool { return x == w })
	s.noteIdle(w)
	s.noteBandwidth(w, 0)
	if s.moving != nil {
		s.dropMoves(w)
	}
	s.orphansOfRemoved(w)
	s.totalThreads -= w.NThreads
	if ev := s.newEvent(event.WorkerRemoved); ev != nil {
		ev.Worker, ev.Detail = w.ID, e.Reason
	}
	for t, thief := range s.stealing {
		if thief == w {
			delete(s.stealing, t)
		}
	}
	// Tasks it was running go elsewhere; a task that was executing when
	// its worker died is suspect, and erred after too many such deaths.
	for _, t := range sortedList(w.processing) {
		if t.State != Processing || t.processingOn != w {
			continue // taken back with a task it was to follow
		}
		killed := false
		if t.executing {
			t.suspicious++
			t.killedOn = append(t.killedOn, deathOf(w, e.Reason))
			killed = int(t.suspicious) > s.cfg.AllowedFailures
		}
		s.unassign(t)
		if killed {
			t.err = killedWorkerError(t)
			s.transition(t, Erred, nil)
		} else {
			s.transition(t, Released, nil)
		}
	}
	// Data only it held is lost: computed again if needed.
	for _, t := range sortedList(w.has) {
		t.removeHolder(w)
		if t.State == Memory && len(t.whoHas) == 0 {
			s.recommend(t, Released)
		}
	}
	w.processing = nil
	w.has = nil
	s.noteIdle(w)
	s.apply()
	s.fillAll()
}

// handleWorkerRetiring starts a graceful leave: the worker gets no new
// work, its unstarted tasks go elsewhere, and its data is copied to other
// workers before it is told to close.
func (s *State) handleWorkerRetiring(e *WorkerRetiring) {
	w := s.workers[e.ID]
	if w == nil {
		return
	}
	w.Status = Retiring
	s.noteIdle(w)
	for _, t := range sortedList(w.processing) {
		if !t.executing && t.State == Processing && t.processingOn == w {
			s.transition(t, Released, nil)
		}
	}
	s.apply()
	s.checkRetiring(w)
}

// checkRetiring copies what no staying worker holds to other workers, and
// lets w go when nothing is left to copy or run. A copy on another
// retiring worker does not count: both would leave counting on the other.
func (s *State) checkRetiring(w *Worker) {
	if w.Status != Retiring {
		return
	}
	if len(w.processing) > 0 {
		return
	}
	byTarget := map[*Worker][]DepLocation{}
	for _, t := range sortedList(w.has) {
		if keptByAStayer(t, w) || !t.needed() && t.liveDependents() == 0 {
			continue
		}
		target := s.leastLoaded(w)
		if target == nil {
			break
		}
		byTarget[target] = append(byTarget[target], DepLocation{Key: t.Key, NBytes: t.NBytes, Workers: []string{w.ID}})
	}
	if len(byTarget) == 0 {
		s.emit(&CloseWorker{Worker: w.ID, Reason: "retired"})
		return
	}
	for _, target := range s.wlist {
		if deps := byTarget[target]; len(deps) > 0 {
			s.emit(&Acquire{Worker: target.ID, Deps: deps})
		}
	}
}

// keptByAStayer reports whether a worker other than w that is not
// retiring holds t's data.
func keptByAStayer(t *Task, w *Worker) bool {
	for _, h := range t.whoHas {
		if h != w && h.Status != Retiring {
			return true
		}
	}
	return false
}

func (s *State) leastLoaded(except *Worker) *Worker {
	var best *Worker
	for _, w := range s.wlist {
		if w == except || w.Status != Running {
			continue
		}
		if best == nil || w.nbytes < best.nbytes {
			best = w
		}
	}
	return best
}

func (s *State) handleHeartbeat(e *Heartbeat) {
	w := s.workers[e.Worker]
	if w == nil {
		return
	}
	w.lastSeen = s.now
	s.noteBandwidth(w, e.Bandwidth) // before Metrics, which holds the old figure
	w.Metrics = *e
	w.Metrics.Bandwidth = max(e.Bandwidth, 0)
	switch {
	case e.Paused && w.Status == Running:
		s.pauseWorker(w)
	case !e.Paused && w.Status == Paused:
		s.resumeWorker(w)
	}
	if ev := s.newEvent(event.WorkerSample); ev != nil {
		ev.Worker = w.ID
		ev.Memory = &event.MemorySample{
			Managed: e.Managed, Unmanaged: e.Unmanaged, UnmanagedRecent: e.UnmanagedRecent, Spilled: e.Spilled, Limit: w.MemoryLimit,
			CPU: e.CPU, Executing: e.Executing, Ready: e.Ready, Paused: e.Paused,
			BytesIn: e.BytesIn, BytesOut: e.BytesOut, Procs: e.Procs,
		}
	}
}

func (s *State) handleTick(e *Tick) {
	if s.cfg.WorkerTTL > 0 {
		for _, w := range slices.Clone(s.wlist) {
			if s.now.Sub(w.lastSeen) > s.cfg.WorkerTTL {
				reason := fmt.Sprintf("no heartbeat for %s (worker-ttl %s)", s.now.Sub(w.lastSeen).Round(1e6), s.cfg.WorkerTTL)
				s.handleWorkerRemoved(&WorkerRemoved{At: e.At, ID: w.ID, Reason: reason})
				s.emit(&DropWorker{Worker: w.ID, Reason: reason})
			}
		}
	}
	s.expireOrphans()
	s.expireSaved()
	if s.cfg.WorkStealing && s.now.Sub(s.lastSteal) >= s.cfg.StealInterval {
		s.lastSteal = s.now
		s.steal()
	}
	for _, w := range s.wlist {
		switch w.Status {
		case Retiring:
			s.checkRetiring(w)
		case Paused:
			s.moveOffPaused(w)
		}
	}
}

// handleRestarted drops every task: clients hear their futures were
// cancelled; the workers are being replaced by the shell. The links
// between tasks, clients and workers are cut first, so that each task then
// goes to forgotten through the table without telling anyone anything.
func (s *State) handleRestarted(e *Restarted) {
	reason := "the cluster restarted"
	if e.Reason != "" {
		reason = e.Reason
	}
	s.coordRestarted()
	for _, c := range s.clientList() {
		keys := make([]graph.Key, 0, len(c.wants))
		for _, t := range c.wants {
			keys = append(keys, t.Key)
		}
		slices.Sort(keys)
		for _, k := range keys {
			s.emit(&KeyCancelled{Client: c.ID, Key: k, Reason: reason})
		}
		c.wants = nil
		c.parts = nil
	}
	ts := make([]*Task, 0, len(s.tasks))
	for _, t := range s.tasks {
		ts = append(ts, t)
		t.wantedBy, t.wantAt, t.whoHas, t.heldAt, t.processingOn = nil, nil, nil, nil, nil
		clear(t.deps) // it may share a block with other tasks' lists
		t.deps, t.dependents = nil, nil
		t.nWaiters, t.deadDependents, t.partHolds = 0, 0, 0
		t.queueAt = -1
	}
	s.queue = taskQueue{}
	clear(s.unrunnable)
	clear(s.stealing)
	for _, w := range s.wlist {
		clear(w.processing)
		w.processing = w.processing[:0]
		clear(w.has)
		w.has = w.has[:0]
		w.nbytes, w.occupancy = 0, 0
		s.noteIdle(w)
	}
	sortByPriority(ts)
	for _, t := range ts {
		if t.State != Released && t.State != Erred {
			s.transition(t, Released, nil)
		}
		s.transition(t, Forgotten, nil)
	}
	// Readers that count tasks by state may start again from here.
	if ev := s.newEvent(event.Reset); ev != nil {
		ev.Detail = reason
	}
	s.groups = make(map[string]*Group)
}
