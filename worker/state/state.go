package state

import (
	"container/heap"
	"fmt"
	"slices"

	"github.com/dusk-go/dusk/graph"
)

// Config holds a worker's limits.
type Config struct {
	// Address is this worker's own address: never fetch from it.
	Address string
	// NThreads is how many tasks run at once.
	NThreads int
	// Resources the worker supplies; tasks consume them while they run.
	Resources map[string]float64
	// MaxFetches bounds fetches in flight at once (one per peer at most).
	MaxFetches int
	// FetchBytes bounds the bytes asked of one peer in one fetch.
	FetchBytes int64
	// FlightBytes bounds the bytes of all fetches in flight together, so
	// that incoming data cannot push a worker past its memory limit (0: no
	// bound). A fetch larger than the bound still starts when nothing else
	// is in flight, so that every value can arrive.
	FlightBytes int64
	// Validate checks every invariant after every event (for tests).
	Validate bool
}

// Task is the worker's record of one key.
type Task struct {
	Key   graph.Key
	Spec  *graph.Task // nil for a value that is only an input here
	State TaskState
	Prio  Priority

	deps       []*Task // inputs, while the task waits or runs
	dependents []*Task // local tasks waiting for this value
	nMissing   int

	peers  []string // who has it, for Fetch
	tried  []string
	NBytes int64

	thread    int
	acquire   bool // fetched as a copy for the scheduler, not for a task
	freed     bool // the scheduler freed it; drop once no dependent needs it
	rerun     bool // asked to compute again while cancelled
	heapIdx   int
	resources map[string]float64
}

// State is a worker's bookkeeping. One goroutine owns it.
type State struct {
	cfg     Config
	tasks   map[graph.Key]*Task
	ready   readyHeap
	toFetch []*Task
	flights map[string][]*Task // peer -> keys being fetched from it
	// flightBytes is the size of each fetch in flight, by peer, and
	// inFlight their sum.
	flightBytes map[string]int64
	inFlight    int64
	threads     []int // free thread numbers
	avail       map[string]float64
	paused      bool
	nexec       int
	out         []Instruction
}

// New returns an empty worker state.
func New(cfg Config) *State {
	if cfg.NThreads < 1 {
		cfg.NThreads = 1
	}
	if cfg.MaxFetches < 1 {
		cfg.MaxFetches = 50
	}
	if cfg.FetchBytes <= 0 {
		cfg.FetchBytes = 50 << 20
	}
	s := &State{
		cfg:         cfg,
		tasks:       make(map[graph.Key]*Task),
		flights:     make(map[string][]*Task),
		flightBytes: make(map[string]int64),
		avail:       make(map[string]float64, len(cfg.Resources)),
	}
	for i := cfg.NThreads - 1; i >= 0; i-- {
		s.threads = append(s.threads, i)
	}
	for k, v := range cfg.Resources {
		s.avail[k] = v
	}
	return s
}

// Handle applies one event; its instructions accumulate until Ready.
func (s *State) Handle(ev Event) {
	switch e := ev.(type) {
	case *Compute:
		s.compute(e)
	case *Free:
		for _, k := range e.Keys {
			s.free(k)
		}
	case *Steal:
		s.steal(e.Key)
	case *Acquire:
		s.acquireKeys(e.Deps)
	case *Executed:
		s.executed(e)
	case *Fetched:
		s.fetched(e)
	case *Stored:
		s.stored(e.Keys)
	case *Pause:
		s.paused = e.Paused
	default:
		panic(fmt.Sprintf("worker state: unknown event %T", ev))
	}
	s.ensureExecuting()
	s.ensureFetching()
	if s.cfg.Validate {
		if err := s.Check(); err != nil {
			panic(fmt.Sprintf("worker state: invariant broken after %T: %v", ev, err))
		}
	}
}

// Ready returns the instructions produced since the last call; the slice
// is reused after the next Handle.
func (s *State) Ready() []Instruction {
	out := s.out
	if cap(out) > 1<<12 {
		s.out = nil
	} else {
		s.out = out[len(out):]
	}
	return out
}

func (s *State) emit(i Instruction) { s.out = append(s.out, i) }

// Task returns the record of key k, or nil.
func (s *State) Task(k graph.Key) *Task { return s.tasks[k] }

// Executing returns how many tasks run now.
func (s *State) Executing() int { return s.nexec }

// NReady returns how many tasks wait for a thread.
func (s *State) NReady() int { return s.ready.Len() }

// Paused reports whether the worker is paused.
func (s *State) Paused() bool { return s.paused }

// Len returns how many keys the worker knows.
func (s *State) Len() int { return len(s.tasks) }

