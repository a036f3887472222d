package graph

import (
	"cmp"
	"slices"
)

// Order gives every task of g a priority from 0 to len(g)-1; a smaller
// number runs first. The order keeps memory low by finishing one branch of
// the graph, and so freeing its inputs, before starting the next: it is a
// depth-first post-order that starts from the sinks (tasks no task of g
// depends on) and visits each task's dependencies in the order they appear
// in its arguments, so that a task is numbered right after the last of its
// dependencies.
//
// seq lists the keys of g in the order the user created them; sinks are
// started in that order. Sinks missing from seq come after those in it,
// sorted by key. Keys in seq but not in g are ignored, and a key listed more
// than once counts at its last place. References to keys outside g are
// external data and play no part.
//
// In a graph without cycles every task's priority is greater than those of
// all its dependencies. The result depends only on g and seq, never on map
// iteration order. Order runs in time linear in the size of g (plus sorting
// the sinks missing from seq), without recursion; on a graph with a cycle it
// still numbers every task, breaking the cycle somewhere. The tasks of g
// must not be nil (see Validate).
func Order(g Graph, seq []Key) map[Key]int {
	keys := OrderKeys(g, seq)
	prio := make(map[Key]int, len(keys))
	for p, k := range keys {
		prio[k] = p
	}
	return prio
}

// OrderKeys returns the keys of g from the first to run to the last: the
// key Order gives priority p is OrderKeys(g, seq)[p]. A caller that only
// needs the tasks in order saves building the map, which is a good part of
// Order's time on large graphs.
func OrderKeys(g Graph, seq []Key) []Key { return orderKeys(newIndex(g, false), seq) }

// orderKeys is OrderKeys over the graph ix indexes.
func orderKeys(ix *index, seq []Key) []Key {
	n := int32(len(ix.keys))
	isDep := make([]bool, n)
	for _, d := range ix.dep {
		isDep[d] = true
	}
	var sinks []int32
	for i := range n {
		if !isDep[i] {
			sinks = append(sinks, i)
		}
	}

	o := orderer{ix: ix, state: make([]uint8, n), next: make([]int32, n), order: make([]int32, 0, n)}
	for _, t := range startOrder(ix, seq, sinks) {
		o.visit(t)
	}
	if len(o.order) < int(n) {
		// The tasks left only feed cycles that have no sink below them.
		all := make([]int32, n)
		for i := range n {
			all[i] = i
		}
		for _, t := range startOrder(ix, seq, all) {
			if o.state[t] == unvisited {
				o.visit(t)
			}
		}
	}

	keys := make([]Key, n)
	for p, t := range o.order {
		keys[p] = ix.keys[t]
	}
	return keys
}

// The states of a task during Order's search.
const (
	unvisited = iota
	pushed    // on the stack, its dependencies not yet looked at
	expanding // on the stack, its dependencies being visited
	done      // numbered
)

// orderer holds the state of Order's depth-first search.
type orderer struct {
	ix    *index
	state []uint8
	next  []int32 // for a task with several dependencies: the next one, in ix.dep
	order []int32 // tasks in the order they were numbered
	stack []int32
}

// visit numbers t, if it is not numbered yet, and every unnumbered task it
// depends on, each after its dependencies.
func (o *orderer) visit(t int32) {
	if o.state[t] != unvisited {
		return
	}
	o.state[t] = pushed
	o.stack = append(o.stack[:0], t)
	for len(o.stack) > 0 {
		t := o.stack[len(o.stack)-1]
		d := o.nextDep(t)
		if d < 0 {
			o.stack = o.stack[:len(o.stack)-1]
			o.state[t] = done
			o.order = append(o.order, t)
			continue
		}
		if o.state[d] == unvisited { // else done, or on the stack: a cycle
			o.state[d] = pushed
			o.stack = append(o.stack, d)
		}
	}
}

// nextDep returns the next dependency of t, which is on the stack, to
// visit, or -1 when there is none left.
func (o *orderer) nextDep(t int32) int32 {
	ix := o.ix
	first := o.state[t] == pushed
	o.state[t] = expanding
	if d := ix.single[t]; d >= 0 { // the common case, without touching start
		if first {
			return d
		}
		return -1
	}
	if first {
		o.next[t] = ix.start[t]
	}
	if o.next[t] == ix.start[t+1] {
		return -1
	}
	o.next[t]++
	return ix.dep[o.next[t]-1]
}

// startOrder returns ids, the tasks a search may start from, in the order
// Order tries them: those in seq by their last place in it, then the
// others sorted by key. It scans seq from its end and stops once it has
// placed them all, which for the usual graph, whose sinks were made last,
// is soon.
func startOrder(ix *index, seq []Key, ids []int32) []int32 {
	wanted := make([]bool, len(ix.keys))
	for _, i := range ids {
		wanted[i] = true
	}
	left := len(ids)
	placed := make([]int32, 0, len(ids)) // from last in seq to first
	for j := len(seq) - 1; j >= 0 && left > 0; j-- {
		if i, ok := ix.ids.get(seq[j]); ok && wanted[i] {
			wanted[i] = false
			left--
			placed = append(placed, i)
		}
	}
	slices.Reverse(placed)
	rest := make([]int32, 0, left)
	for _, i := range ids {
		if wanted[i] {
			rest = append(rest, i)
		}
	}
	slices.SortFunc(rest, func(a, b int32) int { return cmp.Compare(ix.keys[a], ix.keys[b]) })
	return append(placed, rest...)
}
