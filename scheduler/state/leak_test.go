package state

import (
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/dusk-go/dusk/graph"
)

// TestNothingHeldAfterAGraph runs a large graph through the core, releases
// it as a departing client does, and checks that the garbage collector can
// free every one of its tasks: no buffer of the core (recommendations,
// actions, events, fill lists) keeps a pointer to a forgotten task.
func TestNothingHeldAfterAGraph(t *testing.T) {
	n := 200000
	if testing.Short() {
		n = 20000
	}
	s := New(DefaultConfig())
	now := time.Unix(0, 0)
	s.Handle(&WorkerAdded{At: At{now}, ID: "w1", NThreads: 1})
	s.Handle(&WorkerAdded{At: At{now}, ID: "w2", NThreads: 1})
	ready(s, nil, nil)
	for _, build := range []func() ([]*graph.Task, []graph.Key){
		func() ([]*graph.Task, []graph.Key) { return mapGraph(n) },
		func() ([]*graph.Task, []graph.Key) { ts, root := treeGraph(n, 8); return ts, []graph.Key{root} },
		func() ([]*graph.Task, []graph.Key) { return sharedDepGraph(n) },
	} {
		tasks, wanted := build()
		order := make(map[graph.Key]int, len(tasks))
		for i, tk := range tasks {
			order[tk.Key] = i
		}
		s.Handle(&GraphSubmitted{At: At{now}, Client: "c", Tasks: tasks, Wanted: wanted, Order: order})
		held := make([]weak.Pointer[Task], 0, len(tasks))
		for _, tk := range tasks {
			held = append(held, weak.Make(s.tasks[tk.Key]))
		}
		tasks, order = nil, nil
		runToCompletion(s, nil, &now)
		s.Handle(&KeysReleased{At: At{now}, Client: "c", Keys: wanted})
		ready(s, nil, nil)
		if s.NTasks() != 0 {
			t.Fatalf("%d tasks left after the client released its keys", s.NTasks())
		}
		runtime.GC()
		alive := 0
		for _, p := range held {
			if p.Value() != nil {
				alive++
			}
		}
		if alive != 0 {
			t.Errorf("%d of %d forgotten tasks are still reachable from the core", alive, len(held))
		}
	}
	runtime.KeepAlive(s)
}

// sharedDepGraph returns n tasks over one shared input, and their keys.
func sharedDepGraph(n int) ([]*graph.Task, []graph.Key) {
	data := graph.NewKey("data")
	tasks := []*graph.Task{{Key: data, Func: "inc", Args: []graph.Arg{graph.Value([]byte{0x43, 0x01})}}}
	keys := make([]graph.Key, n)
	for i := range n {
		keys[i] = graph.NewKey("use")
		tasks = append(tasks, &graph.Task{Key: keys[i], Func: "inc", Args: []graph.Arg{graph.Ref(data)}})
	}
	return tasks, keys
}
