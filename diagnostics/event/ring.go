package event

import (
	"context"
	"sync"
	"time"
)

// Sink receives events as they happen. Implementations must be cheap: the
// scheduler calls Add on its critical path.
type Sink interface {
	Add(Event)
}

// Ring keeps the most recent events in a fixed amount of memory. Adding an
// event costs a copy into a preallocated slot and nothing more, however
// many subscribers there are: subscribers read from the ring at their own
// pace and lose the oldest events if they fall behind by more than its
// capacity. It is safe for concurrent use.
type Ring struct {
	mu  sync.Mutex // protects buf and n
	buf []Event
	n   uint64 // events ever added; event i is in buf[i % cap]
}

// NewRing returns a ring that holds the last capacity events.
func NewRing(capacity int) *Ring {
	if capacity < 1 {
		capacity = 1
	}
	return &Ring{buf: make([]Event, capacity)}
}

// Add appends an event, overwriting the oldest when the ring is full.
func (r *Ring) Add(e Event) {
	r.mu.Lock()
	r.buf[r.n%uint64(len(r.buf))] = e
	r.n++
	r.mu.Unlock()
}

// AddAll appends events in order, as if each were added in turn: when
// they are more than the ring holds, only the last ones stay.
func (r *Ring) AddAll(evs ...Event) {
	r.mu.Lock()
	size := uint64(len(r.buf))
	if extra := uint64(len(evs)); extra > size {
		r.n += extra - size
		evs = evs[extra-size:]
	}
	for len(evs) > 0 {
		k := copy(r.buf[r.n%size:], evs)
		r.n += uint64(k)
		evs = evs[k:]
	}
	r.mu.Unlock()
}

// Total returns how many events were ever added; it is the sequence number
// the next event will have.
func (r *Ring) Total() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// Since returns the events with sequence numbers from seq on (at most max
// of them, 0 for no limit), the sequence number to ask for next, and how
// many events after seq were already overwritten.
func (r *Ring) Since(seq uint64, max int) (evs []Event, next, lost uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	from, end, lost := r.span(seq, max)
	if end > from {
		evs = make([]Event, 0, end-from)
	}
	for i := from; i < end; i++ {
		evs = append(evs, r.buf[i%uint64(len(r.buf))])
	}
	return evs, end, lost
}

// Read calls fn with each event with a sequence number from seq on (at
// most max of them, 0 for no limit), in order, where the ring holds it,
// and returns the sequence number to ask for next and how many events
// after seq were already overwritten. It is Since without the copy of
// every event, for a reader that keeps a few fields of each: fn runs
// with the ring locked, so it must be quick, must not keep the pointer,
// and must not add to the ring (the scheduler waits to add while it
// runs: read in batches of a few thousand).
func (r *Ring) Read(seq uint64, max int, fn func(*Event)) (next, lost uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	from, end, lost := r.span(seq, max)
	for i := from; i < end; i++ {
		fn(&r.buf[i%uint64(len(r.buf))])
	}
	return end, lost
}

// span returns the sequence numbers [from, end) of the events from seq
// on that the ring still holds, at most max of them (0: no limit), and
// how many after seq were overwritten; r.mu is held.
func (r *Ring) span(seq uint64, max int) (from, end, lost uint64) {
	oldest := uint64(0)
	if r.n > uint64(len(r.buf)) {
		oldest = r.n - uint64(len(r.buf))
	}
	if seq < oldest {
		lost = oldest - seq
		seq = oldest
	}
	end = r.n
	if max > 0 && end-seq > uint64(max) {
		end = seq + uint64(max)
	}
	if seq >= end {
		return seq, seq, lost
	}
	return seq, end, lost
}

// Snapshot returns the events the ring holds, oldest first.
func (r *Ring) Snapshot() []Event {
	evs, _, _ := r.Since(0, 0)
	return evs
}

// Subscribe returns a channel that receives, every interval, the batch of
// events added since the last one (from the moment of the call), until ctx
// ends; then the channel is closed. A subscriber that falls behind by
// more than the ring's capacity skips the lost events.
func (r *Ring) Subscribe(ctx context.Context, interval time.Duration) <-chan []Event {
	if interval <= 0 {
		interval = 50 * time.Millisecond
	}
	out := make(chan []Event)
	seq := r.Total()
	go func() {
		defer close(out)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			evs, next, _ := r.Since(seq, 0)
			seq = next
			if len(evs) == 0 {
				continue
			}
			select {
			case out <- evs:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
