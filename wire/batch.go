package wire

import (
	"context"
	"sync"
)

// Batcher collects what many goroutines want to send on one stream into a
// batch message of type B, and hands batches to one sender: whatever
// accumulated while the previous batch was being sent goes out together.
// It never blocks a producer.
type Batcher[B any] struct {
	mu     sync.Mutex // protects cur, dirty and closed
	cur    *B
	dirty  bool
	closed bool
	wake   chan struct{}
}

// NewBatcher returns an empty batcher.
func NewBatcher[B any]() *Batcher[B] {
	return &Batcher[B]{cur: new(B), wake: make(chan struct{}, 1)}
}

// Edit adds to the pending batch: f changes it, holding the batcher's lock.
// It reports false, without calling f, if the batcher is closed.
func (o *Batcher[B]) Edit(f func(b *B)) bool {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return false
	}
	f(o.cur)
	o.dirty = true
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return true
}

// Close stops the batcher; Run returns after sending what is pending.
func (o *Batcher[B]) Close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run sends batches with send until ctx ends, the batcher is closed and
// drained, or send fails. Each batch is a fresh value: send may keep it.
func (o *Batcher[B]) Run(ctx context.Context, send func(*B) error) error {
	for {
		o.mu.Lock()
		batch, dirty, closed := o.cur, o.dirty, o.closed
		if dirty {
			o.cur, o.dirty = new(B), false
		}
		o.mu.Unlock()
		if dirty {
			if err := send(batch); err != nil {
				return err
			}
			continue
		}
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
