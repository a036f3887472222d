package dashboard

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/diagnostics/layout"
	"github.com/dusk-go/dusk/graph"
)

// Source is what the dashboard watches: a scheduler's event ring, and its
// state for the rare reads events do not answer (workers' static facts,
// the graph's edges). *scheduler.Server is one.
type Source interface {
	// Events returns the ring the scheduler records its events in.
	Events() *event.Ring
	// Snapshot returns the scheduler's last published snapshot of its
	// tasks and workers; it never waits for the scheduler.
	Snapshot() *event.Snapshot
	// Graph returns the task graph if it has at most limit tasks (else
	// only its size), copied by the scheduler's own goroutine.
	Graph(ctx context.Context, limit int) (*event.Graph, error)
	// ID returns the scheduler's ID.
	ID() string
}

// Options tune the aggregator; the zero value is good.
type Options struct {
	// Interval is how often the aggregator reads new events and pushes an
	// update to the pages (default 200ms).
	Interval time.Duration
	// MaxBarsPerUpdate bounds the task-stream bars in one update; more
	// are counted as dropped (default 2000, so a page receives at most
	// 10,000 bars a second however fast tasks run).
	MaxBarsPerUpdate int
	// RecentBars is how many bars a new page receives (default 5000).
	RecentBars int
	// GraphLimit is the most tasks the graph view draws (default 5000).
	GraphLimit int
	// Logger receives the dashboard's own log; nil means slog.Default().
	Logger *slog.Logger
	// Advise, if set, answers the page's request for advice (/api/advice)
	// with what it returns, as JSON: the advisor's findings about src's
	// recent past. The advisor lives above this package, and its
	// ForDashboard is the function to set; without one the page says that
	// no advisor runs here.
	Advise func(ctx context.Context, src Source) (any, error)
}

func (o *Options) defaults() {
	if o.Interval <= 0 {
		o.Interval = 200 * time.Millisecond
	}
	if o.MaxBarsPerUpdate <= 0 {
		o.MaxBarsPerUpdate = 2000
	}
	if o.RecentBars <= 0 {
		o.RecentBars = 5000
	}
	if o.GraphLimit <= 0 {
		o.GraphLimit = 5000
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Aggregator is the one reader of a scheduler's events for every page of
// its dashboard. It keeps the dashboard's state and hands each page the
// same encoded updates.
type Aggregator struct {
	src       Source
	ring      *event.Ring
	opts      Options
	durations *prometheus.HistogramVec // task durations by prefix; safe for concurrent use

	polling sync.Mutex // held for a whole Poll: one reader of the ring at a time

	mu        sync.Mutex // protects the fields below; never held while the scheduler's lock is taken
	seq       uint64     // the next event to read
	lost      uint64
	dropped   uint64
	recent    []Bar // the last RecentBars bars, oldest first (a ring: next is where the next goes)
	next      int
	pending   []Bar // bars since the last update
	prefixes  map[string]*prefixState
	plist     []*prefixState     // prefixes by index, for keys
	keys      map[string]keyInfo // every live task
	workers   map[string]*WorkerStat
	stale     bool      // workers joined or left: their static facts need reading
	staleAt   time.Time // the time of the event that made them stale
	logs      []LogLine
	newLogs   []LogLine
	changed   bool // something to tell the pages
	graphGen  uint64
	subs      map[*subscriber]struct{}
	totals    totals
	graphMu   sync.Mutex // serializes graph-view layouts; taken before mu
	graphView *graphCache
}

// totals are the running sums behind the Prometheus counters.
type totals struct {
	transferBytes, spillBytes, unspillBytes int64
	transfers, runs, failures               int64
}

// taskState is a state as an index into the counts of prefixState.
type taskState uint8

const (
	sReleased taskState = iota
	sWaiting
	sNoWorker
	sQueued
	sProcessing
	sMemory
	sErred
	sForgotten
	nStates
)

// stateNames are the scheduler's names of the states (as transition
// events carry them), by index; a test checks them against the scheduler's.
var stateNames = [nStates]string{
	sReleased: "released", sWaiting: "waiting", sNoWorker: "no-worker", sQueued: "queued",
	sProcessing: "processing", sMemory: "memory", sErred: "erred", sForgotten: "forgotten",
}

// stateOf returns the index of the state named name.
func stateOf(name string) (taskState, bool) {
	for i, n := range stateNames {
		if n == name {
			return taskState(i), true
		}
	}
	return 0, false
}

// keyInfo is what the aggregator keeps per live task, packed in a word
// (the map holds one per task: a 100,000-task graph costs about 3 MB):
// the state in the low byte, the prefix's index in plist above it.
type keyInfo uint32

func (k keyInfo) state() taskState { return taskState(k & 0xff) }
func (k keyInfo) prefix() int      { return int(k >> 8) }
func pack(st taskState, prefix int) keyInfo {
	return keyInfo(uint32(prefix)<<8 | uint32(st))
}

type prefixState struct {
	name    string
	index   int
	dur     prometheus.Observer // its series of the durations histogram, once it ran
	count   [nStates]int        // tasks in each state now; sForgotten counts those gone
	total   int
	runs    int
	seconds float64
}

type subscriber struct {
	ch chan []byte // encoded updates; closed when the page fell behind
}

// NewAggregator returns an aggregator of src's events. Run it with Run.
func NewAggregator(src Source, opts Options) *Aggregator {
	opts.defaults()
	return &Aggregator{
		src:  src,
		ring: src.Events(),
		opts: opts,
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dusk_scheduler_task_duration_seconds",
			Help:    "How long tasks ran on workers, by key prefix.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 12),
		}, []string{"prefix"}),
		recent:   make([]Bar, 0, opts.RecentBars),
		prefixes: make(map[string]*prefixState),
		keys:     make(map[string]keyInfo),
		workers:  make(map[string]*WorkerStat),
		stale:    true,
		subs:     make(map[*subscriber]struct{}),
	}
}

