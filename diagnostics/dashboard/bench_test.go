package dashboard

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/scheduler/state"
)

// mapGraph returns n independent tasks of one prefix.
func mapGraph(n int) ([]*graph.Task, []graph.Key) {
	lit := graph.Value([]byte{0x01})
	tasks := make([]*graph.Task, n)
	keys := make([]graph.Key, n)
	for i := range n {
		keys[i] = graph.NewKey("inc")
		tasks[i] = &graph.Task{Key: keys[i], Func: "inc", Args: []graph.Arg{lit}}
	}
	return tasks, keys
}

// lifecycle runs a graph of n tasks through the scheduler's state machine,
// from submission to forgetting, taking the scheduler's lock for every
// event as the server does, and returns the tasks run.
func (f *fakeScheduler) lifecycle(n int) int {
	tasks, keys := mapGraph(n)
	acts := f.submit(tasks, keys...)
	ran := f.runQuick(acts)
	f.handle(&state.KeysReleased{At: f.at(), Client: "c", Keys: keys})
	return ran
}

// runQuick is run without failures and with one event per lock.
func (f *fakeScheduler) runQuick(acts []state.Action) int {
	n := 0
	for len(acts) > 0 {
		c, ok := acts[0].(*state.Compute)
		acts = acts[1:]
		if !ok {
			continue
		}
		n++
		at := f.at()
		acts = append(acts, f.handle(&state.TaskStarted{At: at, Worker: c.Worker, Key: c.Task.Key})...)
		acts = append(acts, f.handle(&state.TaskFinished{At: f.at(), Worker: c.Worker, Key: c.Task.Key, NBytes: 8,
			Type: "int", Start: at.Now, Stop: at.Now.Add(time.Microsecond)})...)
	}
	return n
}

// BenchmarkSchedulerWithPages measures the scheduler's throughput on a
// 100,000-task graph (tasks/s through their whole life in the state
// machine) without recording events, recording them with no dashboard,
// and with a dashboard (its
// default settings) that has 0 or 10 pages connected and reading their
// event streams. scripts/bench-diagnostics runs it.
func BenchmarkSchedulerWithPages(b *testing.B) {
	const tasks = 100000
	for _, pages := range []int{-2, -1, 0, 10} {
		name := fmt.Sprintf("pages=%d", pages)
		switch pages {
		case -2:
			name = "no-events" // recording off, as scheduler.events.record: false
		case -1:
			name = "no-dashboard"
		}
		b.Run(name, func(b *testing.B) {
			f := newFake(b, "w1", "w2", "w3", "w4")
			if pages == -2 {
				f = newFakeConfig(b, func(c *state.Config) { c.Record = false }, "w1", "w2", "w3", "w4")
			}
			var read atomic.Int64
			if pages >= 0 {
				s, url := serveWith(b, f, Options{}) // the defaults, as a scheduler runs it
				var wg sync.WaitGroup
				ctx, cancel := context.WithCancel(context.Background())
				for range pages {
					req, _ := http.NewRequestWithContext(ctx, "GET", url+"api/stream", nil)
					req.Header.Set("Authorization", "Bearer tok")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						defer resp.Body.Close()
						r := bufio.NewReaderSize(resp.Body, 1<<16)
						buf := make([]byte, 1<<16)
						for {
							n, err := r.Read(buf)
							read.Add(int64(n))
							if err != nil {
								return
							}
						}
					}()
				}
				for s.Aggregator().Pages() < pages {
					time.Sleep(time.Millisecond)
				}
				b.Cleanup(func() { cancel(); wg.Wait() })
			}
			// The scheduler's own CPU time per task is measured on its OS
			// thread: other load on the machine does not change it, while
			// the dashboard would through lock contention or cache misses.
			// The process's CPU time per task adds what the dashboard
			// itself (aggregator, encoding, HTTP) and the GC cost.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			thread0, proc0 := cpuTimes()
			total := 0
			for b.Loop() {
				total += f.lifecycle(tasks)
			}
			thread1, proc1 := cpuTimes()
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "tasks/s")
			b.ReportMetric(float64(thread1-thread0)/float64(total), "sched-ns/task")
			b.ReportMetric(float64(proc1-proc0)/float64(total), "cpu-ns/task")
			if pages > 0 {
				b.ReportMetric(float64(read.Load())/float64(pages)/b.Elapsed().Seconds()/1e3, "kB/s/page")
			}
		})
	}
}

// BenchmarkAggregatorFold measures the aggregator alone folding the
// events of 10,000 independent tasks' whole lives (submitted, run,
// released: about 60,000 events) into its counts.
func BenchmarkAggregatorFold(b *testing.B) {
	f := newFake(b, "w1", "w2")
	var ts []*graph.Task
	var ks []graph.Key
	for i := range 10000 {
		k := graph.Key(fmt.Sprintf("inc-%d", i))
		ts = append(ts, &graph.Task{Key: k, Func: "f"})
		ks = append(ks, k)
	}
	f.run(f.submit(ts, ks...), nil)
	f.handle(&state.KeysReleased{At: f.at(), Client: "c", Keys: ks})
	events := int(f.ring.Total())
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		a := NewAggregator(f, Options{})
		a.Poll(ctx)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/event")
}
