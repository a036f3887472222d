package wire

import (
	"context"
	"sync"
)

// Outbox collects messages from many goroutines and hands them to one
// sender in batches: whatever accumulated while the previous batch was
// being sent goes out together. It never blocks a producer.
type Outbox[M any] struct {
	mu     sync.Mutex // protects buf and closed
	buf    []M
	closed bool
	wake   chan struct{}
}

// NewOutbox returns an empty outbox.
func NewOutbox[M any]() *Outbox[M] {
	return &Outbox[M]{wake: make(chan struct{}, 1)}
}

// Push adds messages. It reports false if the outbox is closed.
func (o *Outbox[M]) Push(ms ...M) bool {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return false
	}
	o.buf = append(o.buf, ms...)
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return true
}

// Close stops the outbox; Run returns after sending what is queued.
func (o *Outbox[M]) Close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run sends batches with send until ctx ends, the outbox is closed and
// drained, or send fails. send must not keep the slice it is given: it
// is reused for a later batch.
func (o *Outbox[M]) Run(ctx context.Context, send func([]M) error) error {
	var spare []M
	for {
		o.mu.Lock()
		batch := o.buf
		closed := o.closed
		o.buf = spare[:0]
		o.mu.Unlock()
		if len(batch) > 0 {
			if err := send(batch); err != nil {
				return err
			}
			clear(batch)
			if cap(batch) <= 1<<12 {
				spare = batch
			} else {
				spare = nil
			}
			continue
		}
		spare = batch
		if closed {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-o.wake:
		}
	}
}
