package state

import "container/heap"

// taskHeap is a priority queue of tasks, lowest Priority first. Each task
// knows its index so it can be removed in O(log n).
type taskHeap struct{ items []*Task }

func (h *taskHeap) Len() int           { return len(h.items) }
func (h *taskHeap) Less(i, j int) bool { return h.items[i].prio.Less(h.items[j].prio) }
func (h *taskHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].heapIdx = int32(i)
	h.items[j].heapIdx = int32(j)
}
func (h *taskHeap) Push(x any) {
	t := x.(*Task)
	t.heapIdx = int32(len(h.items))
	h.items = append(h.items, t)
}
func (h *taskHeap) Pop() any {
	n := len(h.items) - 1
	t := h.items[n]
	h.items[n] = nil
	h.items = h.items[:n]
	t.heapIdx = -1
	return t
}

func (h *taskHeap) push(t *Task) { heap.Push(h, t) }

func (h *taskHeap) peek() *Task {
	if len(h.items) == 0 {
		return nil
	}
	return h.items[0]
}

func (h *taskHeap) pop() *Task { return heap.Pop(h).(*Task) }

func (h *taskHeap) remove(t *Task) {
	i := int(t.heapIdx)
	if i < 0 || i >= len(h.items) || h.items[i] != t {
		return
	}
	heap.Remove(h, i)
}
