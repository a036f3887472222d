package state

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/dusk-go/dusk/graph"
)

// Config holds the state machine's settings.
type Config struct {
	// WorkerSaturation bounds root tasks sent to a worker at once, as a
	// multiple of its threads (Dask's distributed.scheduler.worker-saturation).
	// +Inf sends every root task at once (no queuing).
	WorkerSaturation float64
	// Bandwidth is the bytes per second assumed between workers until one
	// has measured its fetches (see bandwidth.go).
	Bandwidth float64
	// UnknownDuration is the duration assumed for a task whose kind has not
	// run yet.
	UnknownDuration time.Duration
	// AllowedFailures is how many workers a task may be executing on when
	// they die before it errs with a KilledWorker error.
	AllowedFailures int
	// WorkStealing moves work from busy to idle workers when the transfer
	// is cheap against the compute.
	WorkStealing bool
	// StealInterval is the least time between two looks for work to steal
	// (they happen on Tick events); 0 looks at every Tick.
	StealInterval time.Duration
	// Speculate sends a task to a worker before its inputs are all in
	// memory when they are being computed there (see speculate.go).
	Speculate bool
	// WorkerTTL removes a worker whose heartbeats stop for this long
	// (0: never).
	WorkerTTL time.Duration
	// Record makes diagnostic events (transitions, task runs, workers
	// joining and leaving, their samples) for Ready.Events.
	Record bool
	// MaxEvents bounds the events a Ready holds (the shell's event ring
	// keeps no more): when one event produces more, as a huge graph does,
	// the oldest are dropped and counted in Ready.DroppedEvents. 0 means
	// 1<<16.
	MaxEvents int
	// Sink, when set, receives the diagnostic events in batches of a few
	// thousand while one event is handled, in order, before the rest come
	// in Ready.Events: the shell's event ring, so that a huge graph's
	// events pass through one small buffer.
	Sink EventSink
	// OrphanTTL is how long results that workers kept through a restart
	// of the scheduler wait for a client to submit their tasks again
	// before the workers drop them (0: they wait for ever).
	OrphanTTL time.Duration
	// Validate checks every invariant after every event (slow; for tests).
	Validate bool
	// Seed seeds the random source used to break ties.
	Seed uint64
}

// DefaultConfig returns Dask's defaults.
func DefaultConfig() Config {
	return Config{
		WorkerSaturation: 1.1,
		Bandwidth:        100e6,
		UnknownDuration:  500 * time.Millisecond,
		AllowedFailures:  3,
		WorkStealing:     true,
		StealInterval:    100 * time.Millisecond,
		Speculate:        true,
		WorkerTTL:        10 * time.Second,
		OrphanTTL:        5 * time.Minute,
		Record:           true,
	}
}

// State is the scheduler's state. It is not safe for concurrent use: one
// goroutine (the shell's loop) owns it.
type State struct {
	cfg Config

	tasks map[graph.Key]*Task
	// handles places every task of tasks in a table, for events that
	// name a task by the handle its Compute gave out.
	handles handles
	workers map[string]*Worker
	wlist   []*Worker // workers in the order they joined; for determinism
	clients map[string]*Client
	groups  map[string]*Group

	queue      taskQueue          // tasks in state Queued
	unrunnable map[*Task]struct{} // tasks in state NoWorker
	// the most each map held since it was made, for shrink.Map
	tasksPeak, unrunnablePeak int
	// orphans are results workers registered that no task has (yet)
	orphans map[graph.Key]*orphan
	// visits counts the dependencies and dependents the handlers looked
	// at: what a linear core spends in proportion to its graphs' edges
	// (read by the tests).
	visits uint64

	totalThreads int
	// bwSum and bwCount: the sum and count of the workers' measured
	// bandwidths (see bandwidth.go).
	bwSum      float64
	bwCount    int
	generation uint32
	now        time.Time
	rng        *rand.Rand
	rr         int // round-robin cursor for ties
	// runTo is the worker taking the current run of queued root tasks
	// (see workerWithRoom); it may have left since.
	runTo *Worker

	recs  []rec // recommendations not yet applied
	recAt int   // while apply runs, the place in recs of the one it applies
	// refBuf holds a new task's references while handleGraph links it;
	// linkMark numbers the tasks it links (see Task.linkMark).
	refBuf   []graph.Key
	linkMark uint32
	// toFill: workers with a slot freed during a pass of apply, filled
	// from the queue after it; fillBuf is its spare buffer.
	toFill, fillBuf []*Worker

	// stim is the event being handled, as a cause; causes counts the
	// events handled.
	stim   Stimulus
	causes Cause
	// out holds the outputs since the last Advance; once out.Events holds
	// MaxEvents it is a ring whose oldest event is at evStart. handing is
	// set from Ready to Advance.
	out     Ready
	evStart int
	handing bool

	// steals in flight: task -> thief
	stealing  map[*Task]*Worker
	lastSteal time.Time // when steal last ran

	// story keeps recent transitions of tasks for error messages.
	story storyLog

	// idle are the running workers with a free thread, and marks numbers
	// the placements that look at candidates (candidates.go); cands is
	// the buffer of their candidates.
	idle      []*Worker
	marks     uint64
	cands     []*Worker
	heldMarks uint64

	// coord is the named coordination state (coord.go); nil until used.
	coord *coord
	// moving are the keys Rebalance moves (replicate.go).
	moving map[*Task]relocation
}

