package state

// taskQueue is the scheduler's queue of root tasks, lowest Priority first.
// Root tasks mostly arrive in priority order (a graph's tasks in its
// order, one graph after another): those join the back of run, a sorted
// run, and leave from its front, in O(1) each and in the order they sit in
// memory. A task that arrives out of order goes into heap instead. The
// next task is the lower of the two fronts. Each task knows where it is
// (Task.queueAt: i >= 0 is heap.items[i], -2-i is run[i], -1 is not
// queued), so that any task can be removed: a removal from the middle of
// run leaves a hole, skipped at the front and compacted away once holes
// are many. (A heap alone cost a million-task fan-out a sift through 20
// levels of cache misses per task.)
type taskQueue struct {
	run   []*Task // sorted, lowest first; nil entries are holes
	head  int     // run[:head] have left
	holes int     // nil entries in run[head:]
	heap  taskHeap
}

func runAt(i int) int32 { return int32(-2 - i) }

// Len returns how many tasks are queued.
func (q *taskQueue) Len() int { return len(q.run) - q.head - q.holes + q.heap.Len() }

func (q *taskQueue) push(t *Task) {
	if n := len(q.run); n == q.head || !t.prio.Less(q.run[n-1].prio) {
		t.queueAt = runAt(n)
		q.run = append(q.run, t)
		return
	}
	q.heap.push(t)
}

// peek returns the next task without removing it, or nil.
func (q *taskQueue) peek() *Task {
	var r *Task
	if q.head < len(q.run) {
		r = q.run[q.head] // never a hole: tidy keeps the front filled
	}
	if h := q.heap.peek(); h != nil && (r == nil || h.prio.Less(r.prio)) {
		return h
	}
	return r
}

// holds reports whether t is in the queue.
func (q *taskQueue) holds(t *Task) bool {
	switch i := t.queueAt; {
	case i >= 0:
		return int(i) < q.heap.Len() && q.heap.items[i] == t
	case i <= -2:
		j := int(-2 - i)
		return j >= q.head && j < len(q.run) && q.run[j] == t
	}
	return false
}

func (q *taskQueue) remove(t *Task) {
	if !q.holds(t) {
		return
	}
	if t.queueAt >= 0 {
		q.heap.remove(t)
		return
	}
	q.run[-2-t.queueAt] = nil
	t.queueAt = -1
	q.holes++
	q.tidy()
}

// tidy keeps both ends of run filled, and compacts it when most of it is
// holes or gone.
func (q *taskQueue) tidy() {
	for q.head < len(q.run) && q.run[q.head] == nil {
		q.head++
		q.holes--
	}
	for n := len(q.run); n > q.head && q.run[n-1] == nil; n-- {
		q.run = q.run[:n-1]
		q.holes--
	}
	live := len(q.run) - q.head - q.holes
	switch {
	case live == 0:
		clear(q.run)
		q.run, q.head, q.holes = q.run[:0], 0, 0
		if cap(q.run) > 1024 {
			q.run = nil
		}
	case q.head+q.holes > 1024 && q.head+q.holes > live:
		out := q.run[:0]
		if cap(q.run) > 4*live {
			out = make([]*Task, 0, 2*live)
		}
		for _, t := range q.run[q.head:] {
			if t != nil {
				t.queueAt = runAt(len(out))
				out = append(out, t)
			}
		}
		clear(q.run[len(out):])
		q.run, q.head, q.holes = out, 0, 0
	}
}

// each calls fn on the queued tasks, in no particular order, until it
// returns false.
func (q *taskQueue) each(fn func(*Task) bool) {
	for _, t := range q.run[q.head:] {
		if t != nil && !fn(t) {
			return
		}
	}
	for _, t := range q.heap.items {
		if !fn(t) {
			return
		}
	}
}

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
	h.items[i].queueAt = int32(i)
	h.items[j].queueAt = int32(j)
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
	t.queueAt = int32(len(h.items))
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
	t.queueAt = -1
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
	i := int(t.queueAt)
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
	t.queueAt = -1
}
