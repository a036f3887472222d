package state

import "github.com/dusk-go/dusk/graph"

// readyHeap orders ready tasks by priority, the first at index 0. Each
// entry keeps its task's priority beside the pointer, so that sifting
// compares without reading the tasks (a worker sent thousands of tasks
// at once sifted through a heap as deep as their count, each comparison
// two reads of tasks spread over the heap); a task's priority does not
// change while it is ready. Each task knows its index (heapIdx, -1 when
// not in the heap) for remove.
type readyHeap []readyEntry

type readyEntry struct {
	prio graph.Priority
	t    *Task
}

// Len returns the number of ready tasks.
func (h readyHeap) Len() int { return len(h) }

// first returns the ready task that runs first.
func (h readyHeap) first() *Task { return h[0].t }

// push adds t.
func (h *readyHeap) push(t *Task) {
	*h = append(*h, readyEntry{prio: t.Prio, t: t})
	h.up(len(*h) - 1)
}

// remove takes out the task at index i.
func (h *readyHeap) remove(i int) *Task {
	old := *h
	n := len(old) - 1
	t := old[i].t
	if i != n {
		old[i] = old[n]
		old[i].t.heapIdx = i
	}
	old[n] = readyEntry{}
	*h = old[:n]
	if i != n {
		if !h.down(i) {
			h.up(i)
		}
	}
	t.heapIdx = -1
	return t
}

// up moves the entry at i towards the top while it runs before its
// parent, and records where it stops.
func (h readyHeap) up(i int) {
	e := h[i]
	for i > 0 {
		p := (i - 1) / 2
		if !e.prio.Less(h[p].prio) {
			break
		}
		h[i] = h[p]
		h[i].t.heapIdx = i
		i = p
	}
	h[i] = e
	e.t.heapIdx = i
}

// down moves the entry at i towards the bottom while a child runs before
// it, records where it stops, and reports whether it moved.
func (h readyHeap) down(i int) bool {
	e, start, n := h[i], i, len(h)
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && h[r].prio.Less(h[c].prio) {
			c = r
		}
		if !h[c].prio.Less(e.prio) {
			break
		}
		h[i] = h[c]
		h[i].t.heapIdx = i
		i = c
	}
	h[i] = e
	e.t.heapIdx = i
	return i > start
}
