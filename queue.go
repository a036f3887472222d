package dusk

import (
	"context"
	"fmt"

	"github.com/dusk-go/dusk/wire/pb"
)

// Queue is a first-in first-out queue kept by the scheduler under a name:
// every client and task that opens the name shares it (Dask's Queue).
// Values travel encoded; a Queue of futures (Queue[*Future[X]]) passes
// futures, and keeps their data alive while they wait in it. Open a
// queue with the same bound everywhere. A Queue is safe for concurrent
// use.
type Queue[T any] struct {
	c    *Client
	name string
	max  int
}

// NewQueue opens the queue named name, holding at most maxSize items (0:
// no bound). Nothing is sent until it is used; the first use makes it.
func NewQueue[T any](c *Client, name string, maxSize int) *Queue[T] {
	return &Queue[T]{c: c, name: name, max: maxSize}
}

// Name returns the queue's name.
func (q *Queue[T]) Name() string { return q.name }

func (q *Queue[T]) req(op string) *pb.Coord {
	return &pb.Coord{Op: op, Name: q.name, Max: int64(q.max)}
}

// Put adds v at the back, waiting for room in a bounded queue until ctx
// ends.
func (q *Queue[T]) Put(ctx context.Context, v T) error {
	_, err := q.put(ctx, v, true)
	return err
}

// TryPut adds v if there is room now, and reports whether it did.
func (q *Queue[T]) TryPut(ctx context.Context, v T) (bool, error) { return q.put(ctx, v, false) }

func (q *Queue[T]) put(ctx context.Context, v T, wait bool) (bool, error) {
	it, err := encodeItem(v)
	if err != nil {
		return false, fmt.Errorf("dusk: putting into queue %s: %w", q.name, err)
	}
	m := q.req("queue-put")
	m.Item, m.Wait = it, wait
	r, _, err := q.c.coord(ctx, m, false)
	if err != nil {
		return false, err
	}
	return r.GetOk(), nil
}

// Get takes the item at the front, waiting for one until ctx ends. A
// Get whose ctx ends takes nothing (unless the item reached it first: then
// it returns the item).
func (q *Queue[T]) Get(ctx context.Context) (T, error) {
	v, _, err := q.get(ctx, true)
	return v, err
}

// TryGet takes the item at the front if there is one now.
func (q *Queue[T]) TryGet(ctx context.Context) (T, bool, error) { return q.get(ctx, false) }

func (q *Queue[T]) get(ctx context.Context, wait bool) (T, bool, error) {
	var zero T
	m := q.req("queue-get")
	m.Wait = wait
	r, states, err := q.c.coord(ctx, m, true)
	if err != nil || !r.GetOk() {
		return zero, false, err
	}
	v, err := decodeItem[T](q.c, r.GetItem(), states)
	if err != nil {
		return zero, false, fmt.Errorf("dusk: getting from queue %s: %w", q.name, err)
	}
	return v, true, nil
}

// Len returns the number of items in the queue.
func (q *Queue[T]) Len(ctx context.Context) (int, error) {
	r, _, err := q.c.coord(ctx, q.req("queue-size"), false)
	if err != nil {
		return 0, err
	}
	return int(r.GetSize()), nil
}

// Delete drops the queue and its items (releasing the futures in it);
// calls waiting on it fail. Using the name again makes a new queue.
func (q *Queue[T]) Delete(ctx context.Context) error {
	_, _, err := q.c.coord(ctx, q.req("queue-delete"), false)
	return err
}
