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
		tk := &Task{prio: graph.Priority{User: int32(rng.IntN(3)), Order: int64(rng.IntN(1000))}, queueAt: -1}
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
			if tk.queueAt != -1 {
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

// The queue gives tasks lowest priority first however they arrive: in
// order (the sorted run), out of order (the heap), or both, with removals
// anywhere (holes, compaction); its length counts what is left.
func TestTaskQueueOrdersAndRemoves(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 20 {
		var q taskQueue
		var all []*Task
		next := int64(0)
		for range 5000 {
			order := next
			if rng.IntN(10) < round%10 {
				order = int64(rng.IntN(int(next + 1))) // out of order
			} else {
				next += int64(rng.IntN(3)) // in order, ties included
			}
			tk := &Task{Key: "t", prio: graph.Priority{Order: order}, queueAt: -1}
			all = append(all, tk)
			q.push(tk)
		}
		removed := map[*Task]bool{}
		for _, tk := range all {
			if rng.IntN(5) < 2 {
				q.remove(tk)
				removed[tk] = true
				if tk.queueAt != -1 || q.holds(tk) {
					t.Fatal("a removed task is still held")
				}
				q.remove(tk) // twice is nothing
			}
		}
		if q.Len() != len(all)-len(removed) {
			t.Fatalf("round %d: length %d, want %d", round, q.Len(), len(all)-len(removed))
		}
		var last *Task
		for q.Len() > 0 {
			tk := q.peek()
			if removed[tk] || !q.holds(tk) {
				t.Fatalf("round %d: a removed or unheld task came out", round)
			}
			if last != nil && tk.prio.Less(last.prio) {
				t.Fatalf("round %d: %v after %v", round, tk.prio, last.prio)
			}
			q.remove(tk)
			last = tk
		}
		if q.peek() != nil {
			t.Fatal("an empty queue has a front")
		}
	}
}
