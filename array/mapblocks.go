package array

import (
	"fmt"
	"slices"

	"github.com/dusk-go/dusk"
)

var (
	fnPad  = dusk.Register("array.pad", pad)
	fnTrim = dusk.Register("array.trim", func(b *Block, before, counts []int) *Block {
		return sliceBlock(b, before, ones(len(counts)), counts, nil)
	})
)

// MapBlocks applies the registered function fn to every block: fn takes a
// BlockInfo, the block, then args (and may take a context first) and
// returns a block of the same shape, of type dt. The calls fuse with the
// element-wise steps around them into one task per block. A block of
// another shape or type fails with an error naming it.
func (a *Array) MapBlocks(fn *dusk.Func, dt DType, args ...any) (*Array, error) {
	if !dt.valid() {
		return nil, fmt.Errorf("array: MapBlocks to an unknown dtype %d", dt)
	}
	out := a.like(dt)
	gridIndexes(a.grid(), func(idx []int, i int) {
		info := BlockInfo{Index: slices.Clone(idx), Offset: blockOffset(a.chunks, idx), Shape: blockShape(a.chunks, idx)}
		call := append([]any{info, a.blockList()[i]}, args...)
		out.blocks[i] = dusk.Call[*Block](fnCheck, dusk.Call[*Block](fn, call...), dt, info.Shape, info.Index)
	})
	return out, nil
}

// Boundary says what a MapOverlap function sees beyond the array's
// edges.
type Boundary struct {
	mode  string
	value float64
}

// The boundaries: None gives blocks at the edges a smaller halo there
// (BlockInfo says where the block is); Reflect mirrors the array (d c b |
// a b c d, NumPy's "reflect"); Constant pads with a value.
var (
	None    = Boundary{mode: "none"}
	Reflect = Boundary{mode: "reflect"}
)

// Constant pads with v (converted to the array's type).
func Constant(v float64) Boundary { return Boundary{mode: "constant", value: v} }

// MapOverlap applies fn to every block extended by depth[i] elements of
// its neighbours along axis i (a halo), and trims the result back to the
// block: a stencil of reach depth computed this way is the same as over
// the whole array. fn is as for MapBlocks, on the extended block (whose
// BlockInfo gives its own offset and shape; with Reflect or Constant the
// offset may be negative), and returns a block of the extended shape.
// Every chunk must be at least depth long.
func (a *Array) MapOverlap(fn *dusk.Func, depth []int, boundary Boundary, dt DType) (*Array, error) {
	if len(depth) != len(a.shape) {
		return nil, fmt.Errorf("array: MapOverlap of %s with depth %v: give one depth per axis", a, depth)
	}
	if !dt.valid() {
		return nil, fmt.Errorf("array: MapOverlap to an unknown dtype %d", dt)
	}
	for i, d := range depth {
		if d < 0 {
			return nil, fmt.Errorf("array: MapOverlap with a negative depth %v", depth)
		}
		for _, c := range a.chunks[i] {
			if c < d && d > 0 {
				return nil, fmt.Errorf("array: MapOverlap of %s: a chunk of %d along axis %d is shorter than the depth %d; Rechunk first", a, c, i, d)
			}
		}
		if boundary.mode == "reflect" && d >= a.shape[i] && d > 0 {
			return nil, fmt.Errorf("array: MapOverlap of %s: a reflected halo of %d needs an axis longer than that (axis %d is %d)", a, d, i, a.shape[i])
		}
	}
	fill, err := scalarBlock(boundary.value)
	if err != nil {
		return nil, err
	}
	fill = astype(fill, a.dtype)
	out := a.like(dt)
	n := len(a.shape)
	starts := a.chunkStarts()
	gridIndexes(a.grid(), func(idx []int, i int) {
		off, shape := blockOffset(a.chunks, idx), blockShape(a.chunks, idx)
		lo, hi := make([]int, n), make([]int, n)
		padLo, padHi := make([]int, n), make([]int, n)
		for k := range n {
			lo[k], hi[k] = max(off[k]-depth[k], 0), min(off[k]+shape[k]+depth[k], a.shape[k])
			if boundary.mode != "none" {
				padLo[k], padHi[k] = lo[k]-(off[k]-depth[k]), off[k]+shape[k]+depth[k]-hi[k]
			}
		}
		ext, _ := a.region(starts, lo, hi)
		extOff := slices.Clone(lo)
		extShape := make([]int, n)
		for k := range n {
			extShape[k] = hi[k] - lo[k] + padLo[k] + padHi[k]
			extOff[k] -= padLo[k]
		}
		if slices.ContainsFunc(padLo, func(p int) bool { return p > 0 }) || slices.ContainsFunc(padHi, func(p int) bool { return p > 0 }) {
			ext = dusk.Call[*Block](fnPad, ext, padLo, padHi, boundary.mode, fill)
		}
		info := BlockInfo{Index: slices.Clone(idx), Offset: extOff, Shape: extShape}
		made := dusk.Call[*Block](fnCheck, dusk.Call[*Block](fn, info, ext), dt, extShape, info.Index)
		before := make([]int, n)
		for k := range n {
			before[k] = off[k] - extOff[k]
		}
		out.blocks[i] = dusk.Call[*Block](fnTrim, made, before, shape)
	})
	return out, nil
}

// pad extends b by before[k] and after[k] elements along each axis k,
// mirrored (reflect) or filled with fill (constant).
func pad(b *Block, before, after []int, mode string, fill *Block) *Block {
	out := b
	for k := range b.Shape {
		if before[k] == 0 && after[k] == 0 {
			continue
		}
		out = padAxis(out, k, before[k], after[k], mode, fill)
	}
	return out
}

// padAxis pads along one axis.
func padAxis(b *Block, axis, before, after int, mode string, fill *Block) *Block {
	n := b.Shape[axis]
	shape := slices.Clone(b.Shape)
	shape[axis] = n + before + after
	out := newBlock(b.DType, shape)
	size := b.DType.Size()
	inner := prod(b.Shape[axis+1:]) * size
	// src returns the source slice along the axis for output slice j, or
	// -1 for the fill.
	src := func(j int) int {
		i := j - before
		if i >= 0 && i < n {
			return i
		}
		if mode != "reflect" {
			return -1
		}
		for i < 0 || i >= n { // reflect without repeating the edge
			if i < 0 {
				i = -i
			}
			if i >= n {
				i = 2*(n-1) - i
			}
		}
		return i
	}
	for o := range prod(b.Shape[:axis]) {
		for j := range shape[axis] {
			to := (o*shape[axis] + j) * inner
			if i := src(j); i >= 0 {
				from := (o*n + i) * inner
				copy(out.data[to:to+inner], b.data[from:from+inner])
			} else {
				for e := to; e < to+inner; e += size {
					copy(out.data[e:e+size], fill.data)
				}
			}
		}
	}
	return out
}
