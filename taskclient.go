package dusk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/dusk-go/dusk/task"
)

// taskClientExtension names the worker extension that holds a worker's
// TaskClient.
const taskClientExtension = "dusk.client"

func init() {
	task.RegisterExtension(taskClientExtension, newTaskClientExt)
}

// TaskClient returns a client connected to the scheduler of the worker
// running the task whose context ctx is: Dask's get_client. Through it a
// task submits tasks, gathers futures, and uses queues, locks, variables,
// events, topics, datasets and actors. One client serves every task of a
// worker; it closes with the worker, so do not Close it.
//
// A task that waits on futures holds its worker thread while it waits: on
// a cluster with one thread in all, a task that waits for a task it
// submitted waits for ever.
func TaskClient(ctx context.Context) (*Client, error) {
	rt, ok := task.FromContext(ctx)
	if !ok {
		return nil, errors.New("dusk: TaskClient called outside a task: pass it the context the task's function received")
	}
	ext, err := rt.Extension(taskClientExtension)
	if err != nil {
		return nil, err
	}
	return ext.(*taskClientExt).get(ctx)
}

// taskClientExt is a worker's TaskClient, connected on first use.
type taskClientExt struct {
	rt   task.Runtime
	mu   chan struct{} // a one-slot lock that a waiting ctx can give up on
	c    *Client
	done bool
}

func newTaskClientExt(rt task.Runtime) (task.Extension, error) {
	return &taskClientExt{rt: rt, mu: make(chan struct{}, 1)}, nil
}

func (e *taskClientExt) get(ctx context.Context) (*Client, error) {
	select {
	case e.mu <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-e.mu }()
	if e.done {
		return nil, errors.New("dusk: the worker is closing: its task client is closed")
	}
	if e.c != nil && !e.c.isClosed() {
		return e.c, nil
	}
	conn, err := e.rt.Scheduler()
	if err != nil {
		return nil, fmt.Errorf("dusk: connecting a task's client: %w", err)
	}
	opts := []Option{Token(conn.Token), Logger(e.rt.Logger())}
	if conn.CertFile != "" || conn.KeyFile != "" || conn.CAFile != "" {
		opts = append(opts, TLS(conn.CertFile, conn.KeyFile, conn.CAFile))
	}
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, err := Connect(cctx, conn.Address, opts...)
	if err != nil {
		return nil, fmt.Errorf("dusk: connecting a task's client to scheduler %s: %w", conn.Address, err)
	}
	e.c = c
	return c, nil
}

// Receive refuses messages: the extension only holds the client.
func (e *taskClientExt) Receive(context.Context, string, []byte) error {
	return errors.New("dusk: the task client extension takes no messages")
}

// Close closes the client with the worker.
func (e *taskClientExt) Close() error {
	e.mu <- struct{}{}
	defer func() { <-e.mu }()
	e.done = true
	if e.c == nil {
		return nil
	}
	return e.c.Close()
}

var _ io.Closer = (*taskClientExt)(nil)
