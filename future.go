package dusk

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/internal/shrink"
	"github.com/dusk-go/dusk/wire/pb"
)

// Status is where a future is.
type Status uint8

// The statuses of a future.
const (
	// Pending: not finished yet.
	Pending Status = iota
	// Finished: the result is on the cluster.
	Finished
	// Erred: the task (or one it depends on) failed.
	Erred
	// Cancelled: cancelled, or dropped by a restart.
	Cancelled
	// Lost: the client lost its connection to the scheduler.
	Lost
)

func (s Status) String() string {
	return [...]string{"pending", "finished", "error", "cancelled", "lost"}[s]
}

// futureState is what the client knows of one key; all futures of the key
// share it. Fields are protected by Client.mu.
type futureState struct {
	key     graph.Key
	status  Status
	done    chan struct{}
	err     error
	addrs   []string // workers that hold the result
	nbytes  int64
	typ     string
	version int // counts memory reports, to notice a recomputation
	refs    int
	// scattered: the client placed the data on workers itself (Scatter);
	// no task computes it.
	scattered bool
	waiters   []func() // called once at the key's next report (the first leaves Pending)
	// keep holds values the key's graph uses that only futures keep alive
	// (auto-scattered arguments).
	keep []*AnyFuture
}

func (fs *futureState) finish(s Status, err error) {
	if fs.status == Cancelled || fs.status == Lost {
		return // final
	}
	fs.status, fs.err = s, err
	select {
	case <-fs.done:
	default:
		close(fs.done)
	}
	fs.wake()
}

// wake calls the waiters once.
func (fs *futureState) wake() {
	for _, f := range fs.waiters {
		f()
	}
	fs.waiters = nil
}

// future returns the state of key k with one more reference.
func (c *Client) future(k graph.Key) *futureState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.futureLocked(k)
}

// futureLocked is future with c.mu held.
func (c *Client) futureLocked(k graph.Key) *futureState {
	fs := c.futures[k]
	if fs == nil {
		fs = &futureState{key: k, done: make(chan struct{})}
		if c.connErr != nil {
			fs.finish(Lost, c.connErr)
		}
		c.futures[k] = fs
		c.lineage.hold(k)
	}
	fs.refs++
	return fs
}

// release drops one reference to k; the last tells the scheduler.
func (c *Client) release(k graph.Key) {
	c.mu.Lock()
	fs := c.futures[k]
	if fs == nil {
		c.mu.Unlock()
		return
	}
	fs.refs--
	last := fs.refs <= 0
	var keep []*AnyFuture
	if last {
		delete(c.futures, k)
		c.futures = shrink.Map(c.futures, &c.futuresPeak)
		c.lineage.unhold(k)
		delete(c.stalled, k)
		keep, fs.keep = fs.keep, nil
	}
	closed := c.closed
	c.mu.Unlock()
	for _, f := range keep {
		f.Release()
	}
	if last && !closed {
		c.out.Edit(func(b *pb.ClientBatch) { b.Release = append(b.Release, string(k)) })
	}
}

// Future is a task's result on the cluster, of type T. It keeps the
// result alive there until Release is called or the Future is garbage
// collected. Passing a Future as an argument of another task moves the data
// worker to worker, never through the client.
type Future[T any] struct {
	c  *Client
	st *futureState
	// h is shared with the cleanup that releases the future when it is
	// garbage collected; it must not point into the Future, or the Future
	// would never become garbage.
	h *futureHandle
}

func newFuture[T any](c *Client, k graph.Key) *Future[T] {
	return adoptFuture[T](c, c.future(k))
}

// appendFutures appends a future of each key to fs, as newFuture would
// one by one, with the client's lock taken once and the handles in one
// allocation (a handle is small, and lives until its future's cleanup has
// run; sharing an allocation delays no release).
func appendFutures[T any](fs []*Future[T], c *Client, keys []graph.Key) []*Future[T] {
	sts := make([]*futureState, len(keys))
	c.mu.Lock()
	for i, k := range keys {
		sts[i] = c.futureLocked(k)
	}
	c.mu.Unlock()
	hs := make([]futureHandle, len(keys))
	start := len(fs)
	for i, st := range sts {
		h := &hs[i]
		h.c, h.key = c, st.key
		fs = append(fs, &Future[T]{c: c, st: st, h: h})
	}
	// The cleanups go on last first. The runtime keeps the cleanups of a
	// span of memory in a list sorted by address and walks it to insert
	// one, and futures made one after another lie at increasing addresses:
	// in the order they were made, each insert walked past all the
	// earlier ones of its span (hundreds of 24-byte futures a span; a
	// fifth of Map's cost in the client at 20,000 tasks); last first, each
	// goes at the list's head.
	for i := len(fs) - 1; i >= start; i-- {
		runtime.AddCleanup(fs[i], (*futureHandle).release, fs[i].h)
	}
	return fs
}

