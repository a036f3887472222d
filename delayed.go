package dusk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sync/atomic"
	"time"

	"github.com/dusk-go/dusk/graph"
)

// node is one lazy call in a Delayed graph.
type node struct {
	key    graph.Key
	fn     *Func
	args   []any
	caller callSite
	err    error // a mistake found when the call was built
	// users counts the references to this call in the arguments of
	// other calls (Call), computed or not: persist-shared compares it
	// with the references inside one graph to see that a lazy value
	// outside the graph will need it too.
	users atomic.Int32
	// ran is how long the first computation that ran this call took, in
	// seconds (math.Float64bits; 0: none has): persist-shared finds a
	// branch computed again by it.
	ran atomic.Uint64
}

// Delayed is a lazy call: nothing runs until it (or something built on it)
// is computed or persisted. Delayed values are built with Call and passed
// as arguments of other calls, forming a graph.
type Delayed[T any] struct{ n *node }

// Call returns fn(args...) as a lazy value. Arguments are as for Submit.
// Mistakes (a wrong result type, argument count or type) are reported by
// Compute or Persist with the file and line of this call.
func Call[T any](fn *Func, args ...any) *Delayed[T] {
	caller := callerLine()
	n := &node{key: graph.NewKey(keyPrefix(fn.Name())), fn: fn, args: args, caller: caller}
	if err := fn.checkResult(reflect.TypeFor[T]()); err != nil {
		n.err = atCaller(err, caller)
	} else if err := fn.f.CheckCount(len(args)); err != nil {
		n.err = atCaller(err, caller)
	}
	countUsers(args)
	return &Delayed[T]{n: n}
}

// countUsers notes each lazy argument (alone or in a slice) as used once
// more.
func countUsers(args []any) {
	for _, a := range args {
		if d, ok := a.(delayedRef); ok {
			d.delayedNode().users.Add(1)
			continue
		}
		if v := reflect.ValueOf(a); v.IsValid() && v.Kind() == reflect.Slice && isRefType(v.Type().Elem()) {
			for i := range v.Len() {
				if d, ok := v.Index(i).Interface().(delayedRef); ok {
					d.delayedNode().users.Add(1)
				}
			}
		}
	}
}

// Key returns the key the call's result will have.
func (d *Delayed[T]) Key() Key { return Key(d.n.key) }

func (d *Delayed[T]) delayedNode() *node       { return d.n }
func (d *Delayed[T]) resultType() reflect.Type { return reflect.TypeFor[T]() }

// String returns "Delayed(key)".
func (d *Delayed[T]) String() string { return fmt.Sprintf("Delayed(%s)", d.n.key) }

// Lazy is a Delayed of any type, for ComputeAll and PersistAll.
type Lazy interface {
	Keyer
	delayedRef
}

// ComputeOption changes how a graph is computed.
type ComputeOption func(*computeOptions)

type computeOptions struct {
	optimize bool
	progress io.Writer // draw progress bars here (ShowProgress); nil: none
	aveWidth int       // blockwise fusion (FuseWidth); -1: optimization.fuse.ave-width
}

// Optimize turns graph optimization (culling and fusion of linear chains)
// on or off; it is on by default. Results are the same either way. The
// settings optimization.fuse.active and optimization.fuse.max-height of the
// client's Config turn fusion off or bound the tasks fused into one.
func Optimize(on bool) ComputeOption { return func(o *computeOptions) { o.optimize = on } }

// FuseWidth sets blockwise fusion for this computation, overriding
// optimization.fuse.ave-width: a task absorbs several dependencies that
// are each its alone (the block of a + b whose operands are chains of
// their own) when the fused tree stays narrow, by Dask's ave_width rules
// (1 fuses two branches, not a reduction's wide combine); 0 fuses linear
// chains only. The array package computes with 1, as Dask does for
// arrays.
func FuseWidth(n int) ComputeOption { return func(o *computeOptions) { o.aveWidth = max(n, 0) } }

