package graph

import "math"

// This file holds blockwise fusion: a task with several dependencies that
// are each its alone, such as the block of a + b whose operands are
// chains of their own, absorbs them all.

// fuseBlockwise inlines into each task of g the dependencies that have it
// as their only dependent, are not in keep, are referred to once, and
// share its options, when it has at least two such and fusing them keeps
// the graph's parallelism, by Dask's rules for fusing trees: the fused
// tree's width (the branches it runs one after the other, the sum of its
// parts' widths, 1 for a task or a chain) may be at most aveWidth times
// its height (in tasks) and at most 1.5 + aveWidth × ln(aveWidth + 1) (2
// branches for aveWidth 1). So the block of a + b (two chains) is fused,
// and a tree reduction's combine of many partial results is not. The
// fused task's call height stays within maxHeight. Tasks are visited
// dependencies first, so trees of such tasks fuse level by level.
func fuseBlockwise(g Graph, keep []Key, maxHeight, aveWidth int) Graph {
	ix := newIndex(g, true)
	n := int32(len(ix.keys))
	dependents := make([]int32, n)
	for t := range n {
		for _, d := range ix.deps(t) {
			dependents[d]++
		}
	}
	kept := make([]bool, n)
	for _, k := range keep {
		if i, ok := ix.ids.get(k); ok {
			kept[i] = true
		}
	}
	cur := make([]*Task, n)
	copy(cur, ix.tasks)
	height := make([]int32, n)
	copy(height, ix.height)
	absorbed := make([]bool, n)
	// width and tall: each task's width and height in tasks, as above.
	width, tall := make([]float64, n), make([]int, n)
	for i := range n {
		width[i], tall[i] = 1, fusedCount(ix.tasks[i])
	}
	maxWidth := 1.5 + float64(aveWidth)*math.Log(float64(aveWidth)+1)
	changed := false
	var w argWalker
	var subst substituter
	refs := map[Key]int{}
	depth := map[Key]int{}
	for _, t := range topoOrder(ix) {
		deps := ix.deps(t)
		if len(deps) < 2 {
			continue
		}
		clear(refs)
		clear(depth)
		w.walk(cur[t].Args, func(k Key, d int) {
			refs[k]++
			depth[k] = d
		})
		var fuse []int32
		w, most := 0.0, 0
		h := height[t]
		for _, d := range deps {
			k := ix.keys[d]
			if dependents[d] != 1 || kept[d] || refs[k] != 1 || d == t ||
				(hasOptions(cur[d]) || hasOptions(cur[t])) && !sameOptions(cur[d], cur[t]) {
				continue
			}
			fuse = append(fuse, d)
			w += width[d]
			most = max(most, tall[d])
			h = max(h, int32(depth[k])+height[d])
		}
		if len(fuse) < 2 || w > maxWidth || w > float64(aveWidth*(tall[t]+most)) || int(h) > maxHeight {
			continue
		}
		nt := *cur[t]
		count := fusedCount(cur[t])
		for _, d := range fuse {
			dt := cur[d]
			call := subst.mem.call(Call{Func: dt.Func, Args: dt.Args, Key: ix.keys[d]})
			nt.Args = subst.replace(nt.Args, ix.keys[d], Arg{Kind: ArgCall, Call: call})
			count += fusedCount(dt)
			absorbed[d] = true
		}
		nt.Fused = count
		cur[t], height[t], changed = &nt, h, true
		width[t], tall[t] = w, tall[t]+most
	}
	if !changed {
		return g
	}
	out := make(Graph, len(g))
	for i := range n {
		if !absorbed[i] {
			out[ix.keys[i]] = cur[i]
		}
	}
	return out
}

// topoOrder returns the tasks' ids, every task after its dependencies
// (tasks on a cycle, which Validate reports, are left out).
func topoOrder(ix *index) []int32 {
	n := int32(len(ix.keys))
	waiting := make([]int32, n)
	dependents := make([][]int32, n)
	for t := range n {
		deps := ix.deps(t)
		waiting[t] = int32(len(deps))
		for _, d := range deps {
			dependents[d] = append(dependents[d], t)
		}
	}
	order := make([]int32, 0, n)
	for t := range n {
		if waiting[t] == 0 {
			order = append(order, t)
		}
	}
	for i := 0; i < len(order); i++ {
		for _, t := range dependents[order[i]] {
			if waiting[t]--; waiting[t] == 0 {
				order = append(order, t)
			}
		}
	}
	return order
}
