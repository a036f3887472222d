package state

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/graph"
)

// Ready hands out the outputs since the last Advance, each with the cause
// of the event that produced it; Advance drops them. Handling an event
// before a Ready is acknowledged is a mistake that would lose outputs: it
// panics.
func TestReadyAndAdvance(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	cause := h.s.Handle(&GraphSubmitted{At: h.at(), Client: "c", Tasks: []*graph.Task{spec("a-1")}, Wanted: []graph.Key{"a-1"}})
	r := h.s.Ready()
	if got := computes(r.Actions); !slices.Equal(got, []string{"w1:a-1"}) || r.Actions[0].caused().Cause != cause {
		t.Fatalf("computes %v (cause %d), want w1:a-1 of cause %d", got, r.Actions[0].caused().Cause, cause)
	}
	if len(r.Events) != 2 {
		t.Fatalf("%d events, want 2 transitions", len(r.Events))
	}
	for _, e := range r.Events {
		if e.Kind != event.Transition || e.Cause != uint64(cause) || e.Stimulus != "graph-submitted" {
			t.Fatalf("event %+v, want a transition of cause %d", e, cause)
		}
	}
	if again := h.s.Ready(); len(again.Actions) != 1 || len(again.Events) != 2 {
		t.Fatalf("Ready again before Advance: %d actions, %d events", len(again.Actions), len(again.Events))
	}
	func() {
		defer func() {
			if msg := fmt.Sprint(recover()); !strings.Contains(msg, "between Ready and Advance") {
				t.Fatalf("Handle before Advance: panic %q", msg)
			}
		}()
		h.s.Handle(&Tick{At: h.at()})
	}()
	h.s.Advance()
	if r := h.s.Ready(); len(r.Actions) != 0 || len(r.Events) != 0 {
		t.Fatalf("nothing new, but Ready has %d actions and %d events", len(r.Actions), len(r.Events))
	}
	h.s.Advance()
}

// A Ready holds at most MaxEvents events: the newest, as the shell's ring
// would keep them, and says how many older ones it dropped.
func TestReadyKeepsTheNewestEvents(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxEvents = 4 })
	h.addWorker("w1", 1, nil)
	var tasks []*graph.Task
	var keys []graph.Key
	for _, k := range []string{"a-1", "a-2", "a-3", "a-4", "a-5"} {
		tasks = append(tasks, spec(k))
		keys = append(keys, graph.Key(k))
	}
	h.s.Handle(&GraphSubmitted{At: h.at(), Client: "c", Tasks: tasks, Wanted: keys})
	// Each task is released -> waiting, then waiting -> processing (two)
	// or queued: 10 transitions.
	r := h.s.Ready()
	if len(r.Events) != 4 || r.DroppedEvents != 6 {
		t.Fatalf("%d events, %d dropped; want 4 and 6", len(r.Events), r.DroppedEvents)
	}
	var kept []string
	for _, e := range r.Events {
		kept = append(kept, e.Key+":"+e.To)
	}
	if want := []string{"a-2:processing", "a-3:queued", "a-4:queued", "a-5:queued"}; !slices.Equal(kept, want) {
		t.Fatalf("kept %v, want the last four in order: %v", kept, want)
	}
	h.s.Advance()
	if r := h.s.Ready(); r.DroppedEvents != 0 {
		t.Fatalf("Advance left %d dropped events counted", r.DroppedEvents)
	}
}

// sliceSink keeps what the state hands it.
type sliceSink struct{ evs []event.Event }

func (s *sliceSink) AddAll(evs ...event.Event) { s.evs = append(s.evs, evs...) }

// With a Sink, a graph whose submission makes many more events than one
// batch hands them over as they accumulate: the sink's events followed by
// the Ready's are every event, in the order a state without a sink gives
// them, and the Ready holds no more than a batch.
func TestSinkTakesEventsInBatches(t *testing.T) {
	const n = 5000 // two transitions each: more than two batches
	var tasks []*graph.Task
	var keys []graph.Key
	for i := range n {
		k := fmt.Sprintf("a-%d", i)
		tasks = append(tasks, spec(k))
		keys = append(keys, graph.Key(k))
	}
	run := func(sink EventSink) []event.Event {
		h := newHarness(t, func(c *Config) { c.Validate = false; c.Sink = sink })
		h.addWorker("w1", 1, nil)
		h.s.Handle(&GraphSubmitted{At: h.at(), Client: "c", Tasks: tasks, Wanted: keys})
		ready := slices.Clone(h.s.Ready().Events)
		h.s.Advance()
		return ready
	}
	all := run(nil)
	if len(all) != 2*n {
		t.Fatalf("%d events without a sink, want %d", len(all), 2*n)
	}
	sink := &sliceSink{}
	rest := run(sink)
	if len(sink.evs) == 0 || len(rest) > eventBatch {
		t.Fatalf("the sink got %d events and the Ready holds %d: want batches handed over, at most %d left", len(sink.evs), len(rest), eventBatch)
	}
	got := append(sink.evs, rest...)
	if len(got) != len(all) {
		t.Fatalf("%d events with a sink, %d without", len(got), len(all))
	}
	for i := range all {
		if got[i].Key != all[i].Key || got[i].From != all[i].From || got[i].To != all[i].To || got[i].Cause != all[i].Cause {
			t.Fatalf("event %d with a sink is %+v, without %+v", i, got[i], all[i])
		}
	}
}

