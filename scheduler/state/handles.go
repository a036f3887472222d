package state

import (
	"slices"

	"github.com/dusk-go/dusk/graph"
)

// TaskHandle names a task the scheduler knows by its place in the core's
// table of tasks and that place's generation: the core gives one out with
// each Compute, and a worker's reply that echoes it (TaskStarted,
// TaskFinished, TaskFailed, TaskRejected) lets the core find the task
// without looking its key up in a map of a million keys. The zero handle
// names nothing. A place is reused once its task is forgotten, under a
// new generation, so a stale handle names nothing; the core also checks
// that the task it names has the event's key, and otherwise looks the key
// up as it does for an event without a handle.
type TaskHandle uint64

// handles is the core's table of tasks by place: places[i] is the task at
// place i (nil when free) and gens[i] its generation; free lists the
// places to reuse.
type handles struct {
	places []*Task
	gens   []uint32
	free   []int32
	// first is the generation a new place starts at: above every
	// generation a dropped table gave out, so that no handle from before
	// names a task again.
	first uint32
}

// add gives t a place.
func (h *handles) add(t *Task) {
	if n := len(h.free); n > 0 {
		i := h.free[n-1]
		h.free = h.free[:n-1]
		h.places[i] = t
		t.place = i
		return
	}
	t.place = int32(len(h.places))
	h.places = append(h.places, t)
	h.gens = append(h.gens, max(h.first, 1))
}

// reserve makes room for n more places at once (a big graph's).
func (h *handles) reserve(n int) {
	if n -= len(h.free); n > 0 {
		h.places = slices.Grow(h.places, n)
		h.gens = slices.Grow(h.gens, n)
	}
}

// drop frees t's place: a handle to it names nothing from now on.
func (h *handles) drop(t *Task) {
	i := t.place
	h.places[i] = nil
	h.gens[i]++
	if h.gens[i] == 0 {
		h.gens[i] = 1 // the zero generation would make a zero handle
	}
	h.free = append(h.free, i)
	t.place = -1
	if len(h.free) == len(h.places) && cap(h.places) > 1024 {
		// Every task is gone: a million places need not stay.
		first := max(h.first, 1)
		for _, g := range h.gens {
			first = max(first, g)
		}
		*h = handles{first: first + 1}
	}
}

// handle returns t's handle.
func (h *handles) handle(t *Task) TaskHandle {
	return TaskHandle(uint64(h.gens[t.place])<<32 | uint64(uint32(t.place)))
}

// lookup returns the task the handle names if it has key k, or nil.
func (h *handles) lookup(id TaskHandle, k graph.Key) *Task {
	gen, i := uint32(uint64(id)>>32), uint32(id)
	if gen == 0 || uint64(i) >= uint64(len(h.places)) || h.gens[i] != gen {
		return nil
	}
	if t := h.places[i]; t != nil && t.Key == k {
		return t
	}
	return nil
}

// taskOf returns the task with key k, found by its handle when the event
// carries a current one.
func (s *State) taskOf(id TaskHandle, k graph.Key) *Task {
	if id != 0 {
		if t := s.handles.lookup(id, k); t != nil {
			return t
		}
	}
	return s.tasks[k]
}
