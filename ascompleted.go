package dusk

import (
	"context"
	"iter"
	"sync"
)

// Completed hands out futures in the order they finish (memory, erred or
// cancelled), Dask's as_completed: futures may be added while it is
// iterated, and Results gives each one's value or error (with_results).
// Iteration ends once every future added so far has been handed out; one
// added later starts a new iteration. It is safe for concurrent use.
type Completed[T any] struct {
	mu      sync.Mutex
	ready   []*Future[T]
	pending int
	wake    chan struct{} // closed and replaced when a future finishes or is added
}

// NewCompleted returns a Completed of fs.
func NewCompleted[T any](fs ...*Future[T]) *Completed[T] {
	ac := &Completed[T]{wake: make(chan struct{})}
	ac.Add(fs...)
	return ac
}

// Add adds futures; it may be called while another goroutine iterates.
func (ac *Completed[T]) Add(fs ...*Future[T]) {
	ac.mu.Lock()
	ac.pending += len(fs)
	ac.mu.Unlock()
	for _, f := range fs {
		f.onDone(func() {
			ac.mu.Lock()
			ac.ready = append(ac.ready, f)
			ac.pending--
			close(ac.wake)
			ac.wake = make(chan struct{})
			ac.mu.Unlock()
		})
	}
}

// Count returns how many futures are waiting or finished and not handed
// out yet.
func (ac *Completed[T]) Count() int {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	return ac.pending + len(ac.ready)
}

// Next returns the next future to finish. It returns false once every
// future added has been handed out; ctx's error if ctx ends first.
func (ac *Completed[T]) Next(ctx context.Context) (*Future[T], bool, error) {
	for {
		ac.mu.Lock()
		if len(ac.ready) > 0 {
			f := ac.ready[0]
			ac.ready[0] = nil
			ac.ready = ac.ready[1:]
			ac.mu.Unlock()
			return f, true, nil
		}
		if ac.pending == 0 {
			ac.mu.Unlock()
			return nil, false, nil
		}
		wake := ac.wake
		ac.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
}

// Futures yields the futures as they finish, until all added have been
// yielded or ctx ends.
func (ac *Completed[T]) Futures(ctx context.Context) iter.Seq[*Future[T]] {
	return func(yield func(*Future[T]) bool) {
		for {
			f, ok, err := ac.Next(ctx)
			if !ok || err != nil || !yield(f) {
				return
			}
		}
	}
}

// Results yields each future as it finishes with its result: the value, or
// the future's error (a failed task does not stop the iteration). If ctx
// ends, the last pair has a nil future and ctx's error.
func (ac *Completed[T]) Results(ctx context.Context) iter.Seq2[*Future[T], Outcome[T]] {
	return func(yield func(*Future[T], Outcome[T]) bool) {
		for {
			f, ok, err := ac.Next(ctx)
			if err != nil {
				yield(nil, Outcome[T]{Err: err})
				return
			}
			if !ok {
				return
			}
			v, err := f.Result(ctx)
			if !yield(f, Outcome[T]{Value: v, Err: err}) {
				return
			}
		}
	}
}

// Outcome is a future's result: its value, or why there is none.
type Outcome[T any] struct {
	Value T
	Err   error
}
