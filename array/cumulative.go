package array

import (
	"slices"

	"github.com/dusk-go/dusk"
)

var (
	fnCumsum      = dusk.Register("array.cumsum", func(b *Block, axis int) *Block { return cumsumBlock(b, axis, nil) })
	fnCumsumCarry = dusk.Register("array.cumsum-carry", cumsumBlock)
	fnLast        = dusk.Register("array.last", lastAlong)
)

// Cumsum returns the running sum along axis (int64 for integers and
// bools, as NumPy's). Each block's own running sum is offset by the
// totals of the blocks before it along the axis: a chain of one small
// task per block.
func (a *Array) Cumsum(axis int) (*Array, error) {
	ax, err := a.axes([]int{axis})
	if err != nil {
		return nil, err
	}
	dt := reducedType(redSum, a.dtype)
	out := a.like(dt)
	grid := a.grid()
	// carry[i] is the total of the blocks before block i along the axis
	// (nil for the first).
	carry := make([]*dusk.Delayed[*Block], len(a.blocks))
	gridIndexes(grid, func(idx []int, i int) {
		cs := dusk.Call[*Block](fnCumsum, a.blockList()[i], ax[0])
		if carry[i] != nil {
			cs = dusk.Call[*Block](fnCumsumCarry, a.blockList()[i], ax[0], carry[i])
		}
		out.blocks[i] = cs
		if idx[ax[0]]+1 < grid[ax[0]] {
			next := slices.Clone(idx)
			next[ax[0]]++
			// The running sum's last slice is the total so far.
			carry[flatIndex(grid, next)] = dusk.Call[*Block](fnLast, cs, ax[0])
		}
	})
	return out, nil
}

// cumsumBlock is b's running sum along axis, plus carry (the totals of
// the blocks before, with the axis as length 1; nil for none).
func cumsumBlock(b *Block, axis int, carry *Block) *Block {
	dt := reducedType(redSum, b.DType)
	out := astype(b, dt)
	if out == b {
		out = newBlock(dt, b.Shape)
		copy(out.data, b.data)
	}
	switch dt {
	case Float64:
		runningSum(values[float64](out), b.Shape, axis, carryOf[float64](carry))
	case Float32:
		runningSum(values[float32](out), b.Shape, axis, carryOf[float32](carry))
	case Int64:
		runningSum(values[int64](out), b.Shape, axis, carryOf[int64](carry))
	}
	return out
}

func carryOf[T Elem](b *Block) []T {
	if b == nil {
		return nil
	}
	return values[T](b)
}

// runningSum turns v (of shape) into its running sum along axis, starting
// from carry (indexed as v with the axis removed) when given.
func runningSum[T number](v []T, shape []int, axis int, carry []T) {
	inner := prod(shape[axis+1:])
	n := shape[axis]
	outer := prod(shape[:axis])
	for o := range outer {
		for in := range inner {
			base := o*n*inner + in
			var acc T
			if carry != nil {
				acc = carry[o*inner+in]
			}
			for k := range n {
				acc += v[base+k*inner]
				v[base+k*inner] = acc
			}
		}
	}
}

// lastAlong returns the last slice of b along axis (kept as length 1).
func lastAlong(b *Block, axis int) *Block {
	shape := slices.Clone(b.Shape)
	shape[axis] = 1
	out := newBlock(b.DType, shape)
	size := b.DType.Size()
	inner := prod(b.Shape[axis+1:]) * size
	n := b.Shape[axis]
	for o := range prod(b.Shape[:axis]) {
		src := (o*n + n - 1) * inner
		copy(out.data[o*inner:(o+1)*inner], b.data[src:src+inner])
	}
	return out
}
