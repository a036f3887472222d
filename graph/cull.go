package graph

import "maps"

// Cull returns a new graph holding only the tasks of g that the outputs need:
// the outputs themselves and, transitively, every task of g they depend on.
// Outputs that are not in g are ignored. References to keys that are not in
// g name external data (results held by the cluster) and are left as they
// are.
//
// The result shares its tasks with g; neither g nor its tasks are modified.
// Cull runs in time linear in the size of g, without recursion, so chains of
// any length are safe. The tasks of g must not be nil (see Validate).
func Cull(g Graph, outputs []Key) Graph {
	ix := newIndex(g, false)
	n := int32(len(ix.keys))
	need := make([]bool, n)
	var stack []int32
	kept := 0
	for _, k := range outputs {
		if i, ok := ix.ids.get(k); ok && !need[i] {
			need[i] = true
			stack = append(stack, i)
		}
	}
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		kept++
		// Along a chain, follow the link without touching the stack.
		for d := ix.single[t]; d >= 0 && !need[d]; d = ix.single[d] {
			need[d] = true
			kept++
			t = d
		}
		for _, d := range ix.deps(t) {
			if !need[d] {
				need[d] = true
				stack = append(stack, d)
			}
		}
	}
	return subgraph(g, ix, kept, func(i int32) bool { return need[i] })
}

// subgraph returns a new graph holding the kept tasks of g, of which there
// are kept. Copying the map whole and deleting what goes is much faster
// than inserting what stays, so it does that when most tasks stay.
func subgraph(g Graph, ix *index, kept int, keep func(i int32) bool) Graph {
	n := len(ix.keys)
	if kept > n/2 {
		out := maps.Clone(g)
		for i := range int32(n) {
			if !keep(i) {
				delete(out, ix.keys[i])
			}
		}
		return out
	}
	out := make(Graph, kept)
	for i := range int32(n) {
		if keep(i) {
			out[ix.keys[i]] = ix.tasks[i]
		}
	}
	return out
}