// A task naming an input several times, directly and inside lists and
// calls, has it once as a dependency: it waits for it once and is one of
// its dependents once.
func TestRepeatedInputIsOneDependency(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	b := spec("b-1")
	b.Args = []graph.Arg{
		{Kind: graph.ArgRef, Ref: "a-1"},
		{Kind: graph.ArgList, List: []graph.Arg{{Kind: graph.ArgRef, Ref: "a-1"}, {Kind: graph.ArgRef, Ref: "c-1"}}},
		{Kind: graph.ArgRef, Ref: "a-1"},
	}
	h.submit("cl", []*graph.Task{spec("a-1"), spec("c-1"), b}, "b-1")
	bt, at := h.s.Task("b-1"), h.s.Task("a-1")
	if got := bt.Deps(); !slices.Equal(got, []graph.Key{"a-1", "c-1"}) {
		t.Fatalf("b-1's dependencies %v, want [a-1 c-1]", got)
	}
	if len(at.dependents) != 1 || bt.nWaiting != 2 {
		t.Fatalf("a-1 has %d dependents, b-1 waits for %d; want 1 and 2", len(at.dependents), bt.nWaiting)
	}
	h.finish("w1", "a-1", 8)
	h.finish("w1", "c-1", 8)
	h.wantState("b-1", Processing)
}

// Clients wanting overlapping keys and releasing them in another order
// keep every task's list of clients and every client's list of wants in
// step (the harness validates the core after each event): a task is
// released when its last client lets it go, not before.
func TestClientsWantAndReleaseInAnyOrder(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 2, nil)
	var tasks []*graph.Task
	var keys []graph.Key
	for i := range 30 {
		k := fmt.Sprintf("a-%d", i)
		tasks = append(tasks, spec(k))
		keys = append(keys, graph.Key(k))
	}
	h.submit("c1", tasks, keys...)
	h.submit("c2", nil, keys[10:]...)
	h.submit("c3", nil, keys[:20]...)
	for i := len(keys) - 1; i >= 0; i -= 2 {
		h.handle(&KeysReleased{At: h.at(), Client: "c1", Keys: []graph.Key{keys[i]}})
	}
	h.handle(&ClientRemoved{At: h.at(), ID: "c3"})
	for i, k := range keys {
		want := 1 // c1 still wants the even ones, c2 the last twenty
		if i%2 == 1 {
			want = 0
		}
		if i >= 10 {
			want++
		}
		tk := h.s.Task(k)
		if want == 0 {
			if tk != nil && tk.needed() {
				t.Fatalf("%s is still needed after its clients let it go", k)
			}
			continue
		}
		if tk == nil || len(tk.wantedBy) != want {
			t.Fatalf("%s wanted by %v, want %d clients", k, tk, want)
		}
	}
	h.handle(&KeysReleased{At: h.at(), Client: "c1", Keys: keys})
	h.handle(&ClientRemoved{At: h.at(), ID: "c2"})
	if n := h.s.NTasks(); n != 0 {
		t.Fatalf("%d tasks left after every client let go", n)
	}
}

// The marks that skip a repeated input wrap around after four billion
// tasks linked: every task's mark is cleared then and the count starts
// again at 1, so that neither a task never linked (mark 0) nor one linked
// long ago (mark 1) is taken for a repeat.
func TestLinkMarksWrapAround(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.submit("cl", []*graph.Task{spec("a-1"), spec("e-1")}, "a-1", "e-1")
	h.s.Task("a-1").linkMark = 0 // never linked
	h.s.Task("e-1").linkMark = 1 // linked four billion tasks ago
	h.s.linkMark = ^uint32(0)    // the next task linked wraps around
	h.submit("cl", []*graph.Task{spec("c-1", "a-1", "e-1", "a-1")}, "c-1")
	if got := h.s.Task("c-1").Deps(); !slices.Equal(got, []graph.Key{"a-1", "e-1"}) {
		t.Fatalf("c-1's dependencies %v, want [a-1 e-1]", got)
	}
}
