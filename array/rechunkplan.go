package array

import (
	"math"
	"slices"
)

// A rechunk that splits the chunks of some axes while it merges those of
// others cuts the array into as many parts as the product, over the
// axes, of the segments the old and new chunk boundaries make together:
// a 20000 x 20000 array going from chunks of (20000, 1) to (1, 20000) is
// 400 million parts, a task each. Such a rechunk goes through
// intermediate chunkings instead (Dask plans the same way, with other
// rules): each stage moves the whole array once more, and cuts it into
// far fewer parts. The plan weighs the two with a cost model: a task
// costs about what moving rechunkTaskBytes costs (dusk's cost per task,
// ~10-20 µs end to end, against ~1-2 GB/s a core for copying and sending
// bytes), and the plan with the least estimated cost wins; a rechunk
// whose parts are few for its bytes is done in one stage.
//
// The intermediate chunk lengths of each changing axis are the geometric
// interpolation between its old and new mean chunk lengths, so that
// every intermediate block is about the size of the larger of an old and
// a new block (the product of interpolated lengths is the interpolation
// of the products): peak memory per task stays bounded by the blocks the
// caller asked for. An axis whose chunks do not change keeps them through
// every stage.
const (
	rechunkTaskBytes = 20 << 10
	maxRechunkStages = 16
)

// planRechunk returns the chunkings a rechunk from old to target goes
// through, target last; itemSize is the bytes of one element.
func planRechunk(old, target [][]int, itemSize int) [][][]int {
	if len(old) <= 1 || slices.EqualFunc(old, target, slices.Equal) {
		return [][][]int{target}
	}
	shape := make([]int, len(old))
	for k, cs := range old {
		for _, c := range cs {
			shape[k] += c
		}
		if shape[k] == 0 {
			return [][][]int{target}
		}
	}
	bytes := float64(itemSize)
	for _, n := range shape {
		bytes *= float64(n)
	}
	best, bestCost := [][][]int{target}, math.Inf(1)
	for s := 1; s <= maxRechunkStages; s++ {
		plan := interpolatedPlan(old, target, shape, s)
		cost, prev := 0.0, old
		for _, next := range plan {
			cost += float64(rechunkTasks(prev, next))*rechunkTaskBytes + bytes
			prev = next
		}
		if cost < bestCost {
			best, bestCost = plan, cost
		}
	}
	return best
}

// interpolatedPlan returns s stages from old to target (fewer if
// rounding makes two the same), target last.
func interpolatedPlan(old, target [][]int, shape []int, s int) [][][]int {
	var plan [][][]int
	prev := old
	for i := 1; i < s; i++ {
		t := float64(i) / float64(s)
		mid := make([][]int, len(old))
		for k := range old {
			if slices.Equal(old[k], target[k]) {
				mid[k] = old[k]
				continue
			}
			from := float64(shape[k]) / float64(len(old[k]))
			to := float64(shape[k]) / float64(len(target[k]))
			length := int(math.Round(math.Exp((1-t)*math.Log(from) + t*math.Log(to))))
			mid[k] = regularChunks(shape[k], min(max(length, 1), shape[k]))
		}
		if !slices.EqualFunc(mid, prev, slices.Equal) && !slices.EqualFunc(mid, target, slices.Equal) {
			plan = append(plan, mid)
			prev = mid
		}
	}
	return append(plan, target)
}

// regularChunks cuts n into chunks of length, the last one shorter.
func regularChunks(n, length int) []int {
	cs := make([]int, 0, (n+length-1)/length)
	for at := 0; at < n; at += length {
		cs = append(cs, min(length, n-at))
	}
	return cs
}

// rechunkTasks estimates the tasks of one stage from chunks a to b: a
// task per part cut from an input block, and one per output block put
// together from its parts.
func rechunkTasks(a, b [][]int) int {
	parts, blocks := 1.0, 1.0
	for k := range a {
		parts *= float64(segments(a[k], b[k]))
		blocks *= float64(len(b[k]))
	}
	return int(min(parts+blocks, math.MaxInt32))
}

// segments returns how many pieces the boundaries of chunks a and b cut
// an axis into together.
func segments(a, b []int) int {
	if slices.Equal(a, b) {
		return len(a)
	}
	n, i, j, ea, eb := 0, 0, 0, 0, 0
	for i < len(a) || j < len(b) {
		// Advance whichever boundary comes first (both when they meet):
		// each step ends one segment.
		na, nb := math.MaxInt, math.MaxInt
		if i < len(a) {
			na = ea + a[i]
		}
		if j < len(b) {
			nb = eb + b[j]
		}
		end := min(na, nb)
		if na == end {
			ea, i = na, i+1
		}
		if nb == end {
			eb, j = nb, j+1
		}
		n++
	}
	return n
}