// Run reads events every Interval and pushes updates until ctx ends; then
// every page's stream ends.
func (a *Aggregator) Run(ctx context.Context) {
	t := time.NewTicker(a.opts.Interval)
	defer t.Stop()
	defer a.closeAll()
	for {
		a.Poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Poll reads the events recorded since the last call, refreshes the
// workers' facts if workers came or went, and sends every page an update
// if anything changed. Run calls it every Interval; tests call it
// directly. Calls are serialized: when Poll returns, every event recorded
// before it was called has been applied.
func (a *Aggregator) Poll(ctx context.Context) {
	// Events are folded where the ring holds them (no copy of each),
	// with the ring locked: a batch at a time, so that the scheduler
	// never waits long to add its events.
	const batch = 4096
	a.polling.Lock()
	defer a.polling.Unlock()
	for {
		n := 0
		a.mu.Lock()
		next, lost := a.ring.Read(a.seq, batch, func(e *event.Event) {
			n++
			a.apply(e)
		})
		a.lost += lost
		a.seq = next
		if lost > 0 {
			// The counts folded from events would drift: set them to
			// the scheduler's snapshot, taken after the events read.
			a.reconcile(a.src.Snapshot())
		}
		stale := a.stale
		a.mu.Unlock()
		if stale {
			a.refreshWorkers()
		}
		if n < batch {
			break
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.changed {
		return
	}
	a.changed = false
	if len(a.subs) == 0 { // nobody to tell: skip the encoding
		a.pending = a.pending[:0]
		a.newLogs = a.newLogs[:0]
		return
	}
	msg := a.encode(a.update(false))
	a.pending = a.pending[:0]
	a.newLogs = a.newLogs[:0]
	for s := range a.subs {
		select {
		case s.ch <- msg:
		default: // the page fell behind: it reconnects for a snapshot
			delete(a.subs, s)
			close(s.ch)
		}
	}
}

// apply folds one event into the state; a.mu is held.
func (a *Aggregator) apply(e *event.Event) {
	a.changed = true
	switch e.Kind {
	case event.Transition:
		a.transition(e.Key, e.To)
	case event.TaskRun:
		kind := "task"
		if e.Failed {
			kind = "error"
			a.totals.failures++
		}
		prefix := graph.Key(e.Key).Prefix()
		a.addBar(Bar{Worker: e.Worker, Thread: e.Thread, Kind: kind, Prefix: prefix, Key: e.Key, Start: ms(e.Start), Stop: ms(e.Stop)})
		p := a.prefix(prefix)
		p.runs++
		a.totals.runs++
		if !e.Start.IsZero() && e.Stop.After(e.Start) {
			d := e.Stop.Sub(e.Start).Seconds()
			p.seconds += d
			if p.dur == nil {
				p.dur = a.durations.WithLabelValues(prefix)
			}
			p.dur.Observe(d)
		}
	case event.Transfer, event.Spill, event.Unspill:
		a.addBar(Bar{Worker: e.Worker, Thread: -1, Kind: e.Kind.String(), Prefix: graph.Key(e.Key).Prefix(), Key: e.Key,
			Start: ms(e.Start), Stop: ms(e.Stop), NBytes: e.NBytes})
		switch e.Kind {
		case event.Transfer:
			a.totals.transferBytes += e.NBytes
			a.totals.transfers++
		case event.Spill:
			a.totals.spillBytes += e.NBytes
		default:
			a.totals.unspillBytes += e.NBytes
		}
	case event.WorkerSample:
		w := a.workers[e.Worker]
		if w == nil {
			a.markStale(e.Time)
			return
		}
		if m := e.Memory; m != nil {
			w.Managed, w.Unmanaged, w.Spilled, w.CPU = m.Managed, m.Unmanaged, m.Spilled, m.CPU
			w.Executing, w.Ready, w.Paused, w.BytesIn, w.BytesOut = m.Executing, m.Ready, m.Paused, m.BytesIn, m.BytesOut
			if m.Limit > 0 {
				w.Limit = m.Limit
			}
			w.Status = "running"
			if m.Paused {
				w.Status = "paused"
			}
		}
	case event.WorkerAdded:
		a.markStale(e.Time)
	case event.WorkerRemoved:
		delete(a.workers, e.Worker)
		a.markStale(e.Time)
	case event.Log:
		l := LogLine{Time: ms(e.Time), Level: e.Key, Text: e.Detail}
		a.logs = append(a.logs, l)
		if len(a.logs) > 200 {
			a.logs = slices.Delete(a.logs, 0, len(a.logs)-200)
		}
		a.newLogs = append(a.newLogs, l)
	case event.Reset:
		clear(a.keys)
		clear(a.prefixes)
		a.plist = a.plist[:0]
		a.graphGen++
	}
}

// transition moves a task between states in the counts; a.mu is held.
// It is the aggregator's hot path: one map lookup for a known task.
func (a *Aggregator) transition(key, to string) {
	ti, ok := stateOf(to)
	if !ok {
		return
	}
	var p *prefixState
	if old, known := a.keys[key]; known {
		p = a.plist[old.prefix()]
		p.count[old.state()]--
	} else {
		p = a.prefix(graph.Key(key).Prefix())
		p.total++
		a.graphGen++
	}
	p.count[ti]++
	if ti == sForgotten {
		delete(a.keys, key)
		a.graphGen++
		return
	}
	a.keys[key] = pack(ti, p.index)
}

// reconcile resets the counts of tasks by prefix and state to the
// scheduler's snapshot after events were lost (the counts folded from
// events would drift), and forgets the keys of prefixes the scheduler no
// longer holds; a.mu is held.
func (a *Aggregator) reconcile(snap *event.Snapshot) {
	for name, p := range a.prefixes {
		by := snap.Prefixes[name]
		for i := range nStates {
			if taskState(i) != sForgotten {
				p.count[i] = by[stateNames[i]]
			}
		}
	}
	for k, info := range a.keys {
		if len(snap.Prefixes[a.plist[info.prefix()].name]) == 0 {
			delete(a.keys, k)
		}
	}
	a.graphGen++
	a.changed = true
}

func (a *Aggregator) prefix(name string) *prefixState {
	p := a.prefixes[name]
	if p == nil {
		p = &prefixState{name: name, index: len(a.plist)}
		a.prefixes[name] = p
		a.plist = append(a.plist, p)
	}
	return p
}

// addBar queues a bar for the next update and keeps it for snapshots.
func (a *Aggregator) addBar(b Bar) {
	if len(a.pending) < a.opts.MaxBarsPerUpdate {
		a.pending = append(a.pending, b)
	} else {
		a.dropped++
	}
	if len(a.recent) < a.opts.RecentBars {
		a.recent = append(a.recent, b)
		return
	}
	a.recent[a.next] = b
	a.next = (a.next + 1) % len(a.recent)
}

// markStale notes that workers came or went at t; a.mu is held.
func (a *Aggregator) markStale(t time.Time) {
	a.stale = true
	if t.After(a.staleAt) {
		a.staleAt = t
	}
}

// refreshWorkers reads the workers' static facts from the scheduler's
// published snapshot (never its live state). A snapshot older than the
// event that made the facts stale leaves them stale, to be read again at
// the next poll.
func (a *Aggregator) refreshWorkers() {
	snap := a.src.Snapshot()
	fresh := make([]WorkerStat, len(snap.Workers))
	for i, w := range snap.Workers {
		m := w.Memory
		fresh[i] = WorkerStat{ID: w.ID, Address: w.Address, Name: w.Name, Threads: w.Threads,
			Resources: w.Resources, Limit: w.MemoryLimit, Status: w.Status,
			Managed: m.Managed, Unmanaged: m.Unmanaged, Spilled: m.Spilled, CPU: m.CPU,
			Executing: m.Executing, Ready: m.Ready, Paused: m.Paused, BytesIn: m.BytesIn, BytesOut: m.BytesOut}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stale = snap.Time.Before(a.staleAt)
	a.changed = true
	next := make(map[string]*WorkerStat, len(fresh))
	for i := range fresh {
		w := &fresh[i]
		if old := a.workers[w.ID]; old != nil && old.Managed+old.Unmanaged > 0 {
			// Samples read since are newer than the state's copy.
			w.Managed, w.Unmanaged, w.Spilled, w.CPU = old.Managed, old.Unmanaged, old.Spilled, old.CPU
			w.Executing, w.Ready, w.Paused, w.BytesIn, w.BytesOut = old.Executing, old.Ready, old.Paused, old.BytesIn, old.BytesOut
		}
		next[w.ID] = w
	}
	a.workers = next
}

// update returns the state as a message: whole when reset, else with the
// bars and log lines since the last update; a.mu is held.
func (a *Aggregator) update(reset bool) *Update {
	u := &Update{Reset: reset, Scheduler: a.src.ID(), Now: ms(time.Now()), Seq: a.seq, Lost: a.lost, Dropped: a.dropped,
		Tasks: len(a.keys), Prefixes: a.prefixStats(), Workers: a.workerStats()}
	if reset {
		u.Bars = make([]Bar, 0, len(a.recent))
		u.Bars = append(u.Bars, a.recent[a.next:]...)
		u.Bars = append(u.Bars, a.recent[:a.next]...)
		u.Logs = slices.Clone(a.logs)
	} else {
		u.Bars = a.pending
		u.Logs = a.newLogs
	}
	if u.Bars == nil {
		u.Bars = []Bar{}
	}
	return u
}

func (a *Aggregator) prefixStats() []PrefixStat {
	out := make([]PrefixStat, 0, len(a.prefixes))
	for _, name := range slices.Sorted(maps.Keys(a.prefixes)) {
		p := a.prefixes[name]
		c := &p.count
		out = append(out, PrefixStat{Name: name, Color: layout.PrefixColor(name),
			Waiting: c[sWaiting] + c[sQueued] + c[sNoWorker], Processing: c[sProcessing], Memory: c[sMemory],
			Erred: c[sErred], Done: c[sReleased] + c[sForgotten], Total: p.total, Runs: p.runs, Seconds: p.seconds})
	}
	return out
}

func (a *Aggregator) workerStats() []WorkerStat {
	out := make([]WorkerStat, 0, len(a.workers))
	for _, id := range slices.Sorted(maps.Keys(a.workers)) {
		out = append(out, *a.workers[id])
	}
	return out
}

func (a *Aggregator) encode(u *Update) []byte {
	b, err := json.Marshal(u)
	if err != nil { // cannot happen: the types are plain
		a.opts.Logger.Error("dashboard: encoding an update", "err", err)
	}
	return b
}

// Snapshot returns the dashboard's state as a page receives it when it
// connects.
func (a *Aggregator) Snapshot() *Update {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.update(true)
}

// subscribe registers a page: it receives a snapshot now and every update
// after it, in order, on the returned subscriber's channel, until it falls
// more than buffer updates behind or unsubscribes.
func (a *Aggregator) subscribe(buffer int) *subscriber {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := &subscriber{ch: make(chan []byte, buffer+1)}
	s.ch <- a.encode(a.update(true))
	a.subs[s] = struct{}{}
	return s
}

// unsubscribe removes a page that went away.
func (a *Aggregator) unsubscribe(s *subscriber) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.subs[s]; ok {
		delete(a.subs, s)
		close(s.ch)
	}
}

// Pages returns how many pages are connected.
func (a *Aggregator) Pages() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.subs)
}

func (a *Aggregator) closeAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for s := range a.subs {
		delete(a.subs, s)
		close(s.ch)
	}
}

// ms converts a time to milliseconds since the epoch (0 for the zero time).
func ms(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e6
}
