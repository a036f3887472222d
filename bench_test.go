package dusk_test

// Core engine benchmarks on an in-process local cluster (scheduler and 2
// workers of 1 thread as goroutines of the test binary). They measure the
// engine's cost per task for trivial tasks; bench/core runs the same
// workloads with worker processes, side by side with Dask.
//
//	go test -run '^$' -bench . -benchtime 20x .
//
// MapGather and TreeSum/futures also report the process's CPU time per
// task (cpu-µs/task), client, scheduler and workers together.

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
)

var (
	benchInc = dusk.Register("benchtest.inc", func(x int) int { return x + 1 })
	benchSum = dusk.Register("benchtest.sum", func(xs []int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	})
)

// benchClient starts an in-process cluster of 2 workers with 1 thread each.
func benchClient(b *testing.B) (context.Context, *dusk.Client) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	b.Cleanup(cancel)
	c, err := dusk.Connect(ctx, "", dusk.LocalWorkers(2), dusk.LocalThreads(1))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return ctx, c
}

// reportPerTask reports tasks/s and µs/task for tasksPerOp tasks in each
// of the b.N operations.
func reportPerTask(b *testing.B, tasksPerOp int) {
	el := b.Elapsed().Seconds()
	if el <= 0 || b.N == 0 {
		return
	}
	n := float64(b.N * tasksPerOp)
	b.ReportMetric(n/el, "tasks/s")
	b.ReportMetric(el/n*1e6, "µs/task")
}

// cpuTime returns the CPU time the test process has used, user and
// system: with the workers in process, every part of the engine's.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPUPerTask reports the process's CPU time since c0 per task: a
// figure the machine's other load moves much less than the elapsed time.
func reportCPUPerTask(b *testing.B, c0 time.Duration, tasksPerOp int) {
	if b.N == 0 {
		return
	}
	b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/1e3/float64(b.N*tasksPerOp), "cpu-µs/task")
}

// BenchmarkMapGather: one op is Map of n independent inc tasks and a
// Gather of their results (n = 1,000, and 20,000 as bench/core's map).
func BenchmarkMapGather(b *testing.B) {
	for _, n := range []int{1000, 20000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			ctx, c := benchClient(b)
			items := make([]int, n)
			for i := range items {
				items[i] = i
			}
			b.ResetTimer()
			c0 := cpuTime()
			for b.Loop() {
				fs, err := dusk.Map[int](ctx, c, benchInc, items)
				if err != nil {
					b.Fatal(err)
				}
				vals, err := dusk.Gather(ctx, fs)
				if err != nil {
					b.Fatal(err)
				}
				if vals[n-1] != n {
					b.Fatalf("last = %d, want %d", vals[n-1], n)
				}
				for _, f := range fs {
					f.Release()
				}
			}
			reportPerTask(b, n)
			reportCPUPerTask(b, c0, n)
		})
	}
}

// treeTasks is the number of tasks of a tree sum over leaves with fan-in.
func treeTasks(leaves, fanIn int) int {
	total, w := leaves, leaves
	for w > 1 {
		w = (w + fanIn - 1) / fanIn
		total += w
	}
	return total
}

// BenchmarkTreeSum: one op is a tree sum with fan-in 8 over 2,000 inc
// leaves (2,287 tasks), built from futures (Map, then a Submit per sum) or
// as one Delayed graph.
func BenchmarkTreeSum(b *testing.B) {
	const leaves, fanIn = 2000, 8
	want := leaves * (leaves + 1) / 2
	items := make([]int, leaves)
	for i := range items {
		items[i] = i
	}
	b.Run("futures", func(b *testing.B) {
		ctx, c := benchClient(b)
		b.ResetTimer()
		c0 := cpuTime()
		for b.Loop() {
			level, err := dusk.Map[int](ctx, c, benchInc, items)
			if err != nil {
				b.Fatal(err)
			}
			all := level
			for len(level) > 1 {
				var next []*dusk.Future[int]
				for i := 0; i < len(level); i += fanIn {
					f, err := dusk.Submit[int](ctx, c, benchSum, level[i:min(i+fanIn, len(level))])
					if err != nil {
						b.Fatal(err)
					}
					next = append(next, f)
				}
				all = append(all, next...)
				level = next
			}
			got, err := level[0].Result(ctx)
			if err != nil || got != want {
				b.Fatalf("sum = %d, %v; want %d", got, err, want)
			}
			for _, f := range all {
				f.Release()
			}
		}
		reportPerTask(b, treeTasks(leaves, fanIn))
		reportCPUPerTask(b, c0, treeTasks(leaves, fanIn))
	})
	b.Run("delayed", func(b *testing.B) {
		ctx, c := benchClient(b)
		b.ResetTimer()
		for b.Loop() {
			level := make([]*dusk.Delayed[int], leaves)
			for i := range level {
				level[i] = dusk.Call[int](benchInc, i)
			}
			for len(level) > 1 {
				var next []*dusk.Delayed[int]
				for i := 0; i < len(level); i += fanIn {
					next = append(next, dusk.Call[int](benchSum, level[i:min(i+fanIn, len(level))]))
				}
				level = next
			}
			got, err := dusk.Compute(ctx, c, level[0])
			if err != nil || got != want {
				b.Fatalf("sum = %d, %v; want %d", got, err, want)
			}
		}
		reportPerTask(b, treeTasks(leaves, fanIn))
	})
}

// BenchmarkChain: one op is a chain of 100 dependent inc tasks; µs/task is
// the latency of one link. "futures" submits x = Submit(inc, x) in a loop;
// "delayed-unfused" computes a Delayed chain with Optimize(false);
// "delayed-fused" with default optimization, which fuses the chain into
// one task (so it measures fusion, not scheduling).
func BenchmarkChain(b *testing.B) {
	const n = 100
	b.Run("futures", func(b *testing.B) {
		ctx, c := benchClient(b)
		b.ResetTimer()
		for b.Loop() {
			x, err := dusk.Submit[int](ctx, c, benchInc, 0)
			if err != nil {
				b.Fatal(err)
			}
			for range n - 1 {
				y, err := dusk.Submit[int](ctx, c, benchInc, x)
				if err != nil {
					b.Fatal(err)
				}
				x.Release()
				x = y
			}
			got, err := x.Result(ctx)
			if err != nil || got != n {
				b.Fatalf("chain = %d, %v; want %d", got, err, n)
			}
			x.Release()
		}
		reportPerTask(b, n)
	})
	for _, v := range []struct {
		name     string
		optimize bool
	}{{"delayed-unfused", false}, {"delayed-fused", true}} {
		b.Run(v.name, func(b *testing.B) {
			ctx, c := benchClient(b)
			b.ResetTimer()
			for b.Loop() {
				x := dusk.Call[int](benchInc, 0)
				for range n - 1 {
					x = dusk.Call[int](benchInc, x)
				}
				got, err := dusk.Compute(ctx, c, x, dusk.Optimize(v.optimize))
				if err != nil || got != n {
					b.Fatalf("chain = %d, %v; want %d", got, err, n)
				}
			}
			reportPerTask(b, n)
		})
	}
}