func (s *State) compute(e *Compute) {
	k := e.Task.Key
	if t := s.tasks[k]; t != nil {
		switch t.State {
		case Memory:
			t.freed = false
			s.emit(&Finished{Key: k, NBytes: t.NBytes})
		case Cancelled:
			t.rerun = true
			t.Spec, t.Prio = e.Task, e.Priority
		case Fetch, Flight:
			// It is expected here as an input and now as a task: keep
			// fetching; if the fetch fails it is computed (see fetched).
			t.Spec, t.Prio = e.Task, e.Priority
		}
		return
	}
	t := &Task{Key: k, Spec: e.Task, Prio: e.Priority, State: Waiting, heapIdx: -1, resources: e.Task.Resources}
	s.tasks[k] = t
	s.link(t, e.Deps)
	if t.nMissing == 0 {
		s.toReady(t)
	}
}

// link connects a task to its inputs, creating records for the ones that
// must be fetched.
func (s *State) link(t *Task, deps []Dep) {
	t.deps = make([]*Task, 0, len(deps))
	t.nMissing = 0
	for _, dl := range deps {
		d := s.tasks[dl.Key]
		if d == nil {
			d = &Task{Key: dl.Key, State: Fetch, NBytes: dl.NBytes, heapIdx: -1}
			s.tasks[dl.Key] = d
			s.toFetch = append(s.toFetch, d)
		}
		if d.State == Fetch || d.State == Flight {
			for _, p := range dl.Peers {
				if p != s.cfg.Address && !slices.Contains(d.peers, p) && !slices.Contains(d.tried, p) {
					d.peers = append(d.peers, p)
				}
			}
		}
		t.deps = append(t.deps, d)
		d.dependents = append(d.dependents, t)
		if d.State != Memory {
			t.nMissing++
		}
	}
}

func (s *State) toReady(t *Task) {
	t.State = Ready
	heap.Push(&s.ready, t)
}

// detach removes t from its inputs' dependents, dropping inputs nobody
// here needs any more.
func (s *State) detach(t *Task) {
	for _, d := range t.deps {
		if i := slices.Index(d.dependents, t); i >= 0 {
			d.dependents = slices.Delete(d.dependents, i, i+1)
		}
		if len(d.dependents) > 0 {
			continue
		}
		switch {
		case d.State == Fetch && !d.acquire:
			s.forget(d)
		case d.State == Flight && !d.acquire:
			d.freed = true // dropped when it arrives
		case d.State == Memory && d.freed:
			s.emit(&Drop{Keys: []graph.Key{d.Key}})
			s.forget(d)
		}
	}
	t.deps = nil
}

func (s *State) forget(t *Task) {
	if s.tasks[t.Key] == t {
		delete(s.tasks, t.Key)
	}
}

func (s *State) free(k graph.Key) {
	t := s.tasks[k]
	if t == nil {
		return
	}
	switch t.State {
	case Executing:
		t.State = Cancelled
		t.rerun = false
		s.emit(&CancelTask{Key: k})
	case Ready:
		heap.Remove(&s.ready, t.heapIdx)
		s.abandonDependents(t)
		s.detach(t)
		s.forget(t)
	case Waiting:
		s.abandonDependents(t)
		s.detach(t)
		s.forget(t)
	case Memory:
		if len(t.dependents) > 0 {
			t.freed = true
			return
		}
		s.emit(&Drop{Keys: []graph.Key{k}})
		s.forget(t)
	case Fetch, Flight:
		t.Spec = nil
		if len(t.dependents) > 0 {
			return
		}
		t.acquire = false
		if t.State == Fetch {
			s.forget(t)
		} else {
			t.freed = true
		}
	case Cancelled:
		t.rerun = false
	}
}

func (s *State) steal(k graph.Key) {
	t := s.tasks[k]
	if t == nil || (t.State != Waiting && t.State != Ready) || t.Spec == nil {
		s.emit(&StealReply{Key: k, Stolen: false})
		return
	}
	s.free(k)
	s.emit(&StealReply{Key: k, Stolen: true})
}

func (s *State) acquireKeys(deps []Dep) {
	var have []KeySize
	for _, dl := range deps {
		d := s.tasks[dl.Key]
		if d != nil && d.State == Memory {
			d.freed = false
			have = append(have, KeySize{Key: d.Key, NBytes: d.NBytes})
			continue
		}
		if d == nil {
			d = &Task{Key: dl.Key, State: Fetch, NBytes: dl.NBytes, heapIdx: -1}
			s.tasks[dl.Key] = d
			s.toFetch = append(s.toFetch, d)
		}
		d.acquire = true
		for _, p := range dl.Peers {
			if p != s.cfg.Address && !slices.Contains(d.peers, p) {
				d.peers = append(d.peers, p)
			}
		}
	}
	if len(have) > 0 {
		s.emit(&Added{Keys: have})
	}
}

