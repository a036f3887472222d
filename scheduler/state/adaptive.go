package state

import (
	"math"
	"slices"
	"time"
)

// Scaling is the core's recommendation for the size of the cluster, which
// an adaptive launcher carries out (Dask's adaptive_target and
// workers_to_close): start workers up to Target, or retire the workers in
// Close.
type Scaling struct {
	// Target is how many workers the work wants now.
	Target int
	// Close lists the workers to retire when Target is below the workers
	// there are: idle ones, those holding the least data first, as many as
	// can leave while the others keep room for the data (their memory
	// limits at least twice what is held). It may be shorter than the
	// difference: a busy worker is never named.
	Close []string
}

// scalingSample bounds how many queued tasks are looked at one by one; the
// rest are counted as their average.
const scalingSample = 100

// memoryHigh is the share of the workers' memory limits held in data past
// which more workers are wanted; memoryRoom is how many times the data the
// workers that stay must be able to hold.
const (
	memoryHigh = 0.6
	memoryRoom = 2
)

// Scaling returns how many workers the work wants, for it to take about
// targetDuration: the expected seconds of the tasks running and queued
// (each by its group's average duration) over targetDuration, in workers
// of the average thread count; never more than there are tasks to run; at
// least one while anything waits; twice the workers while their data fills
// more than 60% of their memory. Retiring workers are not counted: they
// are leaving.
func (s *State) Scaling(targetDuration time.Duration) Scaling {
	target := max(targetDuration.Seconds(), 1e-3)
	var live []*Worker
	threads := 0
	var limit, held int64
	occupancy := 0.0
	running := 0
	for _, w := range s.wlist {
		if w.Status == Retiring {
			continue
		}
		live = append(live, w)
		threads += w.NThreads
		limit += w.MemoryLimit
		held += w.nbytes
		occupancy += w.occupancy
		running += len(w.processing)
	}

	// The queued and unrunnable tasks: a sample's expected durations,
	// scaled to all of them.
	waiting := s.queue.Len() + len(s.unrunnable)
	queued, seen := 0.0, 0
	s.queue.each(func(t *Task) bool {
		if seen == scalingSample {
			return false
		}
		queued += s.estimate(t)
		seen++
		return true
	})
	for t := range s.unrunnable {
		if seen == scalingSample {
			break
		}
		queued += s.estimate(t)
		seen++
	}
	if seen > 0 && waiting > seen {
		queued *= float64(waiting) / float64(seen)
	}
	cpu := int(math.Ceil((occupancy + queued) / target))
	// A few long tasks do not ask for many threads.
	cpu = min(cpu, waiting+running)
	if threads > 0 && len(live) > 0 {
		cpu = int(math.Ceil(float64(cpu) / float64(threads) * float64(len(live))))
	}
	if waiting > 0 && len(live) == 0 {
		cpu = max(cpu, 1)
	}
	mem := 0
	if limit > 0 && float64(held) > memoryHigh*float64(limit) {
		mem = 2 * len(live)
	}
	want := max(cpu, mem)
	if want >= len(live) {
		return Scaling{Target: want}
	}
	closing := s.toClose(live, len(live)-want, limit, held)
	return Scaling{Target: len(live) - len(closing), Close: closing}
}

// toClose picks up to n idle workers of live to retire, those holding the
// least data first, while the rest keep memoryRoom times the data held.
func (s *State) toClose(live []*Worker, n int, limit, held int64) []string {
	idle := make([]*Worker, 0, len(live))
	for _, w := range live {
		if len(w.processing) == 0 {
			idle = append(idle, w)
		}
	}
	slices.SortStableFunc(idle, func(a, b *Worker) int {
		switch {
		case a.nbytes < b.nbytes:
			return -1
		case a.nbytes > b.nbytes:
			return 1
		}
		return 0
	})
	var out []string
	for _, w := range idle {
		if len(out) == n || held > 0 && len(out) == len(live)-1 {
			break // someone must keep the data
		}
		rest := limit - w.MemoryLimit
		if limit > 0 && float64(rest) < memoryRoom*float64(held) {
			break
		}
		limit = rest
		out = append(out, w.ID)
	}
	return out
}

// WorkersToClose names up to n idle workers to retire (not retiring
// already), those holding the least data first, while the others keep
// room for the data; Scale uses it to shrink a cluster to a given size.
func (s *State) WorkersToClose(n int) []string {
	var live []*Worker
	var limit, held int64
	for _, w := range s.wlist {
		if w.Status != Retiring {
			live = append(live, w)
			limit += w.MemoryLimit
			held += w.nbytes
		}
	}
	return s.toClose(live, n, limit, held)
}
