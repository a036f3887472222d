package sim

import (
	"context"
	"testing"
	"time"
)

// Every workload runs to its end on a virtual cluster; the makespan is
// never below the bound, and the schedule is within a factor of it that
// a good scheduler reaches (virtual time: the same every run).
func TestWorkloadsRunToTheirEnd(t *testing.T) {
	cl := Cluster{Workers: 50, Threads: 2, MemoryLimit: 4 << 30, Bandwidth: 1e9, Latency: time.Millisecond}
	for _, tc := range []struct {
		w      *Workload
		within float64 // makespan at most this many times the bound
	}{
		{Map(5000, 10*time.Millisecond, 1<<20), 1.3},
		{Tree(4096, 8, 10*time.Millisecond, 1<<20), 2.5},
		{Shuffle(8, 3, 10*time.Millisecond, 1<<20), 2.5},
		{RandomDAG(5000, 3, 200, 10*time.Millisecond, 1<<20, 1), 2.5},
	} {
		for _, stream := range []bool{false, true} {
			cl.Stream = stream
			r, err := Run(context.Background(), cl, tc.w)
			if err != nil {
				t.Fatalf("%s: %v", tc.w.Name, err)
			}
			if r.Tasks < len(tc.w.Tasks) {
				t.Fatalf("%s: %d tasks ran of %d", tc.w.Name, r.Tasks, len(tc.w.Tasks))
			}
			if r.Makespan < r.Bound {
				t.Fatalf("%s: makespan %s below the bound %s: the simulation lost time", tc.w.Name, r.Makespan, r.Bound)
			}
			if e := r.Efficiency(); e < 1/tc.within {
				t.Errorf("%s (stream %v): makespan %s is %.2fx the bound %s", tc.w.Name, stream, r.Makespan, 1/e, r.Bound)
			}
			t.Logf("%s stream=%v: %d tasks, makespan %s, bound %s (%.2fx), %d transfers", tc.w.Name, stream, r.Tasks, r.Makespan, r.Bound, 1/r.Efficiency(), r.Transfers)
		}
	}
}

// A workload whose tasks cannot all be done (a cluster of no workers) is
// refused, not run for ever.
func TestAClusterNeedsWorkers(t *testing.T) {
	if _, err := Run(context.Background(), Cluster{Workers: 0, Threads: 1}, Map(1, time.Second, 1)); err == nil {
		t.Fatal("a cluster of no workers ran a workload")
	}
}

// BenchmarkCoreManyWorkers is the core's time per task with a thousand
// workers (go run ./bench/sim for the whole table).
func BenchmarkCoreManyWorkers(b *testing.B) {
	for _, w := range []*Workload{RandomDAG(10000, 3, 1000, 100*time.Millisecond, 1<<20, 1), Map(10000, 100*time.Millisecond, 1<<20)} {
		b.Run(w.Name, func(b *testing.B) {
			var core time.Duration
			for b.Loop() {
				r, err := Run(context.Background(), Cluster{Workers: 1000, Threads: 4, MemoryLimit: 16 << 30, Bandwidth: 1e9, Latency: time.Millisecond, Stream: true}, w)
				if err != nil {
					b.Fatal(err)
				}
				core += r.CoreTime
			}
			b.ReportMetric(float64(core.Microseconds())/float64(b.N*len(w.Tasks)), "core-µs/task")
		})
	}
}
