package state

import (
	"slices"

	"github.com/dusk-go/dusk/diagnostics/event"
)

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
	// Config.Record is set. With a Config.Sink, they are only the last
	// ones: the earlier were handed to the sink as they accumulated. The
	// shell adds them to its event stream before it dispatches the Actions
	// of the same Ready, so that whoever hears of a result finds its
	// events there already.
	Events []event.Event
	// DroppedEvents counts the oldest events dropped because more than
	// Config.MaxEvents were produced since the last Advance.
	DroppedEvents int
}

// EventSink takes diagnostic events in order (the shell's event ring does:
// event.Ring). See Config.Sink.
type EventSink interface {
	AddAll(evs ...event.Event)
}

// Ready returns the outputs produced since the last Advance. Call Advance
// once they are carried out, before handling the next event.
func (s *State) Ready() Ready {
	if s.evStart > 0 {
		s.orderEvents()
	}
	s.handing = true
	return s.out
}

// orderEvents puts events that wrapped around in order, oldest first.
func (s *State) orderEvents() {
	ev, k := s.out.Events, s.evStart
	slices.Reverse(ev[:k])
	slices.Reverse(ev[k:])
	slices.Reverse(ev)
	s.evStart = 0
}

// Advance acknowledges the last Ready: its actions were carried out and
// its events recorded. Their memory is reused for the next ones.
func (s *State) Advance() {
	s.out.Actions = reuse(s.out.Actions, reuseCap)
	s.out.Events = reuse(s.out.Events, reuseCap)
	s.out.DroppedEvents = 0
	s.handing = false
}

// reuseCap is the most elements a buffer keeps between batches; a larger
// one, grown by a huge batch, is dropped so that its memory is not held
// for ever. (With a Sink, the events' buffer never grows past
// eventBatch.)
const reuseCap = 1 << 14

// reuse empties a buffer for the next batch, unless it holds more than
// max elements: then it is dropped. The elements are zeroed either way,
// so that the buffer keeps no task alive after the core forgot it.
func reuse[T any](b []T, max int) []T {
	if cap(b) > max {
		return nil
	}
	clear(b)
	return b[:0]
}

// emit adds an action, caused by the event being handled. A long list
// doubles when full (append grows a large slice by a quarter: an event
// with a million actions copied it some twenty times).
func (s *State) emit(a Action) {
	a.caused().Cause = s.stim.Cause
	if n := len(s.out.Actions); n == cap(s.out.Actions) && n >= 1024 {
		s.out.Actions = slices.Grow(s.out.Actions, n)
	}
	s.out.Actions = append(s.out.Actions, a)
}

// newEvent adds a diagnostic event of kind k, caused by the event being
// handled, and returns it for the caller to fill in; nil if events are not
// recorded. Past Config.MaxEvents the events are a ring: each new one
// replaces the oldest, as the shell's event ring would, so that a huge
// batch costs no more memory than that ring (the buffer keeps its size
// from one batch to the next).
func (s *State) newEvent(k event.Kind) *event.Event {
	if !s.cfg.Record {
		return nil
	}
	return s.addEvent(k)
}

// eventBatch is how many events the state gathers before it hands them to
// Config.Sink, when there is one: a huge batch of work then reuses one
// small buffer instead of growing one to hold all its events.
const eventBatch = 4096

func (s *State) addEvent(k event.Kind) *event.Event {
	if s.cfg.Sink != nil && len(s.out.Events) == eventBatch && s.evStart == 0 {
		// Every event in the buffer is filled in: a caller fills the one
		// it got before it asks for the next.
		s.cfg.Sink.AddAll(s.out.Events...)
		clear(s.out.Events)
		s.out.Events = s.out.Events[:0]
	}
	var e *event.Event
	if n := len(s.out.Events); n < s.cfg.MaxEvents {
		if n == cap(s.out.Events) {
			// Double it (append grows big slices by a quarter).
			s.out.Events = slices.Grow(s.out.Events, min(max(n, 64), s.cfg.MaxEvents-n))
		}
		s.out.Events = s.out.Events[:n+1]
		e = &s.out.Events[n]
	} else {
		e = &s.out.Events[s.evStart]
		if s.evStart++; s.evStart == len(s.out.Events) {
			s.evStart = 0
		}
		s.out.DroppedEvents++
	}
	*e = event.Event{Kind: k, Time: s.now, Cause: uint64(s.stim.Cause), Stimulus: eventKindNames[s.stim.Kind]}
	return e
}
