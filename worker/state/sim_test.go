package state

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dusk-go/dusk/graph"
)

// workerSim plays the worker's shell (store, threads, fetches) and a
// scheduler against a State, with random timing: tasks finish or fail,
// peers answer, miss keys or fail, and the scheduler sends, frees, steals
// and pauses at random. The State checks its invariants after every event;
// the sim checks what the shell sees.
type workerSim struct {
	t     *testing.T
	rng   *rand.Rand
	s     *State
	store map[graph.Key]bool // the shell's store
	// executing: tasks handed to threads, not yet reported; fetching:
	// fetches in flight.
	executing map[graph.Key]*graph.Task
	fetching  []*FetchFrom
	// The scheduler's side: keys it sent or placed here (to free at the
	// end), keys it believes in memory here, keys peers hold.
	sent   map[graph.Key]bool
	here   map[graph.Key]bool
	remote []graph.Key
	next   int
}

func (w *workerSim) handle(ev Event) {
	w.t.Helper()
	w.s.Handle(ev)
	defer w.s.Advance()
	cause := *ev.stimulus()
	for _, in := range w.s.Ready().Instructions {
		if c := *in.instruction(); c != cause {
			w.t.Fatalf("%T caused by %d, handling an event caused by %d", in, c, cause)
		}
		switch i := in.(type) {
		case *Execute:
			for _, d := range i.Task.Deps() {
				if !w.store[d] {
					w.t.Fatalf("%s executes without its input %s in the store", i.Task.Key, d)
				}
			}
			if w.executing[i.Task.Key] != nil {
				w.t.Fatalf("%s executes twice at once", i.Task.Key)
			}
			w.executing[i.Task.Key] = i.Task
		case *FetchFrom:
			if i.Peer == "me" {
				w.t.Fatal("a fetch from this worker itself")
			}
			w.fetching = append(w.fetching, i)
		case *Drop:
			for _, k := range i.Keys {
				for _, x := range w.executing {
					if slices.Contains(x.Deps(), k) {
						w.t.Fatalf("%s dropped while %s, which reads it, runs", k, x.Key)
					}
				}
				delete(w.store, k)
			}
		case *CancelTask:
			if w.executing[i.Key] == nil {
				w.t.Fatalf("%s cancelled, but it does not run", i.Key)
			}
		case *Finished:
			w.here[i.Key] = true
		case *Added:
			for _, ks := range i.Keys {
				w.sent[ks.Key] = true // the scheduler frees copies it knows of
			}
		case *Failed, *Rejected:
			// The scheduler reschedules it elsewhere: not here any more.
			k := keyOf(in)
			delete(w.here, k)
			delete(w.sent, k)
		case *Missing:
			delete(w.sent, i.Task)
		case *StealReply:
			if i.Stolen {
				delete(w.sent, i.Key)
			}
		}
	}
}

func keyOf(in Instruction) graph.Key {
	switch i := in.(type) {
	case *Failed:
		return i.Key
	case *Rejected:
		return i.Key
	}
	return ""
}

// deps picks a new task's inputs: keys peers hold, keys finished here,
// or (sent ahead) tasks sent here and not finished yet.
func (w *workerSim) deps() []Dep {
	var out []Dep
	for range w.rng.IntN(4) {
		switch r := w.rng.IntN(3); {
		case r == 0:
			k := w.remote[w.rng.IntN(len(w.remote))]
			out = append(out, Dep{Key: k, NBytes: 100, Peers: []string{fmt.Sprintf("p%d", w.rng.IntN(3))}})
		case r == 1 && len(w.here) > 0:
			ks := slices.Sorted(maps.Keys(w.here))
			out = append(out, Dep{Key: ks[w.rng.IntN(len(ks))], NBytes: 100})
		case len(w.sent) > 0:
			ks := slices.Sorted(maps.Keys(w.sent))
			k := ks[w.rng.IntN(len(ks))]
			if t := w.s.Task(k); t != nil && t.State != Cancelled && t.Spec != nil {
				out = append(out, Dep{Key: k, NBytes: 100})
			}
		}
	}
	return out
}

