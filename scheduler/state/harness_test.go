package state

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/task"
)

// harness drives a State with events and collects its actions.
type harness struct {
	t   testing.TB
	s   *State
	now time.Time
	out []Action
}

func newHarness(t testing.TB, mod ...func(*Config)) *harness {
	cfg := DefaultConfig()
	cfg.Validate = true
	cfg.WorkStealing = false
	cfg.Speculate = false // tests of speculation turn it on
	for _, m := range mod {
		m(&cfg)
	}
	return &harness{t: t, s: New(cfg), now: time.Unix(1000, 0)}
}

func (h *harness) at() At {
	h.now = h.now.Add(time.Millisecond)
	return At{Now: h.now}
}

func (h *harness) handle(ev Event) []Action {
	h.t.Helper()
	h.s.Handle(ev)
	acts := slices.Clone(h.s.Ready().Actions)
	h.s.Advance()
	h.out = append(h.out, acts...)
	return acts
}

func (h *harness) addWorker(id string, threads int, res map[string]float64) []Action {
	return h.handle(&WorkerAdded{At: h.at(), ID: id, Address: "addr-" + id, NThreads: threads, Resources: res})
}

func (h *harness) submit(client string, tasks []*graph.Task, wanted ...graph.Key) []Action {
	order := make(map[graph.Key]int, len(tasks))
	for i, t := range tasks {
		order[t.Key] = i
	}
	return h.handle(&GraphSubmitted{At: h.at(), Client: client, Tasks: tasks, Wanted: wanted, Order: order})
}

func (h *harness) start(worker string, k graph.Key) []Action {
	return h.handle(&TaskStarted{At: h.at(), Worker: worker, Key: k})
}

func (h *harness) finish(worker string, k graph.Key, nbytes int64) []Action {
	start := h.now
	return h.handle(&TaskFinished{At: h.at(), Worker: worker, Key: k, NBytes: nbytes, Type: "int", Start: start, Stop: h.now})
}

func (h *harness) fail(worker string, k graph.Key, msg string) []Action {
	return h.handle(&TaskFailed{At: h.at(), Worker: worker, Key: k, Err: &task.TaskError{Kind: task.ErrTask, Message: msg}})
}

func (h *harness) state(k graph.Key) TaskState {
	t := h.s.Task(k)
	if t == nil {
		return Forgotten
	}
	return t.State
}

func (h *harness) wantState(k graph.Key, want TaskState) {
	h.t.Helper()
	if got := h.state(k); got != want {
		h.t.Fatalf("%s is %s, want %s; story:\n%s", k, got, want, h.s.Story(k))
	}
}

// spec builds a task calling f on references to deps.
func spec(key string, deps ...string) *graph.Task {
	t := &graph.Task{Key: graph.Key(key), Func: "f"}
	for _, d := range deps {
		t.Args = append(t.Args, graph.Ref(graph.Key(d)))
	}
	return t
}

// computes returns the Compute actions among acts as "worker:key".
func computes(acts []Action) []string {
	var out []string
	for _, a := range acts {
		if c, ok := a.(*Compute); ok {
			out = append(out, c.Worker+":"+string(c.Task.Key))
		}
	}
	return out
}

func ofType[T Action](acts []Action) []T {
	var out []T
	for _, a := range acts {
		if x, ok := a.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

// describe writes actions one a line.
func describe(acts []Action) string {
	var b strings.Builder
	for _, a := range acts {
		b.WriteString(describeAction(a) + "\n")
	}
	return b.String()
}
