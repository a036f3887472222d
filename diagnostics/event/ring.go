package event

import (
	"context"
	"sync"
)

// Ring keeps the most recent events in a fixed amount of memory and hands
// new ones to subscribers. It is safe for concurrent use.
type Ring struct {
	mu   sync.Mutex // protects the fields below
	buf  []Event
	next int    // index of the slot the next event goes to
	n    uint64 // events ever added
	subs map[*sub]struct{}
}

type sub struct {
	ch      chan []Event
	dropped uint64
}

// NewRing returns a ring that holds the last capacity events.
func NewRing(capacity int) *Ring {
	if capacity < 1 {
		capacity = 1
	}
	return &Ring{buf: make([]Event, 0, capacity), subs: make(map[*sub]struct{})}
}

// Add appends events, overwriting the oldest when the ring is full, and
// sends them to every subscriber. A subscriber that does not keep up loses
// batches rather than slowing the caller (the scheduler); Subscribe's
// channel says how many it lost.
func (r *Ring) Add(evs ...Event) {
	if len(evs) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range evs {
		if len(r.buf) < cap(r.buf) {
			r.buf = append(r.buf, e)
		} else {
			r.buf[r.next] = e
		}
		r.next = (r.next + 1) % cap(r.buf)
	}
	r.n += uint64(len(evs))
	if len(r.subs) == 0 {
		return
	}
	batch := append([]Event(nil), evs...)
	for s := range r.subs {
		select {
		case s.ch <- batch:
		default:
			s.dropped += uint64(len(batch))
		}
	}
}

// Snapshot returns the events the ring holds, oldest first.
func (r *Ring) Snapshot() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Event, 0, len(r.buf))
	if len(r.buf) < cap(r.buf) {
		return append(out, r.buf...)
	}
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}

// Total returns how many events were ever added.
func (r *Ring) Total() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// Subscribe returns a channel that receives every batch of events added
// after the call, until ctx ends; then the channel is closed. buffer is how
// many batches may wait before batches are dropped for this subscriber.
func (r *Ring) Subscribe(ctx context.Context, buffer int) <-chan []Event {
	if buffer < 1 {
		buffer = 1
	}
	s := &sub{ch: make(chan []Event, buffer)}
	r.mu.Lock()
	r.subs[s] = struct{}{}
	r.mu.Unlock()
	out := make(chan []Event)
	go func() {
		defer close(out)
		defer func() {
			r.mu.Lock()
			delete(r.subs, s)
			r.mu.Unlock()
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case b := <-s.ch:
				select {
				case out <- b:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}