// futureHandle is what the cleanup of a Future needs, without the Future:
// the client, the key, and whether the future was released.
type futureHandle struct {
	c        *Client
	key      graph.Key
	released atomic.Bool
}

func (h *futureHandle) release() {
	if h.released.CompareAndSwap(false, true) {
		h.c.release(h.key)
	}
}

// Key returns the future's key.
func (f *Future[T]) Key() Key { return Key(f.st.key) }

func (f *Future[T]) futureKey() graph.Key     { return f.st.key }
func (f *Future[T]) resultType() reflect.Type { return reflect.TypeFor[T]() }
func (f *Future[T]) client() *Client          { return f.c }
func (f *Future[T]) onDone(fn func())         { f.c.onDone(f.st, fn) }

// String returns "Future(key, status)".
func (f *Future[T]) String() string { return fmt.Sprintf("Future(%s, %s)", f.st.key, f.Status()) }

// Done returns a channel closed when the future is finished, erred or
// cancelled.
func (f *Future[T]) Done() <-chan struct{} { return f.st.done }

// Workers returns the addresses of the workers that held the result when
// the scheduler last reported it: empty until the result is in memory. It
// is a hint for placing work next to the data (as Dask's who_has): the data
// may move or be lost later.
func (f *Future[T]) Workers() []string {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	return slices.Clone(f.st.addrs)
}

// Status returns where the future is.
func (f *Future[T]) Status() Status {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	return f.st.status
}

// Err returns the future's error once it erred or was cancelled, else nil.
func (f *Future[T]) Err() error {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	return f.st.err
}

// Release drops the future: when no future or task needs its result, the
// cluster frees it. Using a released future is an error.
func (f *Future[T]) Release() {
	if f.h.released.CompareAndSwap(false, true) {
		f.c.release(f.st.key)
	}
}

// Cancel cancels the task: the future ends as cancelled and, if nothing
// else needs it, the task stops.
func (f *Future[T]) Cancel(ctx context.Context) error { return f.c.Cancel(ctx, f) }

// Result waits for the task and returns its result, fetched from the
// worker that holds it.
func (f *Future[T]) Result(ctx context.Context) (T, error) {
	var zero T
	if f.h.released.Load() {
		return zero, fmt.Errorf("dusk: future %s was released", f.st.key)
	}
	if err := f.Wait(ctx); err != nil {
		return zero, err
	}
	vals, err := gatherTyped[T](ctx, f.c, []*futureState{f.st})
	// f must stay reachable until the value is here: collecting it would
	// release the key while it is being fetched.
	runtime.KeepAlive(f)
	if err != nil {
		return zero, err
	}
	return vals[0], nil
}

