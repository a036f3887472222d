package dataframe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/kernels"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// maxShuffleAttempts bounds how often a computation restarts because a
// worker was lost in the middle of one of its shuffles.
const maxShuffleAttempts = 6

// lostWorkerWait bounds how long a restart waits for the scheduler to see
// that the worker a shuffle lost is gone (so that the new run does not
// pick it as an owner again).
const lostWorkerWait = 30 * time.Second

// lowering turns a plan into a graph of lazy calls, once per node.
type lowering struct {
	ctx      context.Context
	c        *dusk.Client
	memo     map[node][]part
	workers  []string     // running workers' addresses, sorted; fetched on first need
	nthreads int          // the running workers' threads; fetched on first need
	shuffles []string     // IDs of the shuffles in the graph
	adapt    *adaptiveRun // what may adapt at run time (adaptive.go); nil: nothing
	same     *sharing     // when set, equal steps are lowered once (ComputeAll)
	// runs maps a partition that joins a run of partitions (a Coalesce's
	// concat) to the run, so that a shuffle reads the run without the copy.
	runs map[*dusk.Delayed[arrow.RecordBatch]][]part
	// held are results an adaptive decision kept on the cluster for the
	// graph to read (adaptive_shuffle.go), released once it ran.
	held []*dusk.AnyFuture
}

func newLowering(ctx context.Context, c *dusk.Client) *lowering {
	return &lowering{ctx: ctx, c: c, memo: map[node][]part{}}
}

// parts returns the lazy partitions of n.
func (lw *lowering) parts(n node) ([]part, error) {
	if lw.same != nil {
		n = lw.same.canonical(n)
	}
	if p, ok := lw.memo[n]; ok {
		return p, nil
	}
	p, err := n.lower(lw)
	if err != nil {
		return nil, err
	}
	if len(p) != n.meta().nparts && !lw.adapt.flexible(n) {
		return nil, fmt.Errorf("dataframe: internal error: %s produced %d partitions, planned %d", n.label(), len(p), n.meta().nparts)
	}
	lw.memo[n] = p
	return p, nil
}

// owners returns the workers that own shuffle outputs: the running and the
// paused workers (a paused worker still receives pieces, spilling them, and
// runs its output tasks once it resumes), sorted by address. Retiring
// workers are left out.
func (lw *lowering) owners() ([]string, error) {
	if lw.workers != nil {
		return lw.workers, nil
	}
	ws, err := lw.c.Workers(lw.ctx)
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		if w.Status == "running" || w.Status == "paused" {
			lw.workers = append(lw.workers, w.Address)
		}
	}
	if len(lw.workers) == 0 {
		return nil, errors.New("dataframe: a shuffle needs running workers; none is connected")
	}
	slices.Sort(lw.workers)
	return lw.workers, nil
}

