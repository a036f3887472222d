package state

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dusk-go/dusk/graph"
)

func newState(threads int) *State {
	return New(Config{Address: "me", NThreads: threads, Validate: true, Resources: map[string]float64{"GPU": 1}})
}

func spec(key string, deps ...string) *graph.Task {
	t := &graph.Task{Key: graph.Key(key), Func: "f"}
	for _, d := range deps {
		t.Args = append(t.Args, graph.Ref(graph.Key(d)))
	}
	return t
}

func handle(s *State, ev Event) []Instruction {
	s.Handle(ev)
	out := slices.Clone(s.Ready().Instructions)
	s.Advance()
	return out
}

func kinds(ins []Instruction) []string {
	var out []string
	for _, i := range ins {
		switch i := i.(type) {
		case *Execute:
			out = append(out, "execute "+string(i.Task.Key))
		case *Started:
			out = append(out, "started "+string(i.Key))
		case *Finished:
			out = append(out, "finished "+string(i.Key))
		case *Failed:
			out = append(out, "failed "+string(i.Key))
		case *FetchFrom:
			out = append(out, "fetch "+i.Peer+" "+joinKeys(i.Keys))
		case *Drop:
			out = append(out, "drop "+joinKeys(i.Keys))
		case *CancelTask:
			out = append(out, "cancel "+string(i.Key))
		case *Added:
			out = append(out, "added")
		case *Missing:
			out = append(out, "missing "+string(i.Task)+" "+string(i.Key))
		case *Rejected:
			out = append(out, "rejected "+string(i.Key))
		case *StealReply:
			if i.Stolen {
				out = append(out, "stolen "+string(i.Key))
			} else {
				out = append(out, "kept "+string(i.Key))
			}
		}
	}
	return out
}

func joinKeys(ks []graph.Key) string {
	s := ""
	for i, k := range ks {
		if i > 0 {
			s += ","
		}
		s += string(k)
	}
	return s
}

func expect(t *testing.T, got []Instruction, want ...string) {
	t.Helper()
	if g := kinds(got); !slices.Equal(g, want) {
		t.Fatalf("instructions = %q, want %q", g, want)
	}
}

func TestRunsReadyTasksByPriority(t *testing.T) {
	s := newState(1)
	expect(t, handle(s, &Compute{Task: spec("b"), Priority: graph.Priority{Order: 2}}), "started b", "execute b")
	handle(s, &Compute{Task: spec("d"), Priority: graph.Priority{Order: 4}})
	handle(s, &Compute{Task: spec("c"), Priority: graph.Priority{Order: 3}})
	expect(t, handle(s, &Executed{Key: "b", NBytes: 8}), "finished b", "started c", "execute c")
}

func TestFetchesInputsThenRuns(t *testing.T) {
	s := newState(2)
	ins := handle(s, &Compute{Task: spec("t", "x", "y"), Deps: []Dep{
		{Key: "x", NBytes: 10, Peers: []string{"p1"}},
		{Key: "y", NBytes: 10, Peers: []string{"me", "p2"}},
	}})
	expect(t, ins, "fetch p1 x", "fetch p2 y")
	expect(t, handle(s, &Fetched{Peer: "p1", Got: []graph.KeySize{{Key: "x", NBytes: 10}}}), "added")
	expect(t, handle(s, &Fetched{Peer: "p2", Got: []graph.KeySize{{Key: "y", NBytes: 10}}}), "added", "started t", "execute t")
	if s.Task("x").State != Memory {
		t.Fatal("x not in memory")
	}
}

func TestOneFetchPerPeerBatchesKeys(t *testing.T) {
	s := newState(1)
	ins := handle(s, &Compute{Task: spec("t", "a", "b"), Deps: []Dep{
		{Key: "a", NBytes: 1, Peers: []string{"p"}}, {Key: "b", NBytes: 1, Peers: []string{"p"}}}})
	expect(t, ins, "fetch p a,b")
	ins = handle(s, &Compute{Task: spec("u", "c"), Deps: []Dep{{Key: "c", NBytes: 1, Peers: []string{"p"}}}})
	expect(t, ins) // p is busy
	expect(t, handle(s, &Fetched{Peer: "p", Got: []graph.KeySize{{Key: "a", NBytes: 1}, {Key: "b", NBytes: 1}}}), "added", "started t", "execute t", "fetch p c")
}

// The bytes of all fetches in flight stay within FlightBytes; a value
// larger than the bound is fetched alone.
func TestFetchesBoundedInBytes(t *testing.T) {
	s := New(Config{Address: "me", NThreads: 1, Validate: true, FlightBytes: 100})
	ins := handle(s, &Compute{Task: spec("t", "a", "b", "c", "big"), Deps: []Dep{
		{Key: "a", NBytes: 60, Peers: []string{"p1"}},
		{Key: "b", NBytes: 30, Peers: []string{"p2"}},
		{Key: "c", NBytes: 30, Peers: []string{"p3"}},
		{Key: "big", NBytes: 500, Peers: []string{"p4"}},
	}})
	expect(t, ins, "fetch p1 a", "fetch p2 b")
	expect(t, handle(s, &Fetched{Peer: "p2", Got: []graph.KeySize{{Key: "b", NBytes: 30}}}), "added", "fetch p3 c")
	expect(t, handle(s, &Fetched{Peer: "p1", Got: []graph.KeySize{{Key: "a", NBytes: 60}}}), "added")
	expect(t, handle(s, &Fetched{Peer: "p3", Got: []graph.KeySize{{Key: "c", NBytes: 30}}}), "added", "fetch p4 big")
	expect(t, handle(s, &Fetched{Peer: "p4", Got: []graph.KeySize{{Key: "big", NBytes: 500}}}), "added", "started t", "execute t")
}

