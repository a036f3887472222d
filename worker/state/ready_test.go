package state

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dusk-go/dusk/graph"
)

// Tasks leave the ready heap in priority order whatever the order they
// came in and whichever were taken out of the middle, and every task
// knows its index while in it.
func TestReadyHeapOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		var h readyHeap
		var in []*Task
		for i := range 200 + round {
			tk := newTask(graph.Key(string(rune('a' + i%26))))
			tk.Prio = graph.Priority{User: int32(rng.IntN(3)), Generation: uint32(rng.IntN(4)), Order: int64(rng.IntN(1000))}
			h.push(tk)
			in = append(in, tk)
			if rng.IntN(4) == 0 { // take one out of the middle
				j := rng.IntN(len(in))
				if got := h.remove(in[j].heapIdx); got != in[j] {
					t.Fatalf("remove at %d took %v, want %v", in[j].heapIdx, got.Prio, in[j].Prio)
				}
				if in[j].heapIdx != -1 {
					t.Fatalf("a removed task keeps index %d", in[j].heapIdx)
				}
				in = slices.Delete(in, j, j+1)
			}
			for k, e := range h {
				if e.t.heapIdx != k {
					t.Fatalf("the task at %d thinks it is at %d", k, e.t.heapIdx)
				}
			}
		}
		slices.SortStableFunc(in, func(a, b *Task) int {
			switch {
			case a.Prio.Less(b.Prio):
				return -1
			case b.Prio.Less(a.Prio):
				return 1
			}
			return 0
		})
		for i := range in {
			got := h.remove(0)
			if got.Prio != in[i].Prio {
				t.Fatalf("round %d: task %d out has priority %v, want %v", round, i, got.Prio, in[i].Prio)
			}
		}
		if h.Len() != 0 {
			t.Fatalf("%d tasks left", h.Len())
		}
	}
}
