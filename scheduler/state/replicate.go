package state

import (
	"slices"

	"github.com/dusk-go/dusk/graph"
)

// ReplicasRequested: a client asked for each of Keys in memory to be held
// by N workers (at most the running workers).
type ReplicasRequested struct {
	At
	Keys []graph.Key
	N    int
}

// RebalanceRequested: a client asked for the workers' memory to be evened
// out by moving Keys (every key in memory when empty) from workers above
// the mean to workers below it.
type RebalanceRequested struct {
	At
	Keys []graph.Key
}

func (e *ReplicasRequested) stimulus() (EventKind, string)  { return KindReplicasRequested, "" }
func (e *RebalanceRequested) stimulus() (EventKind, string) { return KindRebalanceRequested, "" }

// move is a key on its way from one worker to another (Rebalance): once
// the receiver has it, the sender's copy is dropped.
type relocation struct{ from, to *Worker }

func (s *State) running() []*Worker {
	var out []*Worker
	for _, w := range s.wlist {
		if w.Status == Running {
			out = append(out, w)
		}
	}
	return out
}

// acquire asks each target worker to fetch its keys, in the order the
// workers joined.
func (s *State) acquire(byTarget map[*Worker][]DepLocation) {
	for _, w := range s.wlist {
		if deps := byTarget[w]; len(deps) > 0 {
			s.emit(&Acquire{Worker: w.ID, Deps: deps})
		}
	}
}

func (s *State) handleReplicas(e *ReplicasRequested) {
	running := s.running()
	want := min(e.N, len(running))
	planned := map[*Worker]int64{}
	byTarget := map[*Worker][]DepLocation{}
	keys := slices.Clone(e.Keys)
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		t := s.tasks[k]
		if t == nil || t.State != Memory {
			continue
		}
		need := want - len(t.whoHas)
		if need <= 0 {
			continue
		}
		var cands []*Worker
		for _, w := range running {
			if !t.holdsOn(w) {
				cands = append(cands, w)
			}
		}
		slices.SortStableFunc(cands, func(a, b *Worker) int {
			return cmpInt64(a.nbytes+planned[a], b.nbytes+planned[b])
		})
		for _, w := range cands[:min(need, len(cands))] {
			planned[w] += t.NBytes
			byTarget[w] = append(byTarget[w], DepLocation{Key: t.Key, NBytes: t.NBytes, Workers: t.WhoHas()})
		}
	}
	s.acquire(byTarget)
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *State) handleRebalance(e *RebalanceRequested) {
	running := s.running()
	if len(running) < 2 {
		return
	}
	var only map[*Task]bool
	if len(e.Keys) > 0 {
		only = make(map[*Task]bool, len(e.Keys))
		for _, k := range e.Keys {
			if t := s.tasks[k]; t != nil {
				only[t] = true
			}
		}
	}
	load := make(map[*Worker]int64, len(running))
	var total int64
	for _, w := range running {
		load[w] = w.nbytes
		total += w.nbytes
	}
	mean := total / int64(len(running))
	senders := slices.Clone(running)
	slices.SortStableFunc(senders, func(a, b *Worker) int { return cmpInt64(load[b], load[a]) })
	byTarget := map[*Worker][]DepLocation{}
	for _, from := range senders {
		if load[from] <= mean {
			break
		}
		ts := sortedList(from.has)
		slices.SortStableFunc(ts, func(a, b *Task) int { return cmpInt64(b.NBytes, a.NBytes) })
		for _, t := range ts {
			if load[from] <= mean {
				break
			}
			if t.State != Memory || (only != nil && !only[t]) || s.moving[t] != (relocation{}) || s.usedOn(t, from) {
				continue
			}
			var to *Worker
			for _, w := range running {
				if w != from && !t.holdsOn(w) && (to == nil || load[w] < load[to]) {
					to = w
				}
			}
			// Move only when the receiver ends no fuller than the sender.
			if to == nil || load[to]+t.NBytes > load[from]-t.NBytes {
				continue
			}
			if s.moving == nil {
				s.moving = map[*Task]relocation{}
			}
			s.moving[t] = relocation{from: from, to: to}
			load[from] -= t.NBytes
			load[to] += t.NBytes
			byTarget[to] = append(byTarget[to], DepLocation{Key: t.Key, NBytes: t.NBytes, Workers: []string{from.ID}})
		}
	}
	s.acquire(byTarget)
}

// usedOn reports whether a task assigned to w needs t: its copy there
// must stay.
func (s *State) usedOn(t *Task, w *Worker) bool {
	for _, d := range t.dependents {
		if d.State == Processing && d.processingOn == w {
			return true
		}
	}
	return false
}

// moved drops the sender's copy of t once the receiver w of a move has it.
func (s *State) moved(t *Task, w *Worker) {
	m, ok := s.moving[t]
	if !ok || m.to != w {
		return
	}
	delete(s.moving, t)
	if t.holdsOn(m.from) && len(t.whoHas) > 1 && !s.usedOn(t, m.from) {
		t.removeHolder(m.from)
		s.emit(&Free{Worker: m.from.ID, Keys: []graph.Key{t.Key}})
	}
}

// dropMoves forgets the moves from or to w.
func (s *State) dropMoves(w *Worker) {
	for x, m := range s.moving {
		if m.from == w || m.to == w {
			delete(s.moving, x)
		}
	}
}

// Moving returns how many keys Rebalance is moving, and their bytes.
func (s *State) Moving() (int, int64) {
	var n int64
	for t := range s.moving {
		n += t.NBytes
	}
	return len(s.moving), n
}

// Replicas returns how many workers hold each key in memory.
func (s *State) Replicas(keys []graph.Key) map[graph.Key]int {
	out := make(map[graph.Key]int, len(keys))
	for _, k := range keys {
		if t := s.tasks[k]; t != nil && t.State == Memory {
			out[k] = len(t.whoHas)
		}
	}
	return out
}

// Running returns how many workers take work.
func (s *State) Running() int { return len(s.running()) }
