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
	ix := newIndex(g, false)
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

	o := orderer{ix: ix, state: make([]uint8, n), order: make([]int32, 0, n)}
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

	prio := make(map[Key]int, n)
	for p, t := range o.order {
		prio[ix.keys[t]] = p
	}
	return prio
}

// The states of a task during Order's search.
const (
	unvisited = iota
	onStack
	done
)

// orderer holds the state of Order's depth-first search.
type orderer struct {
	ix    *index
	state []uint8
	order []int32 // tasks in the order they were numbered
	stack []orderFrame
}

// orderFrame is a task on the search's stack and the dependencies it has
// yet to visit: one when it has a single dependency, else dep[next:end].
type orderFrame struct {
	t, one, next, end int32
}

// visit numbers t, if it is not numbered yet, and every unnumbered task it
// depends on, each after its dependencies.
func (o *orderer) visit(t int32) {
	if o.state[t] != unvisited {
		return
	}
	o.push(t)
	for len(o.stack) > 0 {
		f := &o.stack[len(o.stack)-1]
		var d int32
		switch {
		case f.one >= 0:
			d, f.one = f.one, -1
		case f.next < f.end:
			d = o.ix.dep[f.next]
			f.next++
		default:
			o.stack = o.stack[:len(o.stack)-1]
			o.state[f.t] = done
			o.order = append(o.order, f.t)
			continue
		}
		if o.state[d] == unvisited { // onStack: a cycle; skip the edge
			o.push(d)
		}
	}
}

func (o *orderer) push(t int32) {
	o.state[t] = onStack
	f := orderFrame{t: t, one: o.ix.single[t]}
	if f.one < 0 {
		f.next, f.end = o.ix.start[t], o.ix.start[t+1]
	}
	o.stack = append(o.stack, f)
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
