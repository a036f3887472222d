package graph

import (
	"io"
	"runtime"
	"testing"
	"time"
)

// The benchmarks run each optimization on a 1,000,000-task chain and on a
// tree reduction with fan-in 8 over 100,000 leaves, and report ns/task. On
// Linux they also report cpu-ns/task: the CPU time of the benchmark's own
// thread, which the machine's other load disturbs much less than the wall
// clock (it leaves out the garbage collector's background work).

// benchInput is a graph to benchmark on, with its keys in creation order
// and its sinks.
type benchInput struct {
	g     Graph
	seq   []Key
	sinks []Key
}

// benchInputs lists the graphs, each built only when its benchmark runs,
// so that one does not weigh on the garbage collector during another.
func benchInputs() []struct {
	name  string
	build func() benchInput
} {
	return []struct {
		name  string
		build func() benchInput
	}{
		{"chain-1M", func() benchInput {
			g, seq := chainGraph(1_000_000)
			return benchInput{g, seq, seq[len(seq)-1:]}
		}},
		{"tree-100k-leaves", func() benchInput {
			g, seq, root := treeGraph(100_000, 8)
			return benchInput{g, seq, []Key{root}}
		}},
	}
}

// runBench runs op on each input and reports the time per task.
func runBench(b *testing.B, op func(in benchInput)) {
	for _, bi := range benchInputs() {
		b.Run(bi.name, func(b *testing.B) {
			in := bi.build()
			runtime.GC()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b.ReportAllocs()
			cpu0, ok := threadCPU()
			for b.Loop() {
				op(in)
			}
			cpu1, _ := threadCPU()
			perTask := func(d time.Duration) float64 {
				return float64(d.Nanoseconds()) / float64(b.N) / float64(len(in.g))
			}
			b.ReportMetric(perTask(b.Elapsed()), "ns/task")
			if ok {
				b.ReportMetric(perTask(cpu1-cpu0), "cpu-ns/task")
			}
		})
	}
}

func BenchmarkCull(b *testing.B) {
	runBench(b, func(in benchInput) { Cull(in.g, in.sinks) })
}

func BenchmarkFuse(b *testing.B) {
	runBench(b, func(in benchInput) { Fuse(in.g, in.sinks, FuseOptions{}) })
}

func BenchmarkOrder(b *testing.B) {
	runBench(b, func(in benchInput) { Order(in.g, in.seq) })
}

// BenchmarkOrderKeys orders without building Order's map.
func BenchmarkOrderKeys(b *testing.B) {
	runBench(b, func(in benchInput) { OrderKeys(in.g, in.seq) })
}

// BenchmarkOrderNoSeq orders without creation order; the sinks get sorted.
func BenchmarkOrderNoSeq(b *testing.B) {
	runBench(b, func(in benchInput) { Order(in.g, nil) })
}

func BenchmarkValidate(b *testing.B) {
	runBench(b, func(in benchInput) {
		if err := in.g.Validate(); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkWriteDOT(b *testing.B) {
	g, _, _ := treeGraph(10_000, 8)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteDOT(io.Discard, g, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(g)), "ns/task")
}
