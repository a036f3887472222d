package sim

import (
	"container/heap"
	"time"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/scheduler/state"
)

// vworker is a virtual worker: its free threads, the tasks waiting for
// one, and the results it holds.
type vworker struct {
	id     string
	free   int
	queue  taskQueue // tasks whose inputs are all somewhere
	held   map[graph.Key]struct{}
	memory int64
	queued map[graph.Key]*queued // every task given and not started
	// blocked are the tasks sent before an input of theirs was computed
	// (speculation: it is being computed here), by that input.
	blocked map[graph.Key][]*queued
	// bandwidth is the rate its fetches reached, as a real worker measures
	// it (see worker/bandwidth.go) and reports it in heartbeats.
	bandwidth float64
}

// fetched takes a fetch of n bytes that took d into vw's bandwidth, as a
// real worker does: fetches under a megabyte are mostly latency.
func (w *vworker) fetched(n int64, d time.Duration) {
	if n < 1<<20 || d <= 0 {
		return
	}
	rate := float64(n) / d.Seconds()
	if w.bandwidth == 0 {
		w.bandwidth = rate
		return
	}
	w.bandwidth = 0.9*w.bandwidth + 0.1*rate
}

// enqueue adds a task the core gave the worker: to the queue, or, when
// an input is still being computed here, to wait for it.
func (w *vworker) enqueue(q *queued) {
	if w.queued == nil {
		w.queued = make(map[graph.Key]*queued)
	}
	w.queued[q.key] = q
	for _, d := range q.deps {
		if len(d.Workers) == 0 && !w.holds(d.Key) {
			if w.blocked == nil {
				w.blocked = make(map[graph.Key][]*queued)
			}
			w.blocked[d.Key] = append(w.blocked[d.Key], q)
			q.missing++
		}
	}
	if q.missing == 0 {
		heap.Push(&w.queue, q)
	}
}

// computed releases the tasks that waited for k, done here.
func (w *vworker) computed(k graph.Key) {
	for _, q := range w.blocked[k] {
		if q.missing--; q.missing == 0 {
			heap.Push(&w.queue, q)
		}
	}
	delete(w.blocked, k)
}

// next takes the queued task to start.
func (w *vworker) next() *queued {
	q := heap.Pop(&w.queue).(*queued)
	delete(w.queued, q.key)
	return q
}

// unqueue takes k out of the queue (a steal, or a task freed before it
// started), reporting whether it was there.
func (w *vworker) unqueue(k graph.Key) bool {
	q := w.queued[k]
	if q == nil {
		return false
	}
	delete(w.queued, k)
	if q.missing == 0 {
		return w.queue.remove(k)
	}
	for _, d := range q.deps {
		ws := w.blocked[d.Key]
		for i, x := range ws {
			if x == q {
				w.blocked[d.Key] = append(ws[:i], ws[i+1:]...)
				break
			}
		}
	}
	return true
}

func (w *vworker) holds(k graph.Key) bool {
	_, ok := w.held[k]
	return ok
}

// queued is a task a worker was told to run and has not started.
type queued struct {
	prio    graph.Priority
	key     graph.Key
	handle  state.TaskHandle // its Compute's, echoed as a worker does
	deps    []state.DepLocation
	missing int // inputs still being computed here
}

// taskQueue is a worker's queued tasks, highest priority first
// (container/heap).
type taskQueue []*queued

func (q taskQueue) Len() int           { return len(q) }
func (q taskQueue) Less(i, j int) bool { return q[i].prio.Less(q[j].prio) }
func (q taskQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *taskQueue) Push(x any)        { *q = append(*q, x.(*queued)) }
func (q *taskQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return x
}

// remove takes k out of the queue, reporting whether it was there (a
// steal, or a task freed before it started).
func (q *taskQueue) remove(k graph.Key) bool {
	for i := range *q {
		if (*q)[i].key == k {
			last := len(*q) - 1
			q.Swap(i, last)
			*q = (*q)[:last]
			if i < last {
				heap.Fix(q, i)
			}
			return true
		}
	}
	return false
}

// simEvent is a moment the simulation acts at: a task finishing, or the
// core's tick.
type simEvent struct {
	at     time.Duration
	seq    uint64 // ties go in the order pushed: runs are reproducible
	kind   uint8
	worker *vworker
	key    graph.Key
	handle state.TaskHandle
	start  time.Duration
}

const (
	tick uint8 = iota
	finish
	heartbeat
)

type eventHeap []simEvent

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(simEvent)) }
func (h *eventHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