// New returns an empty state.
func New(cfg Config) *State {
	if cfg.WorkerSaturation <= 0 || math.IsNaN(cfg.WorkerSaturation) {
		cfg.WorkerSaturation = 1.1
	}
	if cfg.Bandwidth <= 0 {
		cfg.Bandwidth = 100e6
	}
	if cfg.UnknownDuration <= 0 {
		cfg.UnknownDuration = 500 * time.Millisecond
	}
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = 1 << 16
	}
	return &State{
		cfg:        cfg,
		tasks:      make(map[graph.Key]*Task),
		workers:    make(map[string]*Worker),
		clients:    make(map[string]*Client),
		groups:     make(map[string]*Group),
		unrunnable: make(map[*Task]struct{}),
		orphans:    make(map[graph.Key]*orphan),
		stealing:   make(map[*Task]*Worker),
		rng:        rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		story:      newStoryLog(4096),
	}
}

// Handle applies one event and returns the cause it gave it. Its outputs
// accumulate until Ready hands them out; a Ready must be acknowledged
// (Advance) before the next event.
func (s *State) Handle(ev Event) Cause {
	if s.handing {
		panic("state: Handle called between Ready and Advance")
	}
	if t := ev.when(); !t.IsZero() {
		s.now = t
	}
	s.causes++
	kind, source := ev.stimulus()
	s.stim = Stimulus{Cause: s.causes, Kind: kind, Source: source}
	switch e := ev.(type) {
	case *WorkerAdded:
		s.handleWorkerAdded(e)
	case *WorkerRemoved:
		s.handleWorkerRemoved(e)
	case *WorkerRetiring:
		s.handleWorkerRetiring(e)
	case *ClientAdded:
		s.client(e.ID)
	case *ClientRemoved:
		s.handleClientRemoved(e)
	case *GraphSubmitted:
		s.handleGraph(e)
	case *KeysReleased:
		s.handleKeysReleased(e)
	case *KeysCancelled:
		s.handleKeysCancelled(e)
	case *KeysScattered:
		s.handleScattered(e)
	case *TaskStarted:
		s.handleTaskStarted(e)
	case *TaskFinished:
		s.handleTaskFinished(e)
	case *TaskFailed:
		s.handleTaskFailed(e)
	case *KeysAdded:
		s.handleKeysAdded(e)
	case *DataMissing:
		s.handleDataMissing(e)
	case *TaskRejected:
		s.handleTaskRejected(e)
	case *StealReplied:
		s.handleStealReplied(e)
	case *Heartbeat:
		s.handleHeartbeat(e)
	case *Tick:
		s.handleTick(e)
	case *Restarted:
		s.handleRestarted(e)
	case *CoordRequested:
		s.handleCoord(e)
	case *CoordCancelled:
		s.handleCoordCancelled(e)
	case *ReplicasRequested:
		s.handleReplicas(e)
	case *RebalanceRequested:
		s.handleRebalance(e)
	default:
		panic(fmt.Sprintf("state: unknown event %T", ev))
	}
	s.apply()
	if s.cfg.Validate {
		if err := s.Check(); err != nil {
			panic(fmt.Sprintf("state: invariant broken after event %s: %v", s.stim, err))
		}
	}
	return s.stim.Cause
}

// Now returns the time of the last event handled.
func (s *State) Now() time.Time { return s.now }

func (s *State) client(id string) *Client {
	c := s.clients[id]
	if c == nil {
		c = &Client{ID: id}
		s.clients[id] = c
	}
	return c
}

func (s *State) group(key graph.Key) *Group {
	name := key.Prefix()
	g := s.groups[name]
	if g == nil {
		g = &Group{Name: name}
		s.groups[name] = g
	}
	return g
}
