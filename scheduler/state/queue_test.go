package state

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dusk-go/dusk/graph"
)

func TestTaskHeapOrdersAndRemoves(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h taskHeap
	var all []*Task
	for i := range 500 {
		tk := &Task{prio: graph.Priority{User: int32(rng.IntN(3)), Order: int64(rng.IntN(1000))}, heapIdx: -1}
		tk.Key = "t"
		_ = i
		all = append(all, tk)
		h.push(tk)
	}
	// Remove a random third.
	removed := map[*Task]bool{}
	for _, tk := range all {
		if rng.IntN(3) == 0 {
			h.remove(tk)
			removed[tk] = true
			if tk.heapIdx != -1 {
				t.Fatal("removed task keeps an index")
			}
		}
	}
	var got []graph.Priority
	for h.Len() > 0 {
		tk := h.pop()
		if removed[tk] {
			t.Fatal("a removed task came out")
		}
		got = append(got, tk.prio)
	}
	if len(got) != len(all)-len(removed) {
		t.Fatalf("%d out, want %d", len(got), len(all)-len(removed))
	}
	if !slices.IsSortedFunc(got, func(a, b graph.Priority) int {
		if a.Less(b) {
			return -1
		}
		if b.Less(a) {
			return 1
		}
		return 0
	}) {
		t.Fatal("not in priority order")
	}
}
