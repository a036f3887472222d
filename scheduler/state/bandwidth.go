package state

// The bandwidth placement, stealing and pauses weigh transfers against is
// measured, as Dask's scheduler does: each worker reports in its
// heartbeats the rate its fetches from peers reached lately (an average
// over fetches of at least a megabyte; see Heartbeat.Bandwidth), and the
// state uses the mean of the connected workers' reports. Config.Bandwidth
// (scheduler.bandwidth) stands in until a worker has reported one. A
// guess that is ten times too low (100 MB/s on a cluster whose workers
// fetch at 1 GB/s, scheduler/sim's) keeps a task on its inputs' busy
// holders where an idle worker would have fetched them in a tenth of its
// run time: the simulator's shuffle on 10,000 workers ended at 1.34x of
// its bound for it.

// Bandwidth is the bytes per second the state expects a transfer between
// workers to reach: the mean of what the workers measured, or the
// configured guess until one has.
func (s *State) Bandwidth() float64 {
	if s.bwCount > 0 {
		return s.bwSum / float64(s.bwCount)
	}
	return s.cfg.Bandwidth
}

// noteBandwidth replaces w's contribution to the mean (its last
// heartbeat's figure, Metrics.Bandwidth) with bw (bytes per second; 0:
// none, as for a worker that left).
func (s *State) noteBandwidth(w *Worker, bw float64) {
	if old := w.Metrics.Bandwidth; old > 0 {
		s.bwSum -= old
		s.bwCount--
	}
	bw = max(bw, 0)
	w.Metrics.Bandwidth = bw
	if bw > 0 {
		s.bwSum += bw
		s.bwCount++
	}
	if s.bwCount == 0 {
		s.bwSum = 0 // no rounding left behind
	}
}
