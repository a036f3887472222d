package worker

import (
	"context"
	"sync"

	"github.com/dusk-go/dusk/graph"
)

// taskContext is the context a task runs with: its session's context
// (values, deadline, cancellation), ended as well when the task is
// cancelled or returns. Most tasks never look at their context, so it
// costs its allocation and nothing more until someone asks for Done: only
// then is a channel made and the context tied to its parent.
// context.WithCancel per task tied every task to the session's context (a
// lock and a map insert and delete on the parent) and took a map of
// cancel functions by key: a twentieth of a tiny task's cost on the worker.
type taskContext struct {
	context.Context // the session's

	key graph.Key // the task's

	mu   sync.Mutex
	done chan struct{} // made by the first Done; closed when err is set
	err  error         // why it ended: the task's end, or its parent's
	stop func() bool   // unties it from its parent, once tied
}

// newTaskContext returns the context of a run of the task of key k.
func newTaskContext(parent context.Context, k graph.Key) *taskContext {
	return &taskContext{Context: parent, key: k}
}

// Done returns a channel closed when the task is cancelled or returns, or
// its session ends.
func (c *taskContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		if c.err == nil {
			c.err = c.Context.Err()
		}
		if c.err != nil {
			close(c.done)
		} else {
			parent := c.Context
			c.stop = context.AfterFunc(parent, func() { c.cancel(parent.Err()) })
		}
	}
	return c.done
}

// Err returns nil while the context lasts, then why it ended.
func (c *taskContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		if err := c.Context.Err(); err != nil {
			c.err = err
			if c.done != nil {
				close(c.done)
			}
		}
	}
	return c.err
}

// cancel ends the context with err (the first end wins).
func (c *taskContext) cancel(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	if c.done != nil {
		close(c.done)
	}
	stop := c.stop
	c.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// String names the context in a panic or a log line.
func (c *taskContext) String() string { return "dusk task context of " + string(c.key) }