func (s *State) executed(e *Executed) {
	t := s.tasks[e.Key]
	if t == nil || (t.State != Executing && t.State != Cancelled) {
		if e.Err == nil {
			s.emit(&Drop{Keys: []graph.Key{e.Key}})
		}
		return
	}
	s.nexec--
	s.threads = append(s.threads, t.thread)
	for r, v := range t.resources {
		s.avail[r] += v
	}
	if t.State == Cancelled {
		if e.Err == nil {
			s.emit(&Drop{Keys: []graph.Key{e.Key}})
		}
		if t.rerun {
			t.rerun = false
			s.toReady(t)
			return
		}
		s.abandonDependents(t)
		s.detach(t)
		s.forget(t)
		return
	}
	if e.Err != nil {
		s.emit(&Failed{Key: t.Key, Err: e.Err, Thread: e.Thread, Start: e.Start, Stop: e.Stop})
		s.abandonDependents(t)
		s.detach(t)
		s.forget(t)
		return
	}
	t.State = Memory
	t.NBytes = e.NBytes
	s.emit(&Finished{Key: t.Key, NBytes: e.NBytes, Type: e.Type, Thread: e.Thread, Start: e.Start, Stop: e.Stop})
	s.detach(t)
	s.inputArrived(t)
}

// abandonDependents drops the tasks here that wait for t, which failed,
// was freed or stolen, and will not be stored here. They were sent ahead to follow t
// (a task is sent with inputs still missing only then), and the scheduler
// takes such followers back when t fails or is released, sending them
// again once their inputs exist: so they go without a message.
func (s *State) abandonDependents(t *Task) {
	for _, dt := range slices.Clone(t.dependents) {
		s.abandonDependents(dt) // and the tasks sent ahead to follow them
		if dt.State == Ready {
			heap.Remove(&s.ready, dt.heapIdx)
		}
		s.detach(dt)
		s.forget(dt)
	}
}

// inputArrived tells the tasks waiting for t that it is here.
func (s *State) inputArrived(t *Task) {
	for _, dt := range t.dependents {
		dt.nMissing--
		if dt.nMissing == 0 && dt.State == Waiting {
			s.toReady(dt)
		}
	}
}

func (s *State) fetched(e *Fetched) {
	asked := s.flights[e.Peer]
	delete(s.flights, e.Peer)
	s.inFlight -= s.flightBytes[e.Peer]
	delete(s.flightBytes, e.Peer)
	got := make(map[graph.Key]int64, len(e.Got))
	for _, ks := range e.Got {
		got[ks.Key] = ks.NBytes
	}
	var added []KeySize
	var drop []graph.Key
	for _, ks := range e.Got {
		t := s.tasks[ks.Key]
		if t == nil || t.State != Flight || !slices.Contains(asked, t) {
			if t == nil || t.State != Memory {
				drop = append(drop, ks.Key)
			}
			continue
		}
		if t.freed && len(t.dependents) == 0 && !t.acquire {
			drop = append(drop, ks.Key)
			s.forget(t)
			continue
		}
		t.State = Memory
		t.NBytes = ks.NBytes
		t.peers, t.tried = nil, nil
		t.Spec = nil
		added = append(added, KeySize{Key: t.Key, NBytes: t.NBytes})
		s.inputArrived(t)
	}
	if len(drop) > 0 {
		s.emit(&Drop{Keys: drop})
	}
	if len(added) > 0 {
		s.emit(&Added{Keys: added})
	}
	for _, t := range asked {
		if _, ok := got[t.Key]; ok || t.State != Flight || s.tasks[t.Key] != t {
			continue
		}
		t.peers = slices.DeleteFunc(t.peers, func(p string) bool { return p == e.Peer })
		t.tried = append(t.tried, e.Peer)
		if t.freed && len(t.dependents) == 0 && !t.acquire {
			s.forget(t)
			continue
		}
		if len(t.peers) > 0 {
			t.State = Fetch
			s.toFetch = append(s.toFetch, t)
			continue
		}
		s.lost(t)
	}
}