func computeOpts(opts []ComputeOption) computeOptions {
	o := computeOptions{optimize: true, aveWidth: -1}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// graphFor builds and optimizes the graph of the outputs.
// Its tasks get the annotations of ctx.
func (c *Client) graphFor(ctx context.Context, outs []Lazy, o computeOptions) (*builder, graph.Graph, []graph.Key, error) {
	return buildGraph(ctx, c, outs, o)
}

// buildGraph builds and optimizes the graph of the outputs for client c
// (nil when the graph is only drawn, by Visualize), with the annotations
// of ctx (nil: none) on its tasks.
func buildGraph(ctx context.Context, c *Client, outs []Lazy, o computeOptions) (*builder, graph.Graph, []graph.Key, error) {
	b := newBuilder(ctx, c)
	keys := make([]graph.Key, len(outs))
	for i, d := range outs {
		if err := b.node(d.delayedNode()); err != nil {
			return nil, nil, nil, err
		}
		keys[i] = d.delayedNode().key
	}
	if c != nil {
		if err := b.scatterLiterals(ctx); err != nil {
			return nil, nil, nil, err
		}
	}
	// One index of the graph serves validation, fusion and (in send) the
	// order, unless a pass changes the graph.
	x := graph.NewIndexed(b.tasks)
	if err := x.Validate(); err != nil {
		return nil, nil, nil, fmt.Errorf("dusk: %w", err)
	}
	keep := keys
	if c != nil {
		n := len(b.tasks)
		if g := c.planShared(b, b.tasks, keys); len(g) != n {
			x = graph.NewIndexed(g) // it cut tasks whose results it holds
		}
		keep = append(slices.Clone(keys), b.shared.extra...)
	}
	if o.optimize {
		// No Cull: the builder adds only what the outputs reach (planShared
		// culls what it cuts), and the scheduler drops any task of a graph
		// that no wanted key needs. Culling indexed the whole graph again.
		fuse, opts := true, graph.FuseOptions{}
		if c != nil && c.cfg != nil {
			fuse, opts.MaxHeight = c.cfg.Bool("optimization.fuse.active"), c.cfg.Int("optimization.fuse.max-height")
			opts.AveWidth = c.cfg.Int("optimization.fuse.ave-width")
		}
		if o.aveWidth >= 0 {
			opts.AveWidth = o.aveWidth
		}
		if fuse {
			x = x.Fuse(keep, opts)
		}
	}
	b.indexed = x
	return b, x.Graph(), keys, nil
}

// Compute runs the graph behind d and returns its result. The graph is
// optimized first (see Optimize).
func Compute[T any](ctx context.Context, c *Client, d *Delayed[T], opts ...ComputeOption) (T, error) {
	var zero T
	caller := callerLine()
	f, finish, ntasks, err := persist(ctx, c, d, computeOpts(opts))
	if err != nil {
		return zero, err
	}
	c.loops.computed(c.log, caller, ntasks, time.Now())
	defer f.Release()
	v, err := f.Result(ctx)
	finish(err == nil)
	return v, err
}

// ComputeAll runs several graphs at once, computing their common parts
// once, and returns the results in order. The results are fetched
// together once all are done (a request per worker and result type). A
// graph that fails leaves its result nil: the error returned joins every
// failure, and the other results are there.
func ComputeAll(ctx context.Context, c *Client, ds []Lazy, opts ...ComputeOption) ([]any, error) {
	b, g, keys, err := c.graphFor(ctx, ds, computeOpts(opts))
	if err != nil {
		return nil, err
	}
	sts := make([]*futureState, len(keys))
	for i, k := range keys {
		sts[i] = c.future(k)
	}
	defer func() {
		for _, st := range sts {
			c.release(st.key)
		}
	}()
	finish, err := c.sendGraph(b, g, keys, computeOpts(opts))
	if err != nil {
		return nil, err
	}
	defer finish(false) // on early returns; a no-op after the finish below
	out := make([]any, len(ds))
	var errs []error
	// The results are gathered together, in one request per worker for
	// each result type, once all are done: one request per result cost a
	// round trip each (a ComputeAll of 10,000 small results spent 90% of
	// its time waiting on them).
	byType := map[reflect.Type][]int{}
	var types []reflect.Type
	for i, st := range sts {
		select {
		case <-st.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		c.mu.Lock()
		err := st.err
		c.mu.Unlock()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rt := ds[i].resultType()
		if _, ok := byType[rt]; !ok {
			types = append(types, rt)
		}
		byType[rt] = append(byType[rt], i)
	}
	for _, rt := range types {
		idx := byType[rt]
		group := make([]*futureState, len(idx))
		for j, i := range idx {
			group[j] = sts[i]
		}
		vals, err := c.gather(ctx, group, rt, true)
		if err != nil {
			return nil, err
		}
		for j, i := range idx {
			out[i] = vals[j].Interface()
		}
	}
	finish(len(errs) == 0)
	return out, errors.Join(errs...)
}

// Persist starts the graph behind d and returns a future of its result,
// which stays on the cluster while the future lives: use it for results
// that several later computations share.
func Persist[T any](ctx context.Context, c *Client, d *Delayed[T], opts ...ComputeOption) (*Future[T], error) {
	f, finish, _, err := persist(ctx, c, d, computeOpts(opts))
	if err != nil {
		return nil, err
	}
	c.finishWhenDone(finish, f.st)
	return f, nil
}

// persist sends the graph behind d, of ntasks tasks; finish ends its
// progress bars.
func persist[T any](ctx context.Context, c *Client, d *Delayed[T], o computeOptions) (f *Future[T], finish func(bool), ntasks int, err error) {
	b, g, keys, err := c.graphFor(ctx, []Lazy{d}, o)
	if err != nil {
		return nil, nil, 0, err
	}
	f = newFuture[T](c, keys[0])
	finish, err = c.sendGraph(b, g, keys, o)
	if err != nil {
		f.Release()
		return nil, nil, 0, err
	}
	return f, finish, len(g), nil
}

// sendGraph sends a graph, first subscribing its progress bars when they
// are asked for; the function it returns draws their end (ok: the results
// are in), and does nothing without them.
func (c *Client) sendGraph(b *builder, g graph.Graph, keys []graph.Key, o computeOptions) (func(ok bool), error) {
	finish := func(bool) {}
	if o.progress != nil {
		p, err := c.startProgress(o.progress, g)
		if err != nil {
			c.abandonShared(b.shared)
			return nil, fmt.Errorf("dusk: progress: %w", err)
		}
		finish = p.finish
	}
	start := time.Now()
	if err := b.send(g, keys); err != nil {
		finish(false)
		c.abandonShared(b.shared)
		return nil, err
	}
	done := finish
	return func(ok bool) {
		done(ok)
		c.finishShared(b.shared, time.Since(start), ok)
	}, nil
}

// finishWhenDone ends progress bars once every future state is done (or
// the client closes), in the background: Persist returns at once.
func (c *Client) finishWhenDone(finish func(bool), sts ...*futureState) {
	go func() {
		ok := true
		for _, st := range sts {
			select {
			case <-st.done:
			case <-c.done:
			}
			c.mu.Lock()
			ok = ok && st.status == Finished
			c.mu.Unlock()
		}
		finish(ok)
	}()
}

// AnyFuture is a future whose result type is known only at run time.
type AnyFuture = Future[any]

// PersistAll starts several graphs at once and returns a future for each,
// in order.
func PersistAll(ctx context.Context, c *Client, ds []Lazy, opts ...ComputeOption) ([]*AnyFuture, error) {
	b, g, keys, err := c.graphFor(ctx, ds, computeOpts(opts))
	if err != nil {
		return nil, err
	}
	fs := make([]*AnyFuture, len(keys))
	sts := make([]*futureState, len(keys))
	for i, k := range keys {
		fs[i] = newFuture[any](c, k)
		sts[i] = fs[i].st
	}
	finish, err := c.sendGraph(b, g, keys, computeOpts(opts))
	if err != nil {
		for _, f := range fs {
			f.Release()
		}
		return nil, err
	}
	c.finishWhenDone(finish, sts...)
	return fs, nil
}
