package dusk

import (
	"context"
	"reflect"
	"strings"

	"github.com/dusk-go/dusk/graph"
)

// Submit runs fn(args...) on the cluster and returns a future of its
// result. Arguments may be values (encoded and sent with the task),
// futures (their data moves worker to worker), Delayed values (computed as
// part of the same graph) or slices of futures or Delayed values. T must be
// fn's result type. Mismatched arguments are an error here, before anything
// runs.
func Submit[T any](ctx context.Context, c *Client, fn *Func, args ...any) (*Future[T], error) {
	caller := callerLine()
	if err := fn.checkResult(reflect.TypeFor[T]()); err != nil {
		return nil, atCaller(err, caller)
	}
	b := newBuilder(ctx, c)
	key := graph.NewKey(keyPrefix(fn.Name()))
	if err := b.call(key, fn, args, caller); err != nil {
		return nil, err
	}
	if err := b.scatterLiterals(ctx); err != nil {
		return nil, err
	}
	f := newFuture[T](c, key)
	if err := b.send(b.tasks, []graph.Key{key}); err != nil {
		f.Release()
		return nil, err
	}
	return f, nil
}

// Map runs fn on every item (one task each) and returns their futures in
// order. The tasks go to the scheduler in messages of 1,024 tasks, then
// twice as many each time up to 65,536, in the items' order: a
// million-task Map is not built, encoded and decoded as one message, and
// the cluster starts on the first part while the client builds the next. An argument that does not fit fn is
// an error before its part is sent; the futures of the parts sent before
// it are released.
func Map[T, A any](ctx context.Context, c *Client, fn *Func, items []A) ([]*Future[T], error) {
	caller := callerLine()
	if err := fn.checkResult(reflect.TypeFor[T]()); err != nil {
		return nil, atCaller(err, caller)
	}
	prefix := keyPrefix(fn.Name())
	chunk := c.chunk()
	fs := make([]*Future[T], 0, len(items))
	keys := make([]graph.Key, 0, len(items))
	nbytes := int64(0)
	// One message at least: an empty Map sends an empty graph, as before.
	// The parts start small and double up to chunk, so that the cluster
	// starts on the first tasks while the client still builds the rest.
	size := c.firstPart()
	for start := 0; start == 0 || start < len(items); start, size = start+size, min(2*size, chunk) {
		part := items[start:min(start+size, len(items))]
		b := newBuilder(ctx, c)
		b.sizeChecked = true // checked once below, for the whole Map
		b.whole = true       // each part is all wanted
		for _, it := range part {
			k := graph.NewKey(prefix)
			keys = append(keys, k)
			if err := b.call(k, fn, []any{it}, caller); err != nil {
				releaseFutures(fs)
				return nil, err
			}
		}
		if err := b.scatterLiterals(ctx); err != nil {
			releaseFutures(fs)
			return nil, err
		}
		partKeys := keys[start:]
		fs = appendFutures(fs, c, partKeys)
		if err := b.send(b.tasks, partKeys); err != nil {
			releaseFutures(fs)
			return nil, err
		}
		nbytes += b.sentBytes
	}
	(&builder{c: c}).checkGraphSize(keys, nbytes)
	return fs, nil
}

// defaultGraphChunk is the most tasks Map sends in one message.
const defaultGraphChunk = 1 << 16

// chunk is the most tasks the client sends in one message.
func (c *Client) chunk() int {
	if c.graphChunk <= 0 {
		return defaultGraphChunk
	}
	return c.graphChunk
}

// firstPart is how many tasks go in the first message of a graph sent in
// parts.
func (c *Client) firstPart() int {
	if c.graphFirst > 0 {
		return min(c.graphFirst, c.chunk())
	}
	return min(firstGraphPart, c.chunk())
}

// firstGraphPart is how many tasks go in Map's first message; each next
// message has twice as many, up to the chunk.
const firstGraphPart = 1 << 10

func releaseFutures[T any](fs []*Future[T]) {
	for _, f := range fs {
		f.Release()
	}
}

// keyPrefix makes a key prefix from a function name: the prefix groups a
// function's tasks in statistics and displays.
func keyPrefix(name string) string {
	if !strings.ContainsAny(name, "- ") {
		return name // most names: no copy
	}
	out := []byte(name)
	for i, ch := range out {
		if ch == '-' || ch == ' ' {
			out[i] = '_'
		}
	}
	return string(out)
}
