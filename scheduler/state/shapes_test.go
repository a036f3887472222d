package state

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/dusk-go/dusk/graph"
)

// A shape builds a graph of about n dependencies (edges) or tasks, and
// returns its tasks, the keys wanted and the number of edges.
type shape struct {
	name  string
	build func(n int) ([]*graph.Task, []graph.Key, int)
}

var lit = graph.Value([]byte{0x43, 0x01})

var shapes = []shape{
	// fan-in: one task over n independent ones.
	{"fan-in", func(n int) ([]*graph.Task, []graph.Key, int) {
		tasks := make([]*graph.Task, 0, n+1)
		args := make([]graph.Arg, n)
		for i := range n {
			k := graph.NewKey("leaf")
			tasks = append(tasks, &graph.Task{Key: k, Func: "inc", Args: []graph.Arg{lit}})
			args[i] = graph.Ref(k)
		}
		root := graph.NewKey("merge")
		tasks = append(tasks, &graph.Task{Key: root, Func: "sum", Args: []graph.Arg{graph.List(args...)}})
		return tasks, []graph.Key{root}, n
	}},
	// fan-out: n tasks over one.
	{"fan-out", func(n int) ([]*graph.Task, []graph.Key, int) {
		src := graph.NewKey("src")
		tasks := []*graph.Task{{Key: src, Func: "inc", Args: []graph.Arg{lit}}}
		keys := make([]graph.Key, n)
		for i := range n {
			keys[i] = graph.NewKey("use")
			tasks = append(tasks, &graph.Task{Key: keys[i], Func: "inc", Args: []graph.Arg{graph.Ref(src)}})
		}
		return tasks, keys, n
	}},
	// all-to-all: √n tasks, each over all of √n others.
	{"all-to-all", func(n int) ([]*graph.Task, []graph.Key, int) {
		m := int(math.Sqrt(float64(n)))
		tasks := make([]*graph.Task, 0, 2*m)
		args := make([]graph.Arg, m)
		for i := range m {
			k := graph.NewKey("src")
			tasks = append(tasks, &graph.Task{Key: k, Func: "inc", Args: []graph.Arg{lit}})
			args[i] = graph.Ref(k)
		}
		keys := make([]graph.Key, m)
		for i := range m {
			keys[i] = graph.NewKey("dst")
			tasks = append(tasks, &graph.Task{Key: keys[i], Func: "sum", Args: []graph.Arg{graph.List(args...)}})
		}
		return tasks, keys, m * m
	}},
	// chain: n tasks, each over the one before.
	{"chain", func(n int) ([]*graph.Task, []graph.Key, int) {
		tasks := make([]*graph.Task, n)
		prev := graph.NewKey("link")
		tasks[0] = &graph.Task{Key: prev, Func: "inc", Args: []graph.Arg{lit}}
		for i := 1; i < n; i++ {
			k := graph.NewKey("link")
			tasks[i] = &graph.Task{Key: k, Func: "inc", Args: []graph.Arg{graph.Ref(prev)}}
			prev = k
		}
		return tasks, []graph.Key{prev}, n - 1
	}},
}

// runShape runs a graph through the core with two workers that finish
// every task at once, as runToCompletion does, and returns the tasks run.
func runShape(s *State, tasks []*graph.Task, wanted []graph.Key) int {
	// As the client sends a graph: in order, with no order map.
	now := s.Now()
	s.Handle(&GraphSubmitted{At: At{now}, Client: "c", Tasks: tasks, Wanted: wanted})
	n := runToCompletion(s, nil, &now)
	s.Handle(&KeysReleased{At: At{now}, Client: "c", Keys: wanted})
	ready(s, nil, nil)
	return n
}

func shapeState() *State {
	cfg := DefaultConfig()
	cfg.Record = false
	s := New(cfg)
	now := time.Unix(0, 0)
	s.Handle(&WorkerAdded{At: At{now}, ID: "w1", NThreads: 1})
	s.Handle(&WorkerAdded{At: At{now}, ID: "w2", NThreads: 1})
	ready(s, nil, nil)
	return s
}

// BenchmarkShapes measures the core's CPU per task and per dependency over
// graphs of four shapes, from 1,000 to 1,000,000 dependencies: a linear
// core spends the same per task at every size.
//
// One op runs graphs of the size until 100,000 dependencies have passed
// (a hundred graphs of 1,000, one of 100,000 or more), each built before
// its run and out of the measure: a single 1,000-task graph takes about a
// millisecond, too short for the process's CPU clock to measure steadily.
//
//	go test -run '^$' -bench BenchmarkShapes -benchtime 1x ./scheduler/state
func BenchmarkShapes(b *testing.B) {
	for _, sh := range shapes {
		for _, n := range []int{1000, 10000, 100000, 1000000} {
			b.Run(fmt.Sprintf("%s/n=%d", sh.name, n), func(b *testing.B) {
				s := shapeState()
				var cpu time.Duration
				tasks, edges := 0, 0
				for range b.N {
					for rep := 0; rep == 0 || rep*n < 100000; rep++ {
						b.StopTimer()
						ts, wanted, e := sh.build(n)
						b.StartTimer()
						c0 := processCPU()
						tasks += runShape(s, ts, wanted)
						cpu += processCPU() - c0
						edges += e
					}
				}
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(tasks), "cpu-ns/task")
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(edges), "cpu-ns/edge")
			})
		}
	}
}

// TestCoreStaysLinear counts the dependencies and dependents the core
// looks at while it runs each shape at two sizes, four times apart: a
// core with no quadratic path looks at four times as many, not sixteen.
// (It counts work, not time: nothing here depends on the machine.)
func TestCoreStaysLinear(t *testing.T) {
	small := 2000
	if testing.Short() {
		small = 500
	}
	for _, sh := range shapes {
		visits := func(n int) uint64 {
			s := shapeState()
			ts, wanted, _ := sh.build(n)
			runShape(s, ts, wanted)
			return s.visits
		}
		a, b := visits(small), visits(4*small)
		if b > 5*a {
			t.Errorf("%s: %d visits at n=%d, %d at n=%d (%.1fx for 4x the graph): a path grows faster than the graph",
				sh.name, a, small, b, 4*small, float64(b)/float64(a))
		}
	}
}

// TestPlacementDoesNotGrowWithWorkers runs each shape on 4,000 and on
// 40,000 workers (more than it has tasks, so every task is placed as it
// becomes ready, on both): placing a task weighs a bounded set of
// candidates (its inputs' holders and a sample of idle workers) and finds
// what each holds of its inputs in one pass, so the core's work for the
// same graph stays within 2x. It grew tenfold before: every worker was
// weighed for every task, each against every input.
func TestPlacementDoesNotGrowWithWorkers(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 500
	}
	for _, sh := range shapes {
		visits := func(workers int) uint64 {
			cfg := DefaultConfig()
			cfg.Record = false
			s := New(cfg)
			now := time.Unix(0, 0)
			for i := range workers {
				s.Handle(&WorkerAdded{At: At{now}, ID: fmt.Sprintf("w%d", i), NThreads: 1})
			}
			ready(s, nil, nil)
			s.visits = 0
			ts, wanted, _ := sh.build(n)
			runShape(s, ts, wanted)
			return s.visits
		}
		a, b := visits(4000), visits(40000)
		if b > 2*a {
			t.Errorf("%s: %d visits on 4,000 workers, %d on 40,000 (%.1fx): placement grows with the workers", sh.name, a, b, float64(b)/float64(a))
		}
	}
}
