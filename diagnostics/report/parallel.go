package report

import (
	"maps"
	"slices"
	"time"
)

// span is one task run on a worker.
type span struct {
	worker      string
	start, stop time.Time
}

// parallel returns how many of the runs ran at once on average while any
// did, on the worker where that was most, and that worker: the runs' time
// summed over the time covered by at least one of them.
func parallel(runs []span) (float64, string) {
	byWorker := map[string][]span{}
	for _, r := range runs {
		byWorker[r.worker] = append(byWorker[r.worker], r)
	}
	best, bestWorker := 0.0, ""
	for _, w := range slices.Sorted(maps.Keys(byWorker)) {
		rs := byWorker[w]
		slices.SortFunc(rs, func(a, b span) int { return a.start.Compare(b.start) })
		var busy, covered time.Duration
		var end time.Time
		for _, r := range rs {
			busy += r.stop.Sub(r.start)
			switch {
			case end.IsZero() || !r.start.Before(end):
				covered += r.stop.Sub(r.start)
				end = r.stop
			case r.stop.After(end):
				covered += r.stop.Sub(end)
				end = r.stop
			}
		}
		if covered > 0 {
			if p := float64(busy) / float64(covered); p > best {
				best, bestWorker = p, w
			}
		}
	}
	return best, bestWorker
}
