package state

import (
	"fmt"
	"math"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/graph"
)

// treeGraph returns a tree reduction with the given fan-in over n leaves,
// each leaf holding a small literal argument, and the root's key.
func treeGraph(n, fanIn int) ([]*graph.Task, graph.Key) {
	lit := graph.Value([]byte{0x43, 0x01}) // a tiny encoded literal
	tasks := make([]*graph.Task, 0, n+n/(fanIn-1)+1)
	level := make([]graph.Key, n)
	for i := range n {
		k := graph.NewKey("leaf")
		tasks = append(tasks, &graph.Task{Key: k, Func: "inc", Args: []graph.Arg{lit}})
		level[i] = k
	}
	for len(level) > 1 {
		var next []graph.Key
		for i := 0; i < len(level); i += fanIn {
			j := min(i+fanIn, len(level))
			args := make([]graph.Arg, 0, j-i)
			for _, k := range level[i:j] {
				args = append(args, graph.Ref(k))
			}
			k := graph.NewKey("sum")
			tasks = append(tasks, &graph.Task{Key: k, Func: "sum", Args: []graph.Arg{graph.List(args...)}})
			next = append(next, k)
		}
		level = next
	}
	return tasks, level[0]
}

// ready appends the state's new actions to acts, adds its events to ring
// (if not nil) as the shell does, and acknowledges them.
func ready(s *State, ring *event.Ring, acts []Action) []Action {
	r := s.Ready()
	acts = append(acts, r.Actions...)
	if ring != nil {
		ring.AddAll(r.Events...)
	}
	s.Advance()
	return acts
}

// runToCompletion plays two single-threaded workers that finish every
// task they are sent at once, and returns the number of tasks run.
func runToCompletion(s *State, ring *event.Ring, now *time.Time) int {
	pending := ready(s, ring, nil)
	n := 0
	for len(pending) > 0 {
		a := pending[0]
		pending = pending[1:]
		c, ok := a.(*Compute)
		if !ok {
			continue
		}
		*now = now.Add(time.Microsecond)
		s.Handle(&TaskStarted{At: At{*now}, Worker: c.Worker, Key: c.Task.Key, Handle: c.Handle})
		s.Handle(&TaskFinished{At: At{*now}, Worker: c.Worker, Key: c.Task.Key, Handle: c.Handle, NBytes: 8, Start: *now, Stop: now.Add(5 * time.Microsecond)})
		pending = ready(s, ring, pending)
		n++
	}
	return n
}

func benchLifecycle(b *testing.B, record bool, saturation float64, build func() ([]*graph.Task, []graph.Key)) {
	cfg := DefaultConfig()
	cfg.Record = record
	var ring *event.Ring
	if record {
		ring = event.NewRing(100000)
	}
	cfg.WorkerSaturation = saturation
	s := New(cfg)
	now := time.Unix(0, 0)
	s.Handle(&WorkerAdded{At: At{now}, ID: "w1", NThreads: 1})
	s.Handle(&WorkerAdded{At: At{now}, ID: "w2", NThreads: 1})
	ready(s, ring, nil)
	total := 0
	var cpu time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		tasks, wanted := build()
		order := make(map[graph.Key]int, len(tasks))
		for i, t := range tasks {
			order[t.Key] = i
		}
		b.StartTimer()
		c0 := processCPU()
		s.Handle(&GraphSubmitted{At: At{now}, Client: "c", Tasks: tasks, Wanted: wanted, Order: order})
		total += runToCompletion(s, ring, &now)
		s.Handle(&KeysReleased{At: At{now}, Client: "c", Keys: wanted})
		ready(s, ring, nil)
		cpu += processCPU() - c0
		if s.NTasks() != 0 {
			b.Fatalf("%d tasks left", s.NTasks())
		}
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "tasks/s")
	// CPU time is steadier than wall time on a shared machine.
	b.ReportMetric(float64(total)/cpu.Seconds(), "tasks/cpu-s")
}

// processCPU returns the CPU time (user and system) this process used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mapGraph(n int) ([]*graph.Task, []graph.Key) {
	lit := graph.Value([]byte{0x43, 0x01})
	tasks := make([]*graph.Task, n)
	keys := make([]graph.Key, n)
	for i := range n {
		keys[i] = graph.NewKey("inc")
		tasks[i] = &graph.Task{Key: keys[i], Func: "inc", Args: []graph.Arg{lit}}
	}
	return tasks, keys
}

// BenchmarkLifecycle measures tasks per second through their whole life on
// the scheduler (submitted, placed, started, finished, reported, released,
// forgotten) with events recorded or not.
func BenchmarkLifecycle(b *testing.B) {
	for _, record := range []bool{false, true} {
		for _, sat := range []float64{1.1, math.Inf(1)} {
			b.Run(fmt.Sprintf("map20k/record=%v/saturation=%v", record, sat), func(b *testing.B) {
				benchLifecycle(b, record, sat, func() ([]*graph.Task, []graph.Key) { return mapGraph(20000) })
			})
			b.Run(fmt.Sprintf("tree20k/record=%v/saturation=%v", record, sat), func(b *testing.B) {
				benchLifecycle(b, record, sat, func() ([]*graph.Task, []graph.Key) {
					ts, root := treeGraph(20000, 8)
					return ts, []graph.Key{root}
				})
			})
		}
	}
}

// TestHeapPerTaskHeld measures the scheduler's heap with a 1,000,000-task
// graph held (submitted, waiting for workers). It reports the figure; the
// bound it checks is generous so that it is a guard, not a benchmark.
func TestHeapPerTaskHeld(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1,000,000-task graph")
	}
	tasks, root := treeGraph(875000, 8) // 875,000 leaves + 125,000 sums = 1,000,000 tasks
	order := make(map[graph.Key]int, len(tasks))
	for i, tk := range tasks {
		order[tk.Key] = i
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := New(DefaultConfig())
	s.Handle(&GraphSubmitted{At: At{time.Unix(0, 0)}, Client: "c", Tasks: tasks, Wanted: []graph.Key{root}, Order: order})
	ready(s, nil, nil)
	order = nil
	runtime.GC()
	runtime.ReadMemStats(&after)
	n := s.NTasks()
	// The task specs were built before "before": count them separately.
	perTask := float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
	specBytes := float64(specSize(tasks)) / float64(n)
	t.Logf("%d tasks held: %.0f bytes/task of scheduler state + %.0f bytes/task of task specs = %.0f bytes/task",
		n, perTask, specBytes, perTask+specBytes)
	if perTask+specBytes > 1024 {
		t.Errorf("%.0f bytes per task held, want under 1 KiB", perTask+specBytes)
	}
	runtime.KeepAlive(s)
	runtime.KeepAlive(tasks)
}

func specSize(tasks []*graph.Task) int {
	n := 0
	for _, t := range tasks {
		n += 160 + len(t.Key) // graph.Task struct, rounded to its size class
		n += argsSize(t.Args)
	}
	return n
}

func argsSize(args []graph.Arg) int {
	n := 0
	for _, a := range args {
		n += 96 + len(a.Value)
		n += argsSize(a.List)
	}
	return n
}
