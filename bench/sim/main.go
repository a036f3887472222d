// Command sim runs the scheduler's core against virtual clusters far
// larger than this machine (package scheduler/sim): map, tree, shuffle and
// random-DAG workloads, from 10,000 to 10,000,000 tasks on up to 10,000
// workers, and prints what the core did with them.
//
//	go run ./bench/sim                      # the standard sizes
//	go run ./bench/sim -tasks 1e6 -workers 10000 -only map
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/dusk-go/dusk/scheduler/sim"
)

func main() {
	tasksFlag := flag.String("tasks", "1e4,1e5,1e6", "task counts, comma-separated (1e7 needs ~20 GiB)")
	workersFlag := flag.String("workers", "100,1000,10000", "worker counts, comma-separated")
	threads := flag.Int("threads", 4, "threads per worker")
	only := flag.String("only", "", "run only these workloads (map, tree, shuffle, dag), comma-separated")
	stream := flag.Bool("stream", true, "the client releases each result as it arrives (AsCompleted) rather than holding all")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the runs to this file")
	group := flag.Int("shuffle-group", 0, "the shuffle's group size g, its stages then as many as make about the task count (0: four stages, g to fit; "+
		"a small g keeps the edges, g a task, within memory at 1e7 tasks)")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fail(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	ns, err := counts(*tasksFlag)
	if err != nil {
		fail(err)
	}
	ws, err := counts(*workersFlag)
	if err != nil {
		fail(err)
	}
	want := map[string]bool{}
	for _, o := range strings.Split(*only, ",") {
		if o != "" {
			want[o] = true
		}
	}
	fmt.Printf("%-8s %8s %9s %8s %17s %13s %17s %10s %10s %15s\n", "workload", "workers", "tasks", "core s",
		"decisions/core-s", "core µs/task", "peak heap B/task", "makespan", "bound", "makespan/bound")
	for _, n := range ns {
		for _, name := range []string{"map", "tree", "shuffle", "dag"} {
			if len(want) > 0 && !want[name] {
				continue
			}
			for _, nw := range ws {
				w := workload(name, n, *group)
				runtime.GC()
				debug.FreeOSMemory()
				cl := sim.Cluster{Workers: nw, Threads: *threads, MemoryLimit: 16 << 30, Bandwidth: 1e9,
					Latency: time.Millisecond, Stream: *stream}
				r, err := sim.Run(context.Background(), cl, w)
				if err != nil {
					fail(err)
				}
				fmt.Printf("%-8s %8d %9d %8.1f %17.0f %13.2f %17d %10s %10s %15.2f\n", name, nw, len(w.Tasks),
					r.CoreTime.Seconds(), r.DecisionsPerSecond(), float64(r.CoreTime.Microseconds())/float64(len(w.Tasks)),
					r.PeakHeap/uint64(len(w.Tasks)), r.Makespan.Round(time.Millisecond), r.Bound.Round(time.Millisecond),
					1/r.Efficiency())
			}
		}
	}
}

// workload makes workload name of about n tasks of 100 ms each with
// results of 1 MiB; group, if not 0, is the shuffle's group size.
func workload(name string, n, group int) *sim.Workload {
	const dur, size = 100 * time.Millisecond, 1 << 20
	switch name {
	case "map":
		return sim.Map(n, dur, size)
	case "tree":
		return sim.Tree(n*7/8, 8, dur, size) // the combines add about n/8
	case "shuffle":
		if group >= 2 {
			// Stages of groups of g: (g^stages)·(stages+1) tasks, the
			// stages that come nearest n.
			stages, best := 1, math.Inf(1)
			for k := 1; k <= 64; k++ {
				tasks := math.Pow(float64(group), float64(k)) * float64(k+1)
				if d := math.Abs(math.Log(tasks / float64(n))); d < best {
					stages, best = k, d
				}
				if tasks > float64(n) {
					break
				}
			}
			return sim.Shuffle(group, stages, dur, size)
		}
		// Four stages of groups of g: (g^4)·5 tasks, g about 32 (Dask's
		// max_branch) for a few million tasks.
		g := max(2, int(math.Round(math.Pow(float64(n)/5, 0.25))))
		return sim.Shuffle(g, 4, dur, size)
	default:
		return sim.RandomDAG(n, 3, 1000, dur, size, 1)
	}
}

func counts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%q is not a count", f)
		}
		out = append(out, int(v))
	}
	return out, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "sim:", err)
	os.Exit(1)
}
