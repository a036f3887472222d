package state

import (
	"slices"
)

// stealCostRatio: a task is moved only when fetching its missing
// dependencies takes less than this share of its expected run time.
const stealCostRatio = 0.5

// steal moves tasks that have not started from workers with more work than
// threads to idle workers, when the bytes the thief lacks are cheap to move
// against the task's expected duration. The victim must agree (the task
// may have started meanwhile): see handleStealReplied.
func (s *State) steal() {
	pending := make(map[*Worker]int, len(s.stealing))
	for _, thief := range s.stealing {
		pending[thief]++
	}
	room := func(w *Worker) int { return w.NThreads - len(w.processing) - pending[w] }
	bw := s.Bandwidth()
	var thieves []*Worker
	for _, w := range s.wlist {
		if w.Status == Running && room(w) > 0 {
			thieves = append(thieves, w)
		}
	}
	if len(thieves) == 0 {
		return
	}
	var victims []*Worker
	for _, w := range s.wlist {
		if len(w.processing) > w.NThreads {
			victims = append(victims, w)
		}
	}
	slices.SortFunc(victims, func(a, b *Worker) int {
		la, lb := a.occupancy/float64(a.NThreads), b.occupancy/float64(b.NThreads)
		switch {
		case la > lb:
			return -1
		case la < lb:
			return 1
		}
		return 0
	})
	for _, v := range victims {
		excess := len(v.processing) - v.NThreads
		cands := make([]*Task, 0, len(v.processing))
		for _, t := range v.processing {
			if _, asked := s.stealing[t]; asked || t.executing || t.speculative || t.restricted() {
				continue
			}
			cands = append(cands, t)
		}
		// The tasks that would run last are the ones to move.
		sortByPriority(cands)
		slices.Reverse(cands)
		for _, t := range cands {
			if excess <= 0 {
				break
			}
			var best *Worker
			bestCost := 0.0
			for _, w := range thieves {
				if room(w) <= 0 {
					continue
				}
				comm := 0.0
				s.visits += uint64(len(t.deps))
				for _, d := range t.deps {
					if !d.holdsOn(w) {
						comm += float64(d.NBytes)
					}
				}
				if !roomFor(w, comm) {
					continue
				}
				cost := comm / bw
				if best == nil || cost < bestCost {
					best, bestCost = w, cost
				}
			}
			if best == nil {
				return
			}
			if bestCost > stealCostRatio*s.estimate(t) {
				continue
			}
			s.stealing[t] = best
			pending[best]++
			excess--
			s.emit(&Steal{Worker: v.ID, Key: t.Key})
		}
	}
}

func (s *State) handleStealReplied(e *StealReplied) {
	t := s.tasks[e.Key]
	if t == nil {
		return
	}
	thief, ok := s.stealing[t]
	delete(s.stealing, t)
	if !ok || !e.Stolen {
		return
	}
	if t.State != Processing || t.processingOn == nil || t.processingOn.ID != e.Worker {
		return
	}
	victim := t.processingOn
	if thief != nil && (s.workers[thief.ID] != thief || thief.Status != Running) {
		// The thief is gone or no longer running.
		thief = nil
	}
	// With no thief (the victim paused) the task is placed afresh. Its
	// inputs stay where they are; releasing it would release them too when
	// nothing else wants them.
	s.transition(t, Processing, thief)
	s.fillWorker(victim)
}

// roomFor reports whether thief w can take in bytes of inputs without
// going past half its memory limit: a thief that would have to spill what
// it fetched (or spill others to make room) gains nothing over the victim,
// which reads the inputs from its own memory or disk anyway. Workers out of
// core would otherwise trade their data back and forth.
func roomFor(w *Worker, bytes float64) bool {
	return bytes == 0 || w.MemoryLimit <= 0 || float64(w.Metrics.Managed)+bytes <= float64(w.MemoryLimit)/2
}
