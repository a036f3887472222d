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
