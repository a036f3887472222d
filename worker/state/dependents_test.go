package state

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dusk-go/dusk/graph"
)

// manyWaiting sends n tasks of one input x held by peer p1, and returns
// their keys.
func manyWaiting(t *testing.T, s *State, n int) []graph.Key {
	t.Helper()
	var keys []graph.Key
	for i := range n {
		k := fmt.Sprintf("t-%d", i)
		handle(s, &Compute{Task: spec(k, "x"), Priority: graph.Priority{Order: int64(i)},
			Deps: []Dep{{Key: "x", NBytes: 8, Peers: []string{"p1"}}}})
		keys = append(keys, graph.Key(k))
	}
	if d := s.Task("x"); len(d.dependents) != n || (n >= manyDependents) != (d.dependentAt != nil) {
		t.Fatalf("x has %d dependents (indexed: %v), want %d", len(d.dependents), d.dependentAt != nil, n)
	}
	return keys
}

// Tasks leave a long list of dependents in any order (stolen, freed, run)
// and the input is dropped when the last has left; the state checks the
// list and its index after every event (Validate).
func TestManyDependentsLeaveInAnyOrder(t *testing.T) {
	for seed := range uint64(5) {
		rng := rand.New(rand.NewPCG(seed, 1))
		s := newState(4)
		keys := manyWaiting(t, s, 3*manyDependents)
		handle(s, &Fetched{Peer: "p1", Got: []graph.KeySize{{Key: "x", NBytes: 8}}})
		rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		for i, k := range keys {
			switch st := s.Task(k).State; {
			case st == Executing:
				handle(s, &Executed{Key: k, NBytes: 8})
			case i%2 == 0:
				handle(s, &Steal{Key: k})
			default:
				handle(s, &Free{Keys: []graph.Key{k}})
			}
		}
		// The tasks that started before their turn came run to their end.
		for _, k := range keys {
			if tk := s.Task(k); tk != nil && tk.State == Executing {
				handle(s, &Executed{Key: k, NBytes: 8})
			}
		}
		d := s.Task("x")
		if d == nil || len(d.dependents) != 0 {
			t.Fatalf("seed %d: x is %v after every task left", seed, d)
		}
		if d.dependentAt != nil {
			t.Fatalf("seed %d: x keeps an index of no dependents", seed)
		}
	}
}

// A value that cannot be fetched hands every one of its many dependents
// back to the scheduler, each once.
func TestManyDependentsOfAValueNoPeerHas(t *testing.T) {
	s := newState(1)
	keys := manyWaiting(t, s, 2*manyDependents)
	ins := handle(s, &Fetched{Peer: "p1", Err: fmt.Errorf("connection refused")})
	var missing []graph.Key
	for _, in := range ins {
		if m, ok := in.(*Missing); ok {
			missing = append(missing, m.Task)
		}
	}
	slices.Sort(missing)
	slices.Sort(keys)
	if !slices.Equal(missing, keys) {
		t.Fatalf("missing reported for %d tasks, want each of the %d once", len(missing), len(keys))
	}
	if s.Len() != 0 {
		t.Fatalf("%d keys left after the value was given up", s.Len())
	}
}
