package array

// A sum over a block of Random is made in the reducing task, each number
// added to its partial sum as soon as it is made, as sumRuns would add
// it: the block itself (32 MB at the benchmark's chunks) is never
// allocated, written to memory and read back. Its elements are a function
// of their index alone (tasks.go), so they can be made in any order, and
// the sums are the same, bit for bit, as reducing the block made whole:
// the same additions in the same order. The partial result is the only
// thing the task makes; Mean(axis=0) over Random was a block made (half
// of it the kernel faulting in fresh pages), then read.
// Other reductions (min, max, arg-reductions) and sums over axes that are
// not one run of axes make the block and reduce it, as before.

// reduceRandom returns reduceBlock(op, random(seed, block, shape), axes).
func reduceRandom(op string, seed uint64, block int, shape []int, axes []int) (*Block, error) {
	outShape, outStride := reducedLayout(shape, axes)
	outer, n, inner, ok := consecutive(shape, outStride)
	if op != redSum || !ok || prod(shape) == 0 {
		return reduceBlock(op, random(seed, block, shape), axes)
	}
	out := newBlock(Float64, outShape)
	sumRandomRuns(values[float64](out), blockKey(seed, block), outer, n, inner)
	return out, nil
}

// sumRandomRuns is sumRuns(out, in, outer, n, inner) where in is the
// stream of key: each number is made and added at once.
func sumRandomRuns(out []float64, key uint64, outer, n, inner int) {
	g := uint64(golden)
	g2, g3, g4 := 2*g, 3*g, 4*g
	if inner == 1 {
		for o := range outer {
			// sumOf's four accumulators, element i of the run added to
			// accumulator i mod 4, the last few to the first.
			s := key + uint64(o*n)*golden
			var s0, s1, s2, s3 float64
			i := 0
			for ; i+4 <= n; i += 4 {
				s0 += uniform(s + g)
				s1 += uniform(s + g2)
				s2 += uniform(s + g3)
				s3 += uniform(s + g4)
				s += g4
			}
			for ; i < n; i++ {
				s += golden
				s0 += uniform(s)
			}
			out[o] += (s0 + s1) + (s2 + s3)
		}
		return
	}
	for o := range outer {
		acc := out[o*inner : (o+1)*inner]
		s := key + uint64(o*n*inner)*golden
		for range n {
			// Four numbers at a time: their makings overlap.
			i := 0
			for ; i+4 <= len(acc); i += 4 {
				a := acc[i : i+4 : i+4]
				a[0] += uniform(s + g)
				a[1] += uniform(s + g2)
				a[2] += uniform(s + g3)
				a[3] += uniform(s + g4)
				s += g4
			}
			for ; i < len(acc); i++ {
				s += golden
				acc[i] += uniform(s)
			}
		}
	}
}
