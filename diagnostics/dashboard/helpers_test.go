package dashboard

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/scheduler/state"
	"github.com/dusk-go/dusk/task"
)

// fakeScheduler is a scheduler's state machine and ring without sockets:
// tests play workers by hand.
type fakeScheduler struct {
	mu   sync.Mutex
	st   *state.State
	ring *event.Ring
	now  time.Time
}

func newFake(t testing.TB, workers ...string) *fakeScheduler {
	t.Helper()
	return newFakeConfig(t, nil, workers...)
}

// newFakeConfig is newFake with the state's configuration changed by edit.
func newFakeConfig(t testing.TB, edit func(*state.Config), workers ...string) *fakeScheduler {
	t.Helper()
	ring := event.NewRing(1 << 16)
	cfg := state.DefaultConfig()
	if edit != nil {
		edit(&cfg)
	}
	f := &fakeScheduler{st: state.New(cfg), ring: ring, now: time.Unix(1000, 0)}
	for _, w := range workers {
		f.handle(&state.WorkerAdded{At: f.at(), ID: w, Address: w, Name: "n-" + w, NThreads: 2,
			Resources: map[string]float64{"GPU": 1}, MemoryLimit: 1 << 30})
	}
	return f
}

func (f *fakeScheduler) Events() *event.Ring { return f.ring }
func (f *fakeScheduler) ID() string          { return "scheduler-test" }
func (f *fakeScheduler) Snapshot() *event.Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st.Snapshot(f.now)
}
func (f *fakeScheduler) Graph(_ context.Context, limit int) (*event.Graph, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st.Graph(limit), nil
}

// ready takes the state's outputs as the scheduler does: its events go to
// the ring. It returns a copy of the actions.
func (f *fakeScheduler) ready() []state.Action {
	r := f.st.Ready()
	f.ring.AddAll(r.Events...)
	acts := append([]state.Action(nil), r.Actions...)
	f.st.Advance()
	return acts
}

func (f *fakeScheduler) at() state.At {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(time.Millisecond)
	return state.At{Now: f.now}
}

func (f *fakeScheduler) handle(evs ...state.Event) []state.Action {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range evs {
		f.st.Handle(e)
	}
	return f.ready()
}

// submit sends tasks (wanting the given keys) and returns the actions.
func (f *fakeScheduler) submit(tasks []*graph.Task, wanted ...graph.Key) []state.Action {
	return f.handle(&state.GraphSubmitted{At: f.at(), Client: "c", Tasks: tasks, Wanted: wanted})
}

// run plays the workers: every Compute runs at once and succeeds, except
// keys in fail; it returns how many tasks ran.
func (f *fakeScheduler) run(acts []state.Action, fail map[graph.Key]bool) int {
	n := 0
	for len(acts) > 0 {
		a := acts[0]
		acts = acts[1:]
		c, ok := a.(*state.Compute)
		if !ok {
			continue
		}
		n++
		at := f.at()
		start := at.Now
		acts = append(acts, f.handle(&state.TaskStarted{At: at, Worker: c.Worker, Key: c.Task.Key, Thread: n % 2})...)
		if fail[c.Task.Key] {
			acts = append(acts, f.handle(&state.TaskFailed{At: f.at(), Worker: c.Worker, Key: c.Task.Key, Thread: n % 2,
				Start: start, Stop: start.Add(time.Millisecond), Err: &task.TaskError{Kind: task.ErrTask, Message: "boom"}})...)
			continue
		}
		acts = append(acts, f.handle(&state.TaskFinished{At: f.at(), Worker: c.Worker, Key: c.Task.Key, Thread: n % 2,
			NBytes: 8, Type: "int", Start: start, Stop: start.Add(time.Millisecond)})...)
	}
	return n
}

// chain returns n tasks of prefix, each depending on the one before.
func chain(prefix string, n int) []*graph.Task {
	var out []*graph.Task
	var prev graph.Key
	for i := range n {
		k := graph.Key(prefix + "-" + string(rune('a'+i)))
		t := &graph.Task{Key: k, Func: "f"}
		if prev != "" {
			t.Args = []graph.Arg{graph.Ref(prev)}
		}
		out = append(out, t)
		prev = k
	}
	return out
}
