package dusk

import (
	"context"
	"reflect"

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
// order. All tasks go to the scheduler in one message.
func Map[T, A any](ctx context.Context, c *Client, fn *Func, items []A) ([]*Future[T], error) {
	caller := callerLine()
	if err := fn.checkResult(reflect.TypeFor[T]()); err != nil {
		return nil, atCaller(err, caller)
	}
	b := newBuilder(ctx, c)
	prefix := keyPrefix(fn.Name())
	keys := make([]graph.Key, len(items))
	for i, it := range items {
		keys[i] = graph.NewKey(prefix)
		if err := b.call(keys[i], fn, []any{it}, caller); err != nil {
			return nil, err
		}
	}
	if err := b.scatterLiterals(ctx); err != nil {
		return nil, err
	}
	fs := make([]*Future[T], len(items))
	for i, k := range keys {
		fs[i] = newFuture[T](c, k)
	}
	if err := b.send(b.tasks, keys); err != nil {
		for _, f := range fs {
			f.Release()
		}
		return nil, err
	}
	return fs, nil
}

// keyPrefix makes a key prefix from a function name: the prefix groups a
// function's tasks in statistics and displays.
func keyPrefix(name string) string {
	out := []byte(name)
	for i, ch := range out {
		if ch == '-' || ch == ' ' {
			out[i] = '_'
		}
	}
	return string(out)
}