// threads returns the threads of the running workers (at least 1).
func (lw *lowering) threads() (int, error) {
	if lw.nthreads > 0 {
		return lw.nthreads, nil
	}
	ws, err := lw.c.Workers(lw.ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, w := range ws {
		if w.Status == "running" {
			n += max(w.Threads, 1)
		}
	}
	lw.nthreads = max(n, 1)
	return lw.nthreads, nil
}

// newShuffle returns a fresh shuffle ID and records it for clean-up.
func (lw *lowering) newShuffle() string {
	id := shuffle.NewID()
	lw.shuffles = append(lw.shuffles, id)
	return id
}

// run lowers the plan of df, plus what extra adds on top of its
// partitions, and persists the outputs. A computation that fails because a
// worker was lost in the middle of a shuffle is started again from the
// plan, with the workers there are then, up to maxShuffleAttempts times.
// The caller releases the futures (see release) and then calls forget,
// which drops what the shuffles left in the workers' buffers. Without
// extra, the plan may adapt as it runs (adaptive.go).
func (df *DataFrame) run(ctx context.Context, extra func(lw *lowering, parts []part) ([]part, error)) (futs []*dusk.AnyFuture, forget func(), err error) {
	return df.runAdapting(ctx, extra, extra == nil)
}

// runAdapting is run; adapt says whether the plan may adapt as it runs,
// its partitions then coming in another number than planned: extra, if
// any, must take any number (lw.adapt says whether they changed).
func (df *DataFrame) runAdapting(ctx context.Context, extra func(lw *lowering, parts []part) ([]part, error), adapt bool) (futs []*dusk.AnyFuture, forget func(), err error) {
	return df.runFinishing(ctx, extra, adapt, nil)
}

// runFinishing is runAdapting that, when finish is given, calls it on
// the futures as soon as they are started, in place of waiting for them
// all: Compute fetches each partition as it finishes while the others
// still run. An error of finish is the run's (a lost worker's starts the
// computation again, finish then called on the new futures).
func (df *DataFrame) runFinishing(ctx context.Context, extra func(lw *lowering, parts []part) ([]part, error), adapt bool, finish func([]*dusk.AnyFuture) error) (futs []*dusk.AnyFuture, forget func(), err error) {
	if df.err != nil {
		return nil, nil, df.err
	}
	plan, notes := optimize(df.n, coalescingOf(df.c))
	recordCoalesced(df.c, notes)
	for attempt := 1; ; attempt++ {
		lw := newLowering(ctx, df.c)
		if adapt {
			lw.adapt = adaptiveFor(df.c, plan)
		}
		futs, err = lw.persist(plan, extra)
		if err == nil {
			if finish != nil {
				err = finish(futs)
			} else {
				err = dusk.Wait(ctx, futs...)
			}
		}
		if err == nil {
			return futs, func() { release(lw.held); forgetShuffles(ctx, df.c, lw.shuffles) }, nil
		}
		release(futs)
		release(lw.held)
		forgetShuffles(ctx, df.c, lw.shuffles)
		if !isShuffleLost(err) || attempt >= maxShuffleAttempts || ctx.Err() != nil {
			return nil, nil, err
		}
		slog.Default().Warn("dataframe: a worker was lost during a shuffle; starting the computation again",
			"attempt", attempt+1, "cause", firstLine(err.Error()))
		shuffleRestarts.Add(1)
		if addr, ok := shuffle.LostWorker(err); ok {
			awaitGone(ctx, df.c, addr)
		}
	}
}

// awaitGone waits (at most lostWorkerWait) until the scheduler no longer
// lists the worker at addr as running.
func awaitGone(ctx context.Context, c *dusk.Client, addr string) {
	deadline := time.Now().Add(lostWorkerWait)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		ws, err := c.Workers(ctx)
		if err != nil {
			return
		}
		running := false
		for _, w := range ws {
			running = running || (w.Address == addr && w.Status == "running")
		}
		if !running {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ShuffleRestarts returns how many times computations of this process
// started again because a worker was lost in the middle of a shuffle.
func ShuffleRestarts() int64 { return shuffleRestarts.Load() }

var shuffleRestarts atomic.Int64

// persist lowers the optimized plan n and starts its graph.
func (lw *lowering) persist(n node, extra func(lw *lowering, parts []part) ([]part, error)) ([]*dusk.AnyFuture, error) {
	parts, err := lw.parts(n)
	if err != nil {
		return nil, err
	}
	if extra != nil {
		if parts, err = extra(lw, parts); err != nil {
			return nil, err
		}
	}
	return persistParts(lw.ctx, lw.c, parts)
}

// persistParts starts the lazy parts and returns a future for each part;
// parts that are futures already are returned as they are.
func persistParts(ctx context.Context, c *dusk.Client, parts []part) ([]*dusk.AnyFuture, error) {
	out := make([]*dusk.AnyFuture, len(parts))
	var lazy []dusk.Lazy
	var at []int
	for i, p := range parts {
		switch x := p.(type) {
		case *dusk.AnyFuture:
			out[i] = x
		case dusk.Lazy:
			lazy = append(lazy, x)
			at = append(at, i)
		default:
			return nil, fmt.Errorf("dataframe: internal error: a partition of type %T", p)
		}
	}
	if len(lazy) > 0 {
		fs, err := dusk.PersistAll(ctx, c, lazy)
		if err != nil {
			return nil, err
		}
		for j, i := range at {
			out[i] = fs[j]
		}
	}
	return out, nil
}

// release drops the futures run made (not those of persisted DataFrames,
// which their DataFrame holds).
func release(fs []*dusk.AnyFuture) {
	for _, f := range fs {
		if f != nil && !persistedFuture(f) {
			f.Release()
		}
	}
}

func isShuffleLost(err error) bool {
	return err != nil && strings.Contains(err.Error(), shuffle.LostMarker)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Compute runs the DataFrame and returns it as one Arrow table, its
// partitions in order (one chunk each). Partitions are fetched as they
// finish, while later ones still run.
func (df *DataFrame) Compute(ctx context.Context) (arrow.Table, error) {
	var recs []arrow.RecordBatch
	futs, forget, err := df.runFinishing(ctx, nil, true, func(futs []*dusk.AnyFuture) error {
		var err error
		recs, err = gatherRecords(ctx, futs)
		return err
	})
	if err != nil {
		return nil, err
	}
	release(futs)
	forget()
	return tableOf(df.Schema(), recs), nil
}

// gatherRecords fetches partitions from the workers.
func gatherRecords(ctx context.Context, futs []*dusk.AnyFuture) ([]arrow.RecordBatch, error) {
	vals, err := dusk.Gather(ctx, futs)
	if err != nil {
		return nil, err
	}
	recs := make([]arrow.RecordBatch, len(vals))
	for i, v := range vals {
		r, ok := v.(arrow.RecordBatch)
		if !ok {
			return nil, fmt.Errorf("dataframe: partition %d is a %T, not an Arrow record", i, v)
		}
		recs[i] = r
	}
	return recs, nil
}

// tableOf makes a table of partitions, under the plan's schema.
func tableOf(s *arrow.Schema, recs []arrow.RecordBatch) arrow.Table {
	s = kernels.NullableSchema(s)
	for i, r := range recs {
		recs[i] = kernels.WithSchema(r, s)
	}
	return array.NewTableFromRecords(s, recs)
}

// Persist runs the DataFrame and keeps its partitions in the workers'
// memory: later computations on the returned DataFrame start from them
// (the guide's "persist what several computations share"). Release the
// result (or let it be garbage collected) to free them. A shuffle that
// adapted as it ran (a Merge, a SplitOut group-by, SetIndex or
// SortValues; adaptive.go) leaves the result in another number of
// partitions than planned (after SetIndex, with the divisions it ran
// with).
func (df *DataFrame) Persist(ctx context.Context) (*DataFrame, error) {
	n, adapted := df.NPartitions(), false
	var divs *Divisions
	futs, forget, err := df.runAdapting(ctx, func(lw *lowering, parts []part) ([]part, error) {
		n, adapted = len(parts), lw.adapt.adapted()
		divs = lw.adapt.divisionsAfter(df.n.meta().divs)
		// One small task per partition reports its rows and bytes, so
		// that plans built on the result know its size (broadcast joins,
		// repartitioning).
		out := append([]part(nil), parts...)
		for _, p := range parts {
			out = append(out, dusk.Call[arrow.RecordBatch](fnSize, p))
		}
		return out, nil
	}, true)
	if err != nil {
		return nil, err
	}
	defer forget()
	sizes := futs[n:]
	futs = futs[:n]
	recs, err := gatherRecords(ctx, sizes)
	release(sizes)
	if err != nil {
		release(futs)
		return nil, err
	}
	var total int64
	rows := make([]int64, n)
	bytes := make([]int64, n)
	for i, r := range recs {
		rows[i] = r.Column(0).(*array.Int64).Value(0)
		bytes[i] = r.Column(1).(*array.Int64).Value(0)
		total += bytes[i]
	}
	m := df.n.meta().clone()
	m.bytes = total
	if adapted {
		// The partitions are not the plan's: neither their number nor
		// the hash placement; the divisions are those of the range
		// shuffle that made them, as it ran, if one did.
		m.nparts, m.hashed, m.divs = n, nil, divs
	}
	p := &persistedNode{m: m, futs: futs, rows: rows, bytes: bytes, from: df.n.label()}
	for _, f := range futs {
		markPersisted(f)
	}
	return df.derive(p), nil
}

// Release frees the partitions of a persisted DataFrame on the cluster;
// using them afterwards is an error. It does nothing for other DataFrames.
func (df *DataFrame) Release() {
	if p, ok := df.n.(*persistedNode); ok {
		for _, f := range p.futs {
			unmarkPersisted(f)
			f.Release()
		}
	}
}

// persistedNode is a DataFrame whose partitions are on the cluster.
type persistedNode struct {
	m     *meta
	futs  []*dusk.AnyFuture
	rows  []int64 // per partition, when known
	bytes []int64 // per partition, when known
	from  string
}

func (p *persistedNode) meta() *meta      { return p.m }
func (p *persistedNode) children() []node { return nil }
func (p *persistedNode) label() string {
	return fmt.Sprintf("Persisted partitions=%d bytes=%d (of %s)", p.m.nparts, p.m.bytes, p.from)
}
func (p *persistedNode) lower(lw *lowering) ([]part, error) {
	out := make([]part, len(p.futs))
	for i, f := range p.futs {
		out[i] = f
	}
	return out, nil
}

// persisted holds the futures that persisted DataFrames own: computations
// built on them must not release them.
var persisted sync.Map // *dusk.AnyFuture -> struct{}

func markPersisted(f *dusk.AnyFuture)        { persisted.Store(f, struct{}{}) }
func unmarkPersisted(f *dusk.AnyFuture)      { persisted.Delete(f) }
func persistedFuture(f *dusk.AnyFuture) bool { _, ok := persisted.Load(f); return ok }
