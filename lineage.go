package dusk

import (
	"cmp"
	"maps"
	"slices"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/internal/shrink"
)

// lineage keeps the tasks the client sent that its live futures still
// need, as it sent them, so that a scheduler that lost them (it died and
// was started again) can be given them once more. A task is kept while a
// future of its key is held or a kept task depends on it; it is dropped,
// with whatever only it needed, when the last of these goes. It is
// protected by Client.mu.
type lineage struct {
	tasks map[graph.Key]*sent
	peak  int    // for shrink.Map
	seq   uint64 // the next task's place in the order tasks were sent
}

// sent is one task as the client sent it.
type sent struct {
	key  graph.Key
	spec []byte // the task's encoded form (wire.EncodeTask)
	seq  uint64
	// in are the kept tasks it depends on; ext the keys it depends on
	// that were not sent as tasks (scattered data, or tasks of a graph
	// already dropped): no task to send again recomputes those.
	in  []*sent
	ext []graph.Key
	// refs counts the kept tasks that depend on it, and held whether a
	// future of its key is held.
	refs int
	held bool
}

func newLineage() lineage { return lineage{tasks: make(map[graph.Key]*sent)} }

// record keeps the tasks of a graph sent with their encoded forms (specs,
// in the order keys gives), holding those of keys with a live future
// (live says which); tasks nothing holds are dropped at once.
func (l *lineage) record(g graph.Graph, keys []graph.Key, specs [][]byte, live func(graph.Key) bool) {
	added := make([]*sent, 0, len(keys))
	for i, k := range keys {
		if l.tasks[k] != nil {
			continue // sent before: the first is kept
		}
		e := &sent{key: k, spec: specs[i], seq: l.seq, held: live(k)}
		l.seq++
		l.tasks[k] = e
		added = append(added, e)
	}
	for _, e := range added {
		for _, d := range g[e.key].Deps() {
			if de := l.tasks[d]; de != nil {
				de.refs++
				e.in = append(e.in, de)
			} else {
				e.ext = append(e.ext, d)
			}
		}
	}
	// Dependents first, so that a task only a dropped one needed is
	// dropped too.
	for _, e := range slices.Backward(added) {
		l.dropIfUnneeded(e)
	}
}

// hold marks k's task as held by a future (a future made after its graph
// was sent).
func (l *lineage) hold(k graph.Key) {
	if e := l.tasks[k]; e != nil {
		e.held = true
	}
}

// unhold is the release of the last future of k.
func (l *lineage) unhold(k graph.Key) {
	if e := l.tasks[k]; e != nil && e.held {
		e.held = false
		l.dropIfUnneeded(e)
	}
}

func (l *lineage) dropIfUnneeded(e *sent) {
	stack := []*sent{e}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if e.held || e.refs > 0 || l.tasks[e.key] != e {
			continue
		}
		delete(l.tasks, e.key)
		for _, d := range e.in {
			d.refs--
			stack = append(stack, d)
		}
		e.in = nil
	}
	l.tasks = shrink.Map(l.tasks, &l.peak)
}

// resubmission returns what a scheduler that lost everything needs to
// compute the keys wanted again: the kept tasks they depend on, in the
// order they were first sent, and the keys it submits them for (ok). The
// keys they depend on that were never sent as tasks (scattered data), and
// the wanted keys of that kind (scattered says which), are to be declared
// again: workers that kept their data give it to the scheduler. A wanted
// key of neither kind has no task here (it came from named state): it is
// to be claimed again.
func (l *lineage) resubmission(wanted []graph.Key, scattered func(graph.Key) bool) (specs [][]byte, ok, declare, lost []graph.Key) {
	need := make(map[*sent]bool)
	ext := make(map[graph.Key]bool)
	// Walked without recursion: a chain may be a million tasks long.
	mark := func(root *sent) {
		stack := []*sent{root}
		for len(stack) > 0 {
			e := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if need[e] {
				continue
			}
			need[e] = true
			for _, k := range e.ext {
				ext[k] = true
			}
			stack = append(stack, e.in...)
		}
	}
	for _, k := range wanted {
		switch e := l.tasks[k]; {
		case e != nil:
			ok = append(ok, k)
			mark(e)
		case scattered(k):
			ext[k] = true
		default:
			lost = append(lost, k)
		}
	}
	order := make([]*sent, 0, len(need))
	for e := range need {
		order = append(order, e)
	}
	slices.SortFunc(order, func(a, b *sent) int { return cmp.Compare(a.seq, b.seq) })
	specs = make([][]byte, len(order))
	for i, e := range order {
		specs[i] = e.spec
	}
	declare = slices.Sorted(maps.Keys(ext))
	return specs, ok, declare, lost
}