// Wait waits until the future is finished and returns its error, if it
// erred or was cancelled.
func (f *Future[T]) Wait(ctx context.Context) error {
	defer runtime.KeepAlive(f) // see Result
	select {
	case <-f.st.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return f.Err()
}

func (c *Client) onDone(fs *futureState, fn func()) {
	c.mu.Lock()
	if fs.status != Pending {
		c.mu.Unlock()
		fn()
		return
	}
	fs.waiters = append(fs.waiters, fn)
	c.mu.Unlock()
}

// Waitable is a future of any type.
type Waitable interface {
	Keyer
	Done() <-chan struct{}
	Err() error
	Status() Status
}

// Wait waits until every future is finished, erred or cancelled. It
// returns the first error among them, or ctx's error.
func Wait[F Waitable](ctx context.Context, fs ...F) error {
	for _, f := range fs {
		select {
		case <-f.Done():
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, f := range fs {
		if err := f.Err(); err != nil {
			return err
		}
	}
	return nil
}

// AsCompleted yields the futures in the order they finish (or err, or are
// cancelled), until all have or ctx ends. NewCompleted does the same and
// takes more futures while it runs, and gives results with errors.
func AsCompleted[T any](ctx context.Context, fs []*Future[T]) iter.Seq[*Future[T]] {
	return NewCompleted(fs...).Futures(ctx)
}

// WaitFirst waits until at least one of the futures is finished, erred or
// cancelled (Dask's wait(return_when=FIRST_COMPLETED)) and returns those
// that are, and those that are not, each in the order given. With no
// futures it returns at once.
func WaitFirst[F Waitable](ctx context.Context, fs ...F) (done, notDone []F, err error) {
	if len(fs) == 0 {
		return nil, nil, nil
	}
	first := make(chan struct{}, 1)
	stop := make(chan struct{})
	defer close(stop)
	for _, f := range fs {
		go func() {
			select {
			case <-f.Done():
				select {
				case first <- struct{}{}:
				default:
				}
			case <-stop:
			}
		}()
	}
	select {
	case <-first:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	for _, f := range fs {
		select {
		case <-f.Done():
			done = append(done, f)
		default:
			notDone = append(notDone, f)
		}
	}
	return done, notDone, nil
}

// AddDoneCallback calls fn with f once f is finished, erred or cancelled,
// on a goroutine of its own (at once if f is done already). fn runs once.
func (f *Future[T]) AddDoneCallback(fn func(*Future[T])) {
	f.onDone(func() { go fn(f) })
}

// Gather waits for the futures and returns their results in order. The
// results are fetched from the workers directly, many keys per request;
// those finished while later ones still run are fetched meanwhile. The
// first future that failed, in order, is the error.
func Gather[T any](ctx context.Context, fs []*Future[T]) ([]T, error) {
	if len(fs) == 0 {
		return nil, nil
	}
	defer runtime.KeepAlive(fs) // see Result
	c := fs[0].c
	t := reflect.TypeFor[T]()
	sts := make([]*futureState, len(fs))
	out := make([]T, len(fs))
	// Results finished while later ones still run are fetched meanwhile:
	// when the next future is not done yet, the finished ones before it
	// (gatherRound or more) are fetched in the background while this
	// goroutine waits. Results all finished already go in one fetch.
	fetchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		fetchErr error
		errAt    = len(fs) // the first position of a failed fetch
	)
	fetch := func(lo, hi int) {
		defer wg.Done()
		vals, err := c.gather(fetchCtx, sts[lo:hi], t, false)
		if err != nil {
			mu.Lock()
			if lo < errAt {
				fetchErr, errAt = err, lo
			}
			mu.Unlock()
			return
		}
		fill(out[lo:hi], vals)
	}
	start := 0
	for i, f := range fs {
		if f.h.released.Load() {
			cancel()
			wg.Wait()
			return nil, fmt.Errorf("dusk: future %s was released", f.st.key)
		}
		if i-start >= gatherRound && !isDone(f.st.done) {
			wg.Add(1)
			go fetch(start, i)
			start = i
		}
		if err := f.Wait(ctx); err != nil {
			cancel()
			wg.Wait()
			return nil, err
		}
		sts[i] = f.st
	}
	c.mu.Lock()
	nbytes := int64(0)
	for _, st := range sts {
		nbytes += st.nbytes
	}
	c.mu.Unlock()
	c.checkGather(nbytes, len(sts))
	wg.Add(1)
	fetch(start, len(fs))
	wg.Wait()
	if fetchErr != nil {
		return nil, fetchErr
	}
	return out, nil
}

// gatherRound is the fewest finished results Gather fetches while it
// waits for later ones.
const gatherRound = 256

// isDone reports whether ch is closed, without waiting.
func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// fill sets out from the values a gather decoded (an invalid value, one
// that decoded to nothing, leaves the zero T).
func fill[T any](out []T, vals []reflect.Value) {
	for i, v := range vals {
		if v.IsValid() {
			if x, ok := v.Interface().(T); ok {
				out[i] = x
			}
		}
	}
}

// gatherTyped fetches finished keys and decodes them as T.
func gatherTyped[T any](ctx context.Context, c *Client, sts []*futureState) ([]T, error) {
	vals, err := c.gather(ctx, sts, reflect.TypeFor[T](), true)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(vals))
	fill(out, vals)
	return out, nil
}

// gather fetches the values of finished keys from the workers holding
// them, as type t: one request per worker for all its keys, workers in
// parallel. A worker that no longer has a key (it died) is skipped for
// another holder, or the key is waited for while the cluster recomputes it.
// check records the large-gather advice (see checkGather) for this gather.
func (c *Client) gather(ctx context.Context, sts []*futureState, t reflect.Type, check bool) ([]reflect.Value, error) {
	c.gathers.Add(1)
	out := make([]reflect.Value, len(sts))
	todo := make([]int, len(sts))
	for i := range todo {
		todo[i] = i
	}
	for attempt := 0; len(todo) > 0; attempt++ {
		if attempt > 0 {
			if err := c.awaitRelocation(ctx, sts, todo); err != nil {
				return nil, err
			}
		}
		byAddr := map[string][]int{}
		var order []string
		nbytes := int64(0)
		c.mu.Lock()
		for _, i := range todo {
			st := sts[i]
			if st.status != Finished {
				c.mu.Unlock()
				return nil, st.errOr(fmt.Errorf("dusk: %s is %s", st.key, st.status))
			}
			if len(st.addrs) == 0 {
				c.mu.Unlock()
				return nil, fmt.Errorf("dusk: no worker holds %s", st.key)
			}
			nbytes += st.nbytes
			a := st.addrs[attempt%len(st.addrs)]
			if _, ok := byAddr[a]; !ok {
				order = append(order, a)
			}
			byAddr[a] = append(byAddr[a], i)
		}
		c.mu.Unlock()
		if attempt == 0 && check {
			c.checkGather(nbytes, len(todo))
		}
		var mu sync.Mutex
		var retry []int
		var firstErr error
		var wg sync.WaitGroup
		for _, addr := range order {
			idx := byAddr[addr]
			wg.Add(1)
			go func() {
				defer wg.Done()
				keys := make([]graph.Key, len(idx))
				pos := make(map[graph.Key][]int, len(idx))
				for j, i := range idx {
					keys[j] = sts[i].key
					pos[sts[i].key] = append(pos[sts[i].key], i)
				}
				got := make(map[graph.Key]bool, len(idx))
				_, _, err := c.peers.Fetch(ctx, addr, keys, "client", func(k graph.Key, data []byte, _ int64, _ string) {
					v, derr := decodeAs(data, t)
					mu.Lock()
					defer mu.Unlock()
					if derr != nil {
						if firstErr == nil {
							firstErr = fmt.Errorf("dusk: decoding %s as %s: %w", k, t, derr)
						}
						return
					}
					for _, i := range pos[k] {
						out[i] = v
					}
					got[k] = true
				})
				mu.Lock()
				defer mu.Unlock()
				if err != nil && ctx.Err() != nil && firstErr == nil {
					firstErr = ctx.Err()
				}
				for _, k := range keys {
					if !got[k] {
						retry = append(retry, pos[k]...)
					}
				}
			}()
		}
		wg.Wait()
		if firstErr != nil {
			return nil, firstErr
		}
		todo = dedupe(retry)
		if attempt > 20 {
			return nil, errors.New("dusk: gathering results failed repeatedly: the workers holding them keep leaving")
		}
	}
	return out, nil
}

func (st *futureState) errOr(err error) error {
	if st.err != nil {
		return st.err
	}
	return err
}

// awaitRelocation refreshes where keys are after a fetch failed: from the
// scheduler, or by waiting for the cluster to recompute them. A finished
// future stays finished meanwhile (its Done channel is never replaced); the
// wait ends at the key's next report.
func (c *Client) awaitRelocation(ctx context.Context, sts []*futureState, todo []int) error {
	keys := make([]string, len(todo))
	c.mu.Lock()
	versions := make([]int, len(todo))
	for j, i := range todo {
		keys[j] = string(sts[i].key)
		versions[j] = sts[i].version
	}
	c.mu.Unlock()
	// A scheduler that restarted knows the keys once the client gave it
	// its graphs again.
	if err := c.waitUp(ctx); err != nil {
		return err
	}
	reply, err := c.sched.WhoHas(ctx, &pb.WhoHasRequest{Keys: keys})
	if err != nil {
		return err
	}
	unknown := make(map[string]bool, len(reply.GetUnknown()))
	for _, k := range reply.GetUnknown() {
		unknown[k] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for j, i := range todo {
		st := sts[i]
		if loc := reply.GetWhoHas()[string(st.key)]; loc != nil && len(loc.GetAddresses()) > 0 {
			st.addrs = loc.GetAddresses()
			continue
		}
		if st.status != Finished {
			return st.errOr(fmt.Errorf("dusk: %s is %s", st.key, st.status))
		}
		if unknown[string(st.key)] {
			return fmt.Errorf("dusk: %s is no longer on the cluster (restarted, cancelled or released)", st.key)
		}
		// Being recomputed: wait for its next report, unless it came while
		// the scheduler was asked.
		for st.version == versions[j] && st.status == Finished && c.connErr == nil {
			reported := make(chan struct{})
			st.waiters = append(st.waiters, func() { close(reported) })
			c.mu.Unlock()
			select {
			case <-reported:
			case <-ctx.Done():
				c.mu.Lock()
				return ctx.Err()
			}
			c.mu.Lock()
		}
		if c.connErr != nil {
			return c.connErr
		}
		if st.status != Finished {
			return st.errOr(fmt.Errorf("dusk: %s is %s", st.key, st.status))
		}
	}
	return nil
}

func dedupe(xs []int) []int {
	seen := make(map[int]bool, len(xs))
	out := xs[:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
