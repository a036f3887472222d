package state

// taskHeap is a priority queue of tasks, lowest Priority first. Each task
// knows its index so that it can be removed in O(log n). It is written out
// rather than built on container/heap: the queue is on the scheduler's
// hottest path, and direct calls are several times cheaper than calls
// through heap.Interface.
type taskHeap struct{ items []*Task }

func (h *taskHeap) Len() int { return len(h.items) }

func (h *taskHeap) less(i, j int) bool { return h.items[i].prio.Less(h.items[j].prio) }

func (h *taskHeap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].heapIdx = int32(i)
	h.items[j].heapIdx = int32(j)
}

func (h *taskHeap) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if !h.less(j, i) {
			return
		}
		h.swap(i, j)
		j = i
	}
}

// down moves item i towards the leaves; it reports whether it moved.
func (h *taskHeap) down(i0 int) bool {
	i, n := i0, len(h.items)
	for {
		l := 2*i + 1
		if l >= n || l < 0 {
			break
		}
		j := l
		if r := l + 1; r < n && h.less(r, l) {
			j = r
		}
		if !h.less(j, i) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}

func (h *taskHeap) push(t *Task) {
	t.heapIdx = int32(len(h.items))
	h.items = append(h.items, t)
	h.up(len(h.items) - 1)
}

func (h *taskHeap) peek() *Task {
	if len(h.items) == 0 {
		return nil
	}
	return h.items[0]
}

func (h *taskHeap) pop() *Task {
	n := len(h.items) - 1
	h.swap(0, n)
	t := h.items[n]
	h.items[n] = nil
	h.items = h.items[:n]
	h.shrink()
	if n > 0 {
		h.down(0)
	}
	t.heapIdx = -1
	return t
}

// shrink gives back the memory of a queue that held many more tasks than
// it does now (a large graph's roots, queued, then run).
func (h *taskHeap) shrink() {
	if c := cap(h.items); c > 1024 && len(h.items) < c/4 {
		h.items = append(make([]*Task, 0, 2*len(h.items)), h.items...)
	}
}

func (h *taskHeap) remove(t *Task) {
	i := int(t.heapIdx)
	if i < 0 || i >= len(h.items) || h.items[i] != t {
		return
	}
	n := len(h.items) - 1
	if i != n {
		h.swap(i, n)
	}
	h.items[n] = nil
	h.items = h.items[:n]
	h.shrink()
	if i != n && !h.down(i) {
		h.up(i)
	}
	t.heapIdx = -1
}
