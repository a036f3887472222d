package state

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/task"
)

// A scheduler dies with named state; one started again restores it. The
// keys it holds come back with the workers that kept their data, and the
// clients that ask for them get them then.
func TestNamedStateSurvivesTheSchedulersDeath(t *testing.T) {
	old := newHarness(t)
	old.addWorker("w", 1, nil)
	a := old.coordClient("a")
	old.inMemory("a", "w", "x")
	old.inMemory("a", "w", "y")
	v0 := old.s.CoordVersion()
	a.must(CoordRequest{Op: DatasetPublish, Name: "d", Keys: []graph.Key{"x"}, Meta: []byte("m")})
	a.must(CoordRequest{Op: QueuePut, Name: "q", Max: 5, Item: val("1")})
	a.must(CoordRequest{Op: QueuePut, Name: "q", Max: 5, Item: Item{Key: "y"}})
	a.must(CoordRequest{Op: VariableSet, Name: "v", Item: val("hello")})
	a.must(CoordRequest{Op: EventSet, Name: "go"})
	a.must(CoordRequest{Op: SemaphoreAcquire, Name: "lock/f", Max: 1}) // a session's: not saved
	if old.s.CoordVersion() == v0 {
		t.Fatal("the changes did not move the version the shell saves by")
	}
	v1 := old.s.CoordVersion()
	a.must(CoordRequest{Op: QueueSize, Name: "q", Max: 5})
	a.must(CoordRequest{Op: DatasetList})
	if old.s.CoordVersion() != v1 {
		t.Fatal("a read moved the version: the shell would save for nothing")
	}
	saved := old.s.SaveCoord()

	h := newHarness(t)
	h.s.RestoreCoord(saved, h.at())
	b := h.coordClient("b")
	if r := b.must(CoordRequest{Op: DatasetList}); !slices.Equal(r.Names, []string{"d"}) {
		t.Fatalf("restored datasets %v", r.Names)
	}
	if r := b.must(CoordRequest{Op: VariableGet, Name: "v"}); !r.OK || string(r.Item.Data) != "hello" {
		t.Fatalf("variable: %+v", r)
	}
	if r := b.must(CoordRequest{Op: EventWait, Name: "go"}); !r.OK {
		t.Fatalf("the set event is not set: %+v", r)
	}
	if r := b.must(CoordRequest{Op: SemaphoreAcquire, Name: "lock/f", Max: 1}); !r.OK {
		t.Fatalf("the lease of the dead scheduler's session is still held: %+v", r)
	}
	// b asks for the dataset before any worker is back: it holds the key
	// and hears of it once the worker registers it.
	if r := b.must(CoordRequest{Op: DatasetGet, Name: "d"}); !slices.Equal(r.Keys, []graph.Key{"x"}) || string(r.Meta) != "m" {
		t.Fatalf("dataset: %+v", r)
	}
	if r := b.must(CoordRequest{Op: QueueGet, Name: "q", Max: 5}); string(r.Item.Data) != "1" {
		t.Fatalf("first item: %+v", r)
	}
	acts := h.handle(&WorkerAdded{At: h.at(), ID: "w2", Address: "addr-w2", NThreads: 1,
		Held: []HeldKey{{Key: "x", NBytes: 8, Type: "int"}, {Key: "y", NBytes: 8, Type: "int"}, {Key: "z", NBytes: 8}}})
	h.wantState("x", Memory)
	h.wantState("y", Memory)
	if m := toClient[*KeyInMemory](acts, "b"); len(m) != 1 || m[0].Key != "x" {
		t.Fatalf("b was not told that x is back: %s", describe(acts))
	}
	if h.s.orphans["z"] == nil {
		t.Fatal("a key nothing saved is not an orphan waiting for its client")
	}
	// The queued future is y's, now in memory; the queue holds it, and
	// its taker is told.
	id, rs := b.do(CoordRequest{Op: QueueGet, Name: "q", Max: 5})
	if r := replyTo(rs, "b", id); r == nil || r.Item.Key != "y" {
		t.Fatalf("second item: %+v", rs)
	}
	if m := ofType[*KeyInMemory](h.out[len(h.out)-1:]); len(m) != 1 || m[0].Key != "y" {
		t.Fatalf("the taker of y was not told it is in memory: %s", describe(h.out[len(h.out)-2:]))
	}
	// Unpublished and released, x goes.
	b.must(CoordRequest{Op: DatasetUnpublish, Name: "d"})
	h.handle(&KeysReleased{At: h.at(), Client: "b", Keys: []graph.Key{"x"}})
	if st := h.state("x"); st == Memory {
		t.Fatalf("x is %s once unpublished and released", st)
	}
}

// A saved key no worker brings back errs as lost for its holders once
// the orphan wait is over; a client that claims a key nothing kept hears
// that it is cancelled (the client reports it as lost).
func TestSavedKeyNobodyBringsBackIsLost(t *testing.T) {
	old := newHarness(t)
	old.addWorker("w", 1, nil)
	a := old.coordClient("a")
	old.inMemory("a", "w", "x")
	a.must(CoordRequest{Op: VariableSet, Name: "v", Item: Item{Key: "x"}})

	h := newHarness(t, func(c *Config) { c.OrphanTTL, c.WorkerTTL = time.Minute, 0 })
	h.s.RestoreCoord(old.s.SaveCoord(), h.at())
	h.addWorker("w2", 1, nil)
	b := h.coordClient("b")
	if r := b.must(CoordRequest{Op: VariableGet, Name: "v"}); r.Item.Key != "x" {
		t.Fatalf("variable: %+v", r)
	}
	acts := h.handle(&GraphSubmitted{At: h.at(), Client: "c", Reclaim: []graph.Key{"x", "never"}})
	if cs := ofType[*KeyCancelled](acts); len(cs) != 1 || cs[0].Key != "never" || !strings.Contains(cs[0].Reason, "state-directory") {
		t.Fatalf("claiming a key nothing holds: %s", describe(acts))
	}
	h.now = h.now.Add(time.Minute)
	acts = h.handle(&Tick{At: h.at()})
	errs := append(toClient[*KeyErred](acts, "b"), toClient[*KeyErred](acts, "c")...)
	if len(errs) != 2 || errs[0].Err.Kind != task.ErrLost || !strings.Contains(errs[0].Err.Message, "no worker brought back") {
		t.Fatalf("the holders of x were not told it is lost: %s", describe(acts))
	}
	for _, e := range errs {
		if e.Key != "x" || (e.Client != "b" && e.Client != "c") {
			t.Fatalf("told %s of %s", e.Client, e.Key)
		}
	}
	// The variable is free to be set again.
	h.inMemory("b", "w2", "x2")
	b.must(CoordRequest{Op: VariableSet, Name: "v", Item: Item{Key: "x2"}})
}

// toClient returns the actions of type T told to client c.
func toClient[T Action](acts []Action, c string) []T {
	return slices.DeleteFunc(ofType[T](acts), func(a T) bool {
		switch x := any(a).(type) {
		case *KeyInMemory:
			return x.Client != c
		case *KeyErred:
			return x.Client != c
		}
		return true
	})
}
