package state

import "github.com/dusk-go/dusk/diagnostics/event"

// Ready is what the state machine produced since the last Advance: the
// actions for the shell to carry out and the diagnostic events for its
// event stream. Both are valid until Advance; after it the state reuses
// their memory, so a caller copies what it keeps.
type Ready struct {
	// Actions to carry out, in the order given: the messages to workers
	// and clients. Each carries the cause of the event that produced it.
	Actions []Action
	// Events are the diagnostic events (transitions, task runs, workers
	// joining and leaving, their samples, restarts), in the order they
	// happened, each with its cause and stimulus; none unless
	// Config.Record is set. The shell adds them to its event stream after
	// it has dispatched the Actions of the same Ready, so that watching
	// never delays a message.
	Events []event.Event
	// DroppedEvents counts the oldest events dropped since the last
	// Advance because there were more than Config.MaxEvents.
	DroppedEvents int
}

// Ready returns the outputs produced since the last Advance. Calling it
// again before Advance returns them again, with any produced meanwhile.
func (s *State) Ready() Ready {
	if n := len(s.out.Events) - s.cfg.MaxEvents; n > 0 {
		s.dropEvents(n)
	}
	s.handed.actions, s.handed.events = len(s.out.Actions), len(s.out.Events)
	return s.out
}

// Advance acknowledges the last Ready: its actions were carried out and
// its events recorded. The outputs it returned are dropped, and their
// memory is reused for the next ones.
func (s *State) Advance() {
	s.out.Actions = drop(s.out.Actions, s.handed.actions)
	s.out.Events = drop(s.out.Events, s.handed.events)
	s.handed.actions, s.handed.events = 0, 0
	s.out.DroppedEvents = 0
}

// drop removes the first n items of b: those a Ready handed out. Items
// produced after that Ready (by a Handle between Ready and Advance) move
// to the front.
func drop[T any](b []T, n int) []T {
	if n == len(b) {
		return reuse(b)
	}
	rest := copy(b, b[n:])
	clear(b[rest:])
	return b[:rest]
}

// reuse empties a buffer for the next batch, unless a huge batch grew it:
// then it is dropped so that its memory is not held for ever.
func reuse[T any](b []T) []T {
	if cap(b) > 1<<14 {
		return nil
	}
	return b[:0]
}

// emit adds an action, caused by the event being handled.
func (s *State) emit(a Action) {
	a.caused().Cause = s.stim.Cause
	s.out.Actions = append(s.out.Actions, a)
}

// record adds a diagnostic event, caused by the event being handled, if
// events are recorded.
func (s *State) record(e event.Event) {
	if !s.cfg.Record {
		return
	}
	e.Time = s.now
	e.Cause = uint64(s.stim.Cause)
	e.Stimulus = s.stim.Kind.String()
	e.Source = s.stim.Source
	if len(s.out.Events) == 2*s.cfg.MaxEvents {
		s.dropEvents(s.cfg.MaxEvents)
	}
	s.out.Events = append(s.out.Events, e)
}

// dropEvents drops the n oldest events, as the shell's ring would drop
// them, so that a huge batch costs no more memory than the ring.
func (s *State) dropEvents(n int) {
	s.out.Events = drop(s.out.Events, n)
	s.out.DroppedEvents += n
	s.handed.events = max(s.handed.events-n, 0)
}
