package array

import (
	"fmt"
	"slices"

	"github.com/dusk-go/dusk"
)

// ArgMin returns, along axis, the index of the smallest element (the
// first if several; a NaN wins, as in NumPy), as int64. Without an axis,
// it is the index of the smallest element in the flattened array (C
// order), a 0-d array.
func (a *Array) ArgMin(axis ...int) (*Array, error) { return a.argAny(redMin, axis) }

// ArgMax returns, along axis, the index of the largest element (see
// ArgMin).
func (a *Array) ArgMax(axis ...int) (*Array, error) { return a.argAny(redMax, axis) }

func (a *Array) argAny(op string, axis []int) (*Array, error) {
	switch len(axis) {
	case 0:
		return a.argFlat(op)
	case 1:
		return a.arg(op, axis[0])
	}
	return nil, fmt.Errorf("array: arg%s along %v: give one axis, or none for the flattened array", op, axis)
}

var fnArgPartFlat = dusk.Register("array.arg-part-flat", argPartFlat)

// argFlat finds the best element of the flattened array: each block's
// best with its index in the whole array, then a tree over them.
func (a *Array) argFlat(op string) (*Array, error) {
	if a.Size() == 0 {
		return nil, fmt.Errorf("array: arg%s of the empty array %s", op, a)
	}
	var parts []*dusk.Delayed[ArgPartial]
	gridIndexes(a.grid(), func(idx []int, i int) {
		parts = append(parts, dusk.Call[ArgPartial](fnArgPartFlat, op, a.blockList()[i], blockOffset(a.chunks, idx), a.shape))
	})
	combine := func(ps []*dusk.Delayed[ArgPartial]) *dusk.Delayed[ArgPartial] {
		return dusk.Call[ArgPartial](fnArgCombine, op, ps)
	}
	parts = narrow(parts, combine)
	out := &Array{c: a.c, dtype: Int64}
	out.blocks = []*dusk.Delayed[*Block]{dusk.Call[*Block](fnArgFinishFlat, dusk.Call[ArgPartial](fnArgCombine, op, parts))}
	return out, nil
}

// argPartFlat finds the best element of block b (at offset in an array
// of shape) and its index in the flattened array.
func argPartFlat(op string, b *Block, offset, shape []int) (ArgPartial, error) {
	flatShape := []int{b.Len()}
	p, err := argPart(op, &Block{DType: b.DType, Shape: flatShape, data: b.data}, 0, 0)
	if err != nil {
		return p, err
	}
	// The local flat index to the array's.
	local := int(values[int64](p.Idx)[0])
	n := len(shape)
	flat := 0
	for k := 0; k < n; k++ {
		inner := prod(b.Shape[k+1:])
		i := local / inner % b.Shape[k]
		flat = flat*shape[k] + offset[k] + i
	}
	values[int64](p.Idx)[0] = int64(flat)
	return p, nil
}

var (
	fnArgFinishFlat = dusk.Register("array.arg-finish-flat", func(p ArgPartial) *Block {
		return &Block{DType: Int64, Shape: nil, data: p.Idx.data}
	})
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
		p := dusk.Call[ArgPartial](fnArgPart, op, a.blockList()[i], ax[0], offsets[idx[ax[0]]])
		byBlock[a.blockList()[i]] = p
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
		groups[g] = append(groups[g], byBlock[a.blockList()[i]])
	})
	out.blocks = make([]*dusk.Delayed[*Block], len(groups))
	for g, ps := range groups {
		combine := func(ps []*dusk.Delayed[ArgPartial]) *dusk.Delayed[ArgPartial] {
			return dusk.Call[ArgPartial](fnArgCombine, op, ps)
		}
		out.blocks[g] = dusk.Call[*Block](fnArgFinish, combine(narrow(ps, combine)), ax[0])
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
		tie := pv[j] == val[j] || pv[j] != pv[j] && val[j] != val[j]
		if better(op, pv[j], val[j], true) || tie && pi[j] < idx[j] {
			val[j], idx[j] = pv[j], pi[j]
		}
	}
}

// argFinish drops the reduced axis of the indexes.
func argFinish(p ArgPartial, axis int) *Block {
	shape := slices.Delete(slices.Clone(p.Idx.Shape), axis, axis+1)
	return &Block{DType: Int64, Shape: shape, data: p.Idx.data}
}
