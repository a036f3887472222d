package state

import (
	"fmt"
	"testing"

	"github.com/dusk-go/dusk/graph"
)

// BenchmarkComputeFinish measures the bookkeeping of one task's life on a
// worker: the scheduler sends a task whose input is the previous task's
// result (held here), the task runs and finishes, and the scheduler frees
// the input. One op is one such cycle: three events and their
// instructions.
func BenchmarkComputeFinish(b *testing.B) {
	const n = 1024 // distinct keys, reused round robin
	specs := make([]*graph.Task, n)
	for i := range specs {
		specs[i] = &graph.Task{Key: graph.Key(fmt.Sprintf("t-%d", i)), Func: "f"}
	}
	for i := range specs {
		specs[i].Args = []graph.Arg{graph.Ref(specs[(i+n-1)%n].Key)}
	}
	s := New(Config{Address: "me", NThreads: 4})
	s.Handle(&Stored{Keys: []graph.KeySize{{Key: specs[n-1].Key, NBytes: 8}}})
	s.Ready()
	s.Advance()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		t := specs[i%n]
		prev := specs[(i+n-1)%n].Key
		s.Handle(&Compute{Task: t, Priority: graph.Priority{Order: int64(i)}, Deps: []Dep{{Key: prev, NBytes: 8}}})
		s.Ready()
		s.Advance()
		s.Handle(&Executed{Key: t.Key, NBytes: 8})
		s.Ready()
		s.Advance()
		s.Handle(&Free{Keys: []graph.Key{prev}})
		s.Ready()
		s.Advance()
	}
	b.StopTimer()
	if s.Len() != 1 {
		b.Fatalf("%d keys held after the cycles, want 1", s.Len())
	}
}

// BenchmarkFetchWideInput measures a task of n inputs held by one peer, as
// the last task of a merge sees them: one Compute, the batches of fetches
// and their arrivals, until the task starts. Linear bookkeeping costs the
// same per input at every n.
func BenchmarkFetchWideInput(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			deps := make([]Dep, n)
			args := make([]graph.Arg, n)
			for i := range deps {
				k := graph.Key(fmt.Sprintf("in-%d", i))
				deps[i] = Dep{Key: k, NBytes: 8, Peers: []string{"p"}}
				args[i] = graph.Ref(k)
			}
			task := &graph.Task{Key: "merge", Func: "f", Args: args}
			for b.Loop() {
				s := New(Config{Address: "me", NThreads: 1, FetchBytes: 1 << 40})
				s.Handle(&Compute{Task: task, Deps: deps})
				for {
					var got []graph.KeySize
					for _, in := range s.Ready().Instructions {
						if f, ok := in.(*FetchFrom); ok {
							for _, k := range f.Keys {
								got = append(got, graph.KeySize{Key: k, NBytes: 8})
							}
						}
					}
					s.Advance()
					if got == nil {
						break
					}
					s.Handle(&Fetched{Peer: "p", Got: got})
				}
				if st := s.Task("merge").State; st != Executing {
					b.Fatalf("merge is %v after its inputs arrived, want executing", st)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/input")
		})
	}
}

// BenchmarkWideDependents measures n tasks of one input held here, as the
// workers of a fan-out see them: the n Computes, then each task run and
// finished in turn. Linear bookkeeping costs the same per task at every n.
func BenchmarkWideDependents(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			specs := make([]*graph.Task, n)
			for i := range specs {
				specs[i] = &graph.Task{Key: graph.Key(fmt.Sprintf("use-%d", i)), Func: "f", Args: []graph.Arg{graph.Ref("src")}}
			}
			deps := []Dep{{Key: "src", NBytes: 8}}
			for b.Loop() {
				s := New(Config{Address: "me", NThreads: 1})
				s.Handle(&Stored{Keys: []graph.KeySize{{Key: "src", NBytes: 8}}})
				s.Ready()
				s.Advance()
				for i, t := range specs {
					s.Handle(&Compute{Task: t, Priority: graph.Priority{Order: int64(i)}, Deps: deps})
					s.Ready()
					s.Advance()
				}
				for _, t := range specs {
					s.Handle(&Executed{Key: t.Key, NBytes: 8})
					s.Ready()
					s.Advance()
				}
				if got := s.Task(specs[n-1].Key); got == nil || got.State != Memory {
					b.Fatalf("the last task is %v after every run, want in memory", got)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/task")
		})
	}
}

// BenchmarkManyReady measures independent tasks sent in a batch of
// 10,000 (as a merge's or a map's are) and run one at a time on one
// thread: each Compute, the start of each, its Executed and its Free;
// the ready heap is as deep as the tasks not yet started.
func BenchmarkManyReady(b *testing.B) {
	const n = 10_000
	specs := make([]*graph.Task, n)
	for i := range specs {
		specs[i] = &graph.Task{Key: graph.Key(fmt.Sprintf("inc-%d", i)), Func: "f", Args: []graph.Arg{graph.Value([]byte{byte(i)})}}
	}
	s := New(Config{Address: "me", NThreads: 1})
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N / n {
		for i, t := range specs {
			s.Handle(&Compute{Task: t, Priority: graph.Priority{Order: int64(i)}})
		}
		s.Ready()
		s.Advance()
		for _, t := range specs {
			s.Handle(&Executed{Key: t.Key, NBytes: 8})
			s.Ready()
			s.Advance()
			s.Handle(&Free{Keys: []graph.Key{t.Key}})
			s.Ready()
			s.Advance()
		}
	}
	b.StopTimer()
	if s.Len() != 0 {
		b.Fatalf("%d keys held after the rounds, want 0", s.Len())
	}
}
