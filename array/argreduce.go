package array

import (
	"fmt"
	"slices"

	"github.com/dusk-go/dusk"
)

// ArgMin returns, along axis, the index of the smallest element (the
// first if several; a NaN wins, as in NumPy), as int64.
func (a *Array) ArgMin(axis int) (*Array, error) { return a.arg(redMin, axis) }

// ArgMax returns, along axis, the index of the largest element (see
// ArgMin).
func (a *Array) ArgMax(axis int) (*Array, error) { return a.arg(redMax, axis) }

var (
	fnArgPart    = dusk.Register("array.arg-part", argPart)
	fnArgCombine = dusk.Register("array.arg-combine", argCombine)
	fnArgFinish  = dusk.Register("array.arg-finish", argFinish)
)

// ArgPartial is a partial result of ArgMin or ArgMax: the best value of
// each result so far (Val, of the array's type), and its index along the
// axis (Idx, int64), with the axis kept as length 1.
type ArgPartial struct {
	Val, Idx *Block
}

func (a *Array) arg(op string, axis int) (*Array, error) {
	ax, err := a.axes([]int{axis})
	if err != nil {
		return nil, err
	}
	if a.shape[ax[0]] == 0 {
		return nil, fmt.Errorf("array: arg%s along the empty axis %d of %s", op, ax[0], a)
	}
	offsets := make([]int, len(a.chunks[ax[0]]))
	for i := 1; i < len(offsets); i++ {
		offsets[i] = offsets[i-1] + a.chunks[ax[0]][i-1]
	}
	// Each block's partial carries its offset along the axis.
	byBlock := map[*dusk.Delayed[*Block]]*dusk.Delayed[ArgPartial]{}
	gridIndexes(a.grid(), func(idx []int, i int) {
		p := dusk.Call[ArgPartial](fnArgPart, op, a.blocks[i], ax[0], offsets[idx[ax[0]]])
		byBlock[a.blocks[i]] = p
	})
	// The tree, over the partials (not blocks): as treeReduce, by hand.
	var shape []int
	var chunks [][]int
	for i, n := range a.shape {
		if i != ax[0] {
			shape, chunks = append(shape, n), append(chunks, slices.Clone(a.chunks[i]))
		}
	}
	out := &Array{c: a.c, dtype: Int64, shape: shape, chunks: chunks}
	outGrid := out.grid()
	groups := make([][]*dusk.Delayed[ArgPartial], prod(outGrid))
	gridIndexes(a.grid(), func(idx []int, i int) {
		keep := slices.Delete(slices.Clone(idx), ax[0], ax[0]+1)
		g := flatIndex(outGrid, keep)
		groups[g] = append(groups[g], byBlock[a.blocks[i]])
	})
	out.blocks = make([]*dusk.Delayed[*Block], len(groups))
	for g, ps := range groups {
		for len(ps) > SplitEvery {
			var next []*dusk.Delayed[ArgPartial]
			size := groupSize(len(ps))
			for lo := 0; lo < len(ps); lo += size {
				next = append(next, dusk.Call[ArgPartial](fnArgCombine, op, ps[lo:min(lo+size, len(ps))]))
			}
			ps = next
		}
		out.blocks[g] = dusk.Call[*Block](fnArgFinish, dusk.Call[ArgPartial](fnArgCombine, op, ps), ax[0])
	}
	return out, nil
}

// argPart finds each result's best element of block b along axis.
func argPart(op string, b *Block, axis, offset int) (ArgPartial, error) {
	if b.DType == Bool {
		b = astype(b, Int32)
	}
	shape := slices.Clone(b.Shape)
	shape[axis] = 1
	val, idx := newBlock(b.DType, shape), newBlock(Int64, shape)
	n := len(shape)
	outStride := make([]int, n)
	st := 1
	for i := n - 1; i >= 0; i-- {
		if i != axis {
			outStride[i] = st
		}
		st *= shape[i]
	}
	// The index along axis of input element i: (i / inner) % len.
	inner := prod(b.Shape[axis+1:])
	along := func(i int) int64 { return int64(offset + (i/inner)%b.Shape[axis]) }
	switch b.DType {
	case Float64:
		argInto(op, values[float64](val), values[int64](idx), values[float64](b), b.Shape, outStride, along)
	case Float32:
		argInto(op, values[float32](val), values[int64](idx), values[float32](b), b.Shape, outStride, along)
	case Int64:
		argInto(op, values[int64](val), values[int64](idx), values[int64](b), b.Shape, outStride, along)
	case Int32:
		argInto(op, values[int32](val), values[int64](idx), values[int32](b), b.Shape, outStride, along)
	}
	return ArgPartial{Val: val, Idx: idx}, nil
}

func argInto[T number](op string, val []T, idx []int64, in []T, shape, outStride []int, along func(int) int64) {
	seen := make([]bool, len(val))
	forEachOffset(shape, outStride, func(i, j int) {
		if better(op, in[i], val[j], seen[j]) {
			val[j], idx[j], seen[j] = in[i], along(i), true
		}
	})
}

// better reports whether v beats the best so far (a NaN beats anything
// but an earlier NaN; ties keep the earlier).
func better[T number](op string, v, best T, seen bool) bool {
	switch {
	case !seen:
		return true
	case best != best:
		return false
	case v != v:
		return true
	case op == redMin:
		return v < best
	}
	return v > best
}

// argCombine merges partials, in the order of their blocks along the
// axis (an earlier block's index wins a tie).
func argCombine(op string, parts []ArgPartial) (ArgPartial, error) {
	if len(parts) == 0 {
		return ArgPartial{}, fmt.Errorf("array: combining no partial results")
	}
	val, idx := newBlock(parts[0].Val.DType, parts[0].Val.Shape), newBlock(Int64, parts[0].Idx.Shape)
	copy(val.data, parts[0].Val.data)
	copy(idx.data, parts[0].Idx.data)
	for _, p := range parts[1:] {
		switch val.DType {
		case Float64:
			argMerge(op, values[float64](val), values[int64](idx), values[float64](p.Val), values[int64](p.Idx))
		case Float32:
			argMerge(op, values[float32](val), values[int64](idx), values[float32](p.Val), values[int64](p.Idx))
		case Int64:
			argMerge(op, values[int64](val), values[int64](idx), values[int64](p.Val), values[int64](p.Idx))
		case Int32:
			argMerge(op, values[int32](val), values[int64](idx), values[int32](p.Val), values[int64](p.Idx))
		}
	}
	return ArgPartial{Val: val, Idx: idx}, nil
}

func argMerge[T number](op string, val []T, idx []int64, pv []T, pi []int64) {
	for j := range val {
		if better(op, pv[j], val[j], true) {
			val[j], idx[j] = pv[j], pi[j]
		}
	}
}

// argFinish drops the reduced axis of the indexes.
func argFinish(p ArgPartial, axis int) *Block {
	shape := slices.Delete(slices.Clone(p.Idx.Shape), axis, axis+1)
	return &Block{DType: Int64, Shape: shape, data: p.Idx.data}
}