// lost gives up on fetching t: the tasks that needed it are handed back to
// the scheduler, which finds or recomputes the value.
func (s *State) lost(t *Task) {
	for _, dt := range slices.Clone(t.dependents) {
		s.emit(&Missing{Task: dt.Key, Key: t.Key, Tried: slices.Clone(t.tried)})
		s.abandonDependents(dt)
		if dt.State == Ready {
			heap.Remove(&s.ready, dt.heapIdx)
		}
		s.detach(dt)
		s.forget(dt)
	}
	s.forget(t)
	if t.Spec != nil {
		// The scheduler also asked this worker to compute it.
		s.emit(&Rejected{Key: t.Key})
	}
}

func (s *State) stored(keys []KeySize) {
	for _, ks := range keys {
		t := s.tasks[ks.Key]
		if t == nil {
			s.tasks[ks.Key] = &Task{Key: ks.Key, State: Memory, NBytes: ks.NBytes, heapIdx: -1}
			continue
		}
		if t.State == Fetch || t.State == Flight {
			t.State = Memory
			t.NBytes = ks.NBytes
			t.peers, t.tried = nil, nil
			s.inputArrived(t)
		}
	}
}

// ensureExecuting starts ready tasks while threads and resources allow.
func (s *State) ensureExecuting() {
	if s.paused {
		return
	}
	var blocked []*Task
	for s.nexec < s.cfg.NThreads && s.ready.Len() > 0 {
		t := heap.Pop(&s.ready).(*Task)
		if !s.take(t.resources) {
			blocked = append(blocked, t)
			continue
		}
		t.State = Executing
		t.thread = s.threads[len(s.threads)-1]
		s.threads = s.threads[:len(s.threads)-1]
		s.nexec++
		s.emit(&Started{Key: t.Key, Thread: t.thread})
		s.emit(&Execute{Task: t.Spec, Thread: t.thread})
	}
	for _, t := range blocked {
		heap.Push(&s.ready, t)
	}
}

func (s *State) take(res map[string]float64) bool {
	for r, v := range res {
		if s.avail[r] < v {
			return false
		}
	}
	for r, v := range res {
		s.avail[r] -= v
	}
	return true
}

// ensureFetching asks peers for the inputs waiting to be fetched, one
// request per peer at a time, batching keys up to FetchBytes, and all
// requests together up to FlightBytes.
func (s *State) ensureFetching() {
	if s.paused || len(s.toFetch) == 0 {
		return
	}
	pending := s.toFetch[:0]
	batches := map[string][]*Task{}
	var order []string
	bytes := map[string]int64{}
	total := s.inFlight // in flight, and asked for in this round
	for _, t := range s.toFetch {
		if s.tasks[t.Key] != t || t.State != Fetch {
			continue // stale entry
		}
		if len(t.peers) == 0 {
			s.lost(t)
			continue
		}
		if s.cfg.FlightBytes > 0 && total > 0 && total+t.NBytes > s.cfg.FlightBytes {
			pending = append(pending, t)
			continue
		}
		peer := ""
		for _, p := range t.peers {
			if _, busy := s.flights[p]; busy {
				continue
			}
			if b, ok := batches[p]; ok && bytes[p]+t.NBytes > s.cfg.FetchBytes && len(b) > 0 {
				continue
			}
			if _, ok := batches[p]; !ok && len(s.flights)+len(batches) >= s.cfg.MaxFetches {
				continue
			}
			peer = p
			break
		}
		if peer == "" {
			pending = append(pending, t)
			continue
		}
		if _, ok := batches[peer]; !ok {
			order = append(order, peer)
		}
		batches[peer] = append(batches[peer], t)
		bytes[peer] += t.NBytes
		total += t.NBytes
	}
	clear(s.toFetch[len(pending):])
	s.toFetch = pending
	for _, p := range order {
		ts := batches[p]
		keys := make([]graph.Key, len(ts))
		for i, t := range ts {
			t.State = Flight
			keys[i] = t.Key
		}
		s.flights[p] = ts
		s.flightBytes[p] = bytes[p]
		s.inFlight += bytes[p]
		s.emit(&FetchFrom{Peer: p, Keys: keys})
	}
}

// readyHeap orders ready tasks by priority.
type readyHeap []*Task

func (h readyHeap) Len() int           { return len(h) }
func (h readyHeap) Less(i, j int) bool { return h[i].Prio.Less(h[j].Prio) }
func (h readyHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx = i
	h[j].heapIdx = j
}
func (h *readyHeap) Push(x any) {
	t := x.(*Task)
	t.heapIdx = len(*h)
	*h = append(*h, t)
}
func (h *readyHeap) Pop() any {
	old := *h
	n := len(old) - 1
	t := old[n]
	old[n] = nil
	*h = old[:n]
	t.heapIdx = -1
	return t
}
