package state

import (
	"fmt"

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
	// Validate checks the moved task after every transition and every
	// invariant after every event (for tests).
	Validate bool
}

// State is a worker's bookkeeping. One goroutine owns it.
type State struct {
	cfg       Config
	tasks     map[graph.Key]*Task
	tasksPeak int // the most tasks held since the map was made, for shrink.Map
	ready     readyHeap
	toFetch   []*Task
	flights   map[string][]*Task // peer -> keys being fetched from it
	// flightBytes is the size of each fetch in flight, by peer, and
	// inFlight their sum.
	flightBytes map[string]int64
	inFlight    int64
	threads     []int // free thread numbers
	avail       map[string]float64
	paused      bool

	// The event being handled: its cause and kind. causes counts the
	// events handled, to number those that come without a cause.
	cause    Cause
	stimulus Stimulus
	causes   Cause

	out       []Instruction
	handedOut bool // Ready was called and Advance was not yet
	story     storyLog
}

// Outputs is what the state produced since the last Advance.
type Outputs struct {
	// Instructions to carry out, in the order they were produced. The
	// shell carries out those of one Outputs before those of the next;
	// within one it may group the messages for the scheduler (it sends
	// started and finished reports as columns of a batch, ahead of the
	// batch's other messages). The state keeps these rules:
	//
	//   - A task's Started comes just before its Execute; its Finished or
	//     Failed comes in a later Outputs, once the shell posted Executed.
	//   - Finished and Added name only keys in Memory here: the shell
	//     stored each value before it posted the event that reports it.
	//   - A Drop never names an input of a task handed to a thread and not
	//     yet reported Executed: inputs are kept until the tasks that read
	//     them end.
	//   - A CancelTask names only a task handed to a thread and not yet
	//     reported Executed.
	//
	// Every instruction's Cause is that of the event that produced it.
	Instructions []Instruction
}

// storyLength is how many transitions the story log keeps.
const storyLength = 4096

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
		story:       newStoryLog(storyLength),
	}
	for i := cfg.NThreads - 1; i >= 0; i-- {
		s.threads = append(s.threads, i)
	}
	for k, v := range cfg.Resources {
		s.avail[k] = v
	}
	return s
}

// Handle applies one event; its instructions accumulate until Ready. An
// event without a Cause is given the next number of the state's count of
// events. Handle panics between Ready and Advance.
func (s *State) Handle(ev Event) {
	if s.handedOut {
		panic("worker state: Handle between Ready and Advance")
	}
	c := ev.stimulus()
	s.causes++
	if *c == 0 {
		*c = s.causes
	}
	s.cause = *c
	switch e := ev.(type) {
	case *Compute:
		s.stimulus = OnCompute
		s.compute(e)
	case *Free:
		s.stimulus = OnFree
		for _, k := range e.Keys {
			s.free(k)
		}
	case *Steal:
		s.stimulus = OnSteal
		s.steal(e.Key)
	case *Acquire:
		s.stimulus = OnAcquire
		s.acquireKeys(e.Deps)
	case *Executed:
		s.stimulus = OnExecuted
		s.executed(e)
	case *Fetched:
		s.stimulus = OnFetched
		s.fetched(e)
	case *Stored:
		s.stimulus = OnStored
		s.stored(e.Keys)
	case *Pause:
		s.stimulus = OnPause
		if !e.Paused {
			s.stimulus = OnResume
		}
		s.paused = e.Paused
	default:
		panic(fmt.Sprintf("worker state: unknown event %T", ev))
	}
	s.ensureExecuting()
	s.ensureFetching()
	if s.cfg.Validate {
		if err := s.Check(); err != nil {
			panic(fmt.Sprintf("worker state: invariant broken after %T (cause %d): %v", ev, s.cause, err))
		}
	}
}

// Ready hands out the outputs produced since the last Advance, once: the
// shell carries them out and then calls Advance. Until then Ready and
// Handle panic. The slices stay valid until Advance.
func (s *State) Ready() Outputs {
	if s.handedOut {
		panic("worker state: Ready called twice without Advance")
	}
	s.handedOut = true
	return Outputs{Instructions: s.out}
}

// Advance acknowledges the outputs Ready handed out: they are dropped and
// their buffer is reused.
func (s *State) Advance() {
	if !s.handedOut {
		panic("worker state: Advance without Ready")
	}
	s.handedOut = false
	for i := range s.out {
		s.out[i] = nil // cheaper than clear for a few: no bulk write barrier
	}
	if cap(s.out) > 1<<12 {
		s.out = nil // a huge batch: do not hold its memory for ever
	} else {
		s.out = s.out[:0]
	}
}

// emit adds an instruction, caused by the event being handled.
func (s *State) emit(i Instruction) {
	*i.instruction() = s.cause
	s.out = append(s.out, i)
}

// Task returns the record of key k, or nil.
func (s *State) Task(k graph.Key) *Task { return s.tasks[k] }

// Executing returns how many tasks run now (cancelled ones included, until
// they end).
func (s *State) Executing() int { return s.cfg.NThreads - len(s.threads) }

// NReady returns how many tasks wait for a thread.
func (s *State) NReady() int { return s.ready.Len() }

// Paused reports whether the worker is paused.
func (s *State) Paused() bool { return s.paused }

// Len returns how many keys the worker knows.
func (s *State) Len() int { return len(s.tasks) }