func TestMissingInputTriesOtherPeerThenGivesUp(t *testing.T) {
	s := newState(1)
	handle(s, &Compute{Task: spec("t", "x"), Deps: []Dep{{Key: "x", Peers: []string{"p1", "p2"}}}})
	expect(t, handle(s, &Fetched{Peer: "p1", Missing: []graph.Key{"x"}}), "fetch p2 x")
	ins := handle(s, &Fetched{Peer: "p2", Err: errors.New("connection refused")})
	expect(t, ins, "missing t x")
	if m := ins[0].(*Missing); !slices.Equal(m.Tried, []string{"p1", "p2"}) {
		t.Fatalf("tried = %v", m.Tried)
	}
	if s.Len() != 0 {
		t.Fatalf("%d keys left", s.Len())
	}
}

func TestFreeCancelsExecutingTask(t *testing.T) {
	s := newState(1)
	handle(s, &Compute{Task: spec("t")})
	expect(t, handle(s, &Free{Keys: []graph.Key{"t"}}), "cancel t")
	expect(t, handle(s, &Executed{Key: "t", NBytes: 8}), "drop t")
	if s.Len() != 0 {
		t.Fatal("cancelled task kept")
	}
}

func TestComputeAgainWhileCancelledReruns(t *testing.T) {
	s := newState(1)
	handle(s, &Compute{Task: spec("t")})
	handle(s, &Free{Keys: []graph.Key{"t"}})
	handle(s, &Compute{Task: spec("t")})
	expect(t, handle(s, &Executed{Key: "t", Err: errors.New("context canceled")}), "started t", "execute t")
}

func TestStealOnlyUnstartedTasks(t *testing.T) {
	s := newState(1)
	handle(s, &Compute{Task: spec("a")})
	handle(s, &Compute{Task: spec("b")})
	expect(t, handle(s, &Steal{Key: "a"}), "kept a")
	expect(t, handle(s, &Steal{Key: "b"}), "stolen b")
}

func TestResourcesAreConsumed(t *testing.T) {
	s := newState(2)
	g1, g2 := spec("g1"), spec("g2")
	g1.Resources = map[string]float64{"GPU": 1}
	g2.Resources = map[string]float64{"GPU": 1}
	expect(t, handle(s, &Compute{Task: g1}), "started g1", "execute g1")
	expect(t, handle(s, &Compute{Task: g2})) // the one GPU is taken
	expect(t, handle(s, &Compute{Task: spec("cpu")}), "started cpu", "execute cpu")
	// The GPU is free again and a thread is too.
	expect(t, handle(s, &Executed{Key: "g1", NBytes: 1}), "finished g1", "started g2", "execute g2")
}

func TestPauseStopsStartingTasks(t *testing.T) {
	s := newState(1)
	handle(s, &Pause{Paused: true})
	expect(t, handle(s, &Compute{Task: spec("a")}))
	expect(t, handle(s, &Pause{Paused: false}), "started a", "execute a")
}

func TestFailureIsReported(t *testing.T) {
	s := newState(1)
	handle(s, &Compute{Task: spec("a")})
	ins := handle(s, &Executed{Key: "a", Err: errors.New("boom"), Start: time.Unix(1, 0)})
	expect(t, ins, "failed a")
}

func TestFreedInputKeptWhileALocalTaskNeedsIt(t *testing.T) {
	s := newState(1)
	handle(s, &Compute{Task: spec("busy")})
	handle(s, &Compute{Task: spec("t", "x"), Deps: []Dep{{Key: "x", Peers: []string{"p"}}}})
	handle(s, &Fetched{Peer: "p", Got: []graph.KeySize{{Key: "x", NBytes: 1}}})
	expect(t, handle(s, &Free{Keys: []graph.Key{"x"}}))
	handle(s, &Executed{Key: "busy", NBytes: 1})
	expect(t, handle(s, &Executed{Key: "t", NBytes: 1}), "finished t", "drop x")
}

func TestAcquireReportsCopies(t *testing.T) {
	s := newState(1)
	expect(t, handle(s, &Acquire{Deps: []Dep{{Key: "k", Peers: []string{"old"}}}}), "fetch old k")
	expect(t, handle(s, &Fetched{Peer: "old", Got: []graph.KeySize{{Key: "k", NBytes: 5}}}), "added")
	if s.Task("k").State != Memory {
		t.Fatal("acquired key not kept")
	}
}