// step does one random thing; it reports false when nothing was left to do
// but the scheduler's own moves.
func (w *workerSim) step(churn bool) bool {
	if churn {
		switch r := w.rng.IntN(20); {
		case r < 4:
			w.next++
			k := graph.Key(fmt.Sprintf("t-%d", w.next))
			ds := w.deps()
			spec := &graph.Task{Key: k, Func: "f"}
			for _, d := range ds {
				spec.Args = append(spec.Args, graph.Ref(d.Key))
			}
			w.sent[k] = true
			w.handle(&Compute{Task: spec, Priority: graph.Priority{Order: int64(w.next)}, Deps: ds})
			return true
		case r == 4 && len(w.sent) > 0:
			ks := slices.Sorted(maps.Keys(w.sent))
			k := ks[w.rng.IntN(len(ks))]
			delete(w.sent, k)
			delete(w.here, k)
			w.handle(&Free{Keys: []graph.Key{k}})
			return true
		case r == 5 && len(w.sent) > 0:
			ks := slices.Sorted(maps.Keys(w.sent))
			w.handle(&Steal{Key: ks[w.rng.IntN(len(ks))]})
			return true
		case r == 6:
			w.handle(&Pause{Paused: w.rng.IntN(3) == 0})
			return true
		case r == 7:
			k := w.remote[w.rng.IntN(len(w.remote))]
			w.sent[k] = true
			w.handle(&Acquire{Deps: []Dep{{Key: k, NBytes: 100, Peers: []string{"p0"}}}})
			return true
		case r == 8:
			w.next++
			k := graph.Key(fmt.Sprintf("s-%d", w.next))
			w.store[k] = true
			w.sent[k], w.here[k] = true, true
			w.handle(&Stored{Keys: []graph.KeySize{{Key: k, NBytes: 10}}})
			return true
		}
	}
	if len(w.executing) > 0 && (len(w.fetching) == 0 || w.rng.IntN(2) == 0) {
		ks := slices.Sorted(maps.Keys(w.executing))
		k := ks[w.rng.IntN(len(ks))]
		delete(w.executing, k)
		var err error
		if w.rng.IntN(8) == 0 {
			err = errors.New("task failed")
		} else {
			w.store[k] = true // the shell stores a result before reporting it
		}
		w.handle(&Executed{Key: k, NBytes: 100, Err: err})
		return true
	}
	if len(w.fetching) > 0 {
		i := w.rng.IntN(len(w.fetching))
		f := w.fetching[i]
		w.fetching = slices.Delete(w.fetching, i, i+1)
		ev := &Fetched{Peer: f.Peer}
		switch w.rng.IntN(10) {
		case 0:
			ev.Err = errors.New("peer unreachable")
		default:
			for _, k := range f.Keys {
				if w.rng.IntN(6) == 0 {
					ev.Missing = append(ev.Missing, k)
				} else {
					w.store[k] = true
					ev.Got = append(ev.Got, graph.KeySize{Key: k, NBytes: 100})
				}
			}
		}
		w.handle(ev)
		return true
	}
	return false
}

func TestSimulatedWorker(t *testing.T) {
	for seed := range uint64(100) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 3))
			w := &workerSim{t: t, rng: rng, store: map[graph.Key]bool{}, executing: map[graph.Key]*graph.Task{},
				sent: map[graph.Key]bool{}, here: map[graph.Key]bool{},
				s: New(Config{Address: "me", NThreads: 1 + rng.IntN(3), Validate: true, MaxFetches: 1 + rng.IntN(3),
					FetchBytes: int64(100 * (1 + rng.IntN(3))), FlightBytes: int64(rng.IntN(3) * 200)})}
			for i := range 20 {
				w.remote = append(w.remote, graph.Key(fmt.Sprintf("r-%d", i)))
			}
			for range 2000 {
				w.step(true)
			}
			// The scheduler stops sending and resumes the worker: all that
			// was started ends.
			w.handle(&Pause{Paused: false})
			for n := 0; w.step(false); n++ {
				if n > 100000 {
					t.Fatal("no progress")
				}
			}
			// It frees everything it placed here: nothing is left, in the
			// state or in the store.
			w.handle(&Free{Keys: slices.Sorted(maps.Keys(w.sent))})
			for n := 0; w.step(false); n++ {
				if n > 100000 {
					t.Fatal("no progress")
				}
			}
			if n := w.s.Len(); n != 0 {
				var left []string
				for k := range w.s.tasks {
					left = append(left, fmt.Sprintf("%s(%s)", k, w.s.tasks[k].State))
				}
				slices.Sort(left)
				t.Fatalf("%d keys left after everything was freed: %v", n, left)
			}
			if len(w.store) != 0 {
				t.Fatalf("values left in the store: %v", slices.Sorted(maps.Keys(w.store)))
			}
		})
	}
}
