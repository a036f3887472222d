package worker

import (
	"math"
	"sync"
	"time"
)

// minRateFetch is the fewest bytes a fetch must bring for its rate to
// count: below a megabyte a fetch's time is mostly the round trip, as in
// Dask's worker.
const minRateFetch = 1 << 20

// rateWeight is the weight of each new fetch in the moving average.
const rateWeight = 0.1

// fetchRate is the bytes per second the worker's fetches from peers
// reached lately: a moving average over fetches of at least minRateFetch
// bytes, reported in heartbeats so that the scheduler weighs transfers
// against compute with what this cluster's network does rather than a
// configured guess (scheduler.bandwidth). Fetches run concurrently.
type fetchRate struct {
	mu   sync.Mutex
	rate float64 // 0 until the first fetch that counts
}

// add takes a fetch of n bytes that took d into the average.
func (r *fetchRate) add(n int64, d time.Duration) {
	if n < minRateFetch || d <= 0 {
		return
	}
	x := float64(n) / d.Seconds()
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rate == 0 {
		r.rate = x
		return
	}
	r.rate += rateWeight * (x - r.rate)
}

// get returns the average (0: none yet).
func (r *fetchRate) get() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rate
}
