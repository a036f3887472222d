package array

import (
	"fmt"
	"slices"

	"github.com/dusk-go/dusk"
)

var (
	fnTake      = dusk.Register("array.take", takeBlocks)
	fnTranspose = dusk.Register("array.transpose", transposeBlock)
	fnExpand    = dusk.Register("array.expand", func(b *Block, axis int) *Block {
		shape := slices.Insert(slices.Clone(b.Shape), axis, 1)
		return &Block{DType: b.DType, Shape: shape, data: b.data}
	})
)

// Take picks the elements at indices along axis (negative ones count from
// the end; repeats and any order allowed), as NumPy's take. The result's
// chunks along the axis are as long as the array's first one there; each
// result block reads only the blocks its indices fall in.
func (a *Array) Take(indices []int, axis int) (*Array, error) {
	ax, err := a.axes([]int{axis})
	if err != nil {
		return nil, err
	}
	axis = ax[0]
	n := a.shape[axis]
	idx := make([]int, len(indices))
	for i, x := range indices {
		if x < 0 {
			x += n
		}
		if x < 0 || x >= n {
			return nil, fmt.Errorf("array: index %d is out of range for axis %d of %s (length %d)", indices[i], axis, a, n)
		}
		idx[i] = x
	}
	// Where each index is: its chunk and its place in it.
	starts := make([]int, len(a.chunks[axis])+1)
	for i, c := range a.chunks[axis] {
		starts[i+1] = starts[i] + c
	}
	locate := func(x int) (chunk, local int) {
		c, _ := slices.BinarySearch(starts, x+1)
		return c - 1, x - starts[c-1]
	}
	size := 1
	if len(a.chunks[axis]) > 0 {
		size = max(a.chunks[axis][0], 1)
	}
	outChunks := split(len(idx), size)
	if len(idx) == 0 {
		outChunks = []int{0}
	}
	out := a.like(a.dtype)
	out.shape[axis] = len(idx)
	out.chunks[axis] = outChunks
	grid, inGrid := out.grid(), a.grid()
	out.blocks = make([]*dusk.Delayed[*Block], prod(grid))
	gridIndexes(grid, func(oi []int, i int) {
		lo := 0
		for _, c := range outChunks[:oi[axis]] {
			lo += c
		}
		// The input blocks this result block reads, and for each index,
		// which of them and where.
		var srcs []*dusk.Delayed[*Block]
		var which, local []int
		seen := map[int]int{}
		for _, x := range idx[lo : lo+outChunks[oi[axis]]] {
			c, l := locate(x)
			k, ok := seen[c]
			if !ok {
				in := slices.Clone(oi)
				in[axis] = c
				k = len(srcs)
				seen[c] = k
				srcs = append(srcs, a.blockList()[flatIndex(inGrid, in)])
			}
			which, local = append(which, k), append(local, l)
		}
		if len(srcs) == 0 { // an empty result block: any block gives the type
			in := slices.Clone(oi)
			in[axis] = 0
			srcs = append(srcs, a.blockList()[flatIndex(inGrid, in)])
		}
		out.blocks[i] = dusk.Call[*Block](fnTake, srcs, axis, which, local)
	})
	return out, nil
}

// Compress keeps the elements along axis where mask is true, as NumPy's
// compress; mask has one entry per index of the axis.
func (a *Array) Compress(mask []bool, axis int) (*Array, error) {
	ax, err := a.axes([]int{axis})
	if err != nil {
		return nil, err
	}
	if len(mask) != a.shape[ax[0]] {
		return nil, fmt.Errorf("array: a mask of %d entries for axis %d of %s (length %d)", len(mask), ax[0], a, a.shape[ax[0]])
	}
	var idx []int
	for i, m := range mask {
		if m {
			idx = append(idx, i)
		}
	}
	return a.Take(idx, ax[0])
}

// takeBlocks gathers along axis, for each output index i, the slice at
// local[i] of block srcs[which[i]].
func takeBlocks(srcs []*Block, axis int, which, local []int) *Block {
	shape := slices.Clone(srcs[0].Shape)
	shape[axis] = len(which)
	out := newBlock(srcs[0].DType, shape)
	size := out.DType.Size()
	inner := prod(shape[axis+1:]) * size
	for o := range prod(shape[:axis]) {
		for i, w := range which {
			src := srcs[w]
			from := (o*src.Shape[axis] + local[i]) * inner
			to := (o*len(which) + i) * inner
			copy(out.data[to:to+inner], src.data[from:from+inner])
		}
	}
	return out
}

// Transpose permutes the axes (reverses them if no order is given), as
// NumPy's transpose: block (i, j) of the result is block (j, i)
// transposed.
func (a *Array) Transpose(axes ...int) (*Array, error) {
	n := len(a.shape)
	perm := make([]int, n)
	if len(axes) == 0 {
		for i := range perm {
			perm[i] = n - 1 - i
		}
	} else {
		if len(axes) != n {
			return nil, fmt.Errorf("array: Transpose of %s needs %d axes, not %v", a, n, axes)
		}
		seen := make([]bool, n)
		for i, ax := range axes {
			if ax < 0 {
				ax += n
			}
			if ax < 0 || ax >= n || seen[ax] {
				return nil, fmt.Errorf("array: Transpose of %s: %v is not an order of its axes", a, axes)
			}
			seen[ax], perm[i] = true, ax
		}
	}
	out := &Array{c: a.c, dtype: a.dtype, shape: make([]int, n), chunks: make([][]int, n)}
	for i, p := range perm {
		out.shape[i], out.chunks[i] = a.shape[p], slices.Clone(a.chunks[p])
	}
	out.blocks = make([]*dusk.Delayed[*Block], prod(out.grid()))
	out.transposeOf = &transposed{src: a, perm: perm}
	return out, nil
}

// transposed is what Transpose keeps of the array it transposed: the
// array and the order of its axes.
type transposed struct {
	src  *Array
	perm []int
}

// source returns the position in t.src's block list of the block that
// block i of the transpose (of grid out) transposes.
func (t *transposed) source(out []int, i int) int {
	idx := make([]int, len(out))
	rest := i
	for k := len(out) - 1; k >= 0; k-- {
		idx[k] = rest % out[k]
		rest /= out[k]
	}
	in := make([]int, len(idx))
	for k, p := range t.perm {
		in[p] = idx[k]
	}
	return flatIndex(t.src.grid(), in)
}

// swapsTwoAxes reports whether t is the transpose of a matrix.
func (t *transposed) swapsTwoAxes() bool {
	return len(t.perm) == 2 && t.perm[0] == 1
}

// transposeBlock permutes b's axes.
func transposeBlock(b *Block, perm []int) *Block {
	n := len(perm)
	if n == 2 && perm[0] == 1 {
		return transpose2(b)
	}
	shape := make([]int, n)
	for i, p := range perm {
		shape[i] = b.Shape[p]
	}
	out := newBlock(b.DType, shape)
	size := b.DType.Size()
	inStrides := make([]int, n)
	st := size
	for i := n - 1; i >= 0; i-- {
		inStrides[i] = st
		st *= b.Shape[i]
	}
	strides := make([]int, n) // the input's stride for each output axis
	for i, p := range perm {
		strides[i] = inStrides[p]
	}
	idx := make([]int, n)
	off := 0
	for o := 0; o < len(out.data); o += size {
		copy(out.data[o:o+size], b.data[off:off+size])
		for k := n - 1; k >= 0; k-- {
			idx[k]++
			off += strides[k]
			if idx[k] < shape[k] {
				break
			}
			off -= strides[k] * idx[k]
			idx[k] = 0
		}
	}
	return out
}

// Concatenate joins arrays along axis; they must have the same type, the
// same shape and the same chunks on every other axis. No task is added:
// the result's blocks are theirs.
func Concatenate(arrays []*Array, axis int) (*Array, error) {
	if len(arrays) == 0 {
		return nil, fmt.Errorf("array: Concatenate of no arrays")
	}
	first := arrays[0]
	ax, err := first.axes([]int{axis})
	if err != nil {
		return nil, err
	}
	axis = ax[0]
	out := &Array{c: first.c, dtype: first.dtype, shape: slices.Clone(first.shape), chunks: first.Chunks()}
	out.shape[axis], out.chunks[axis] = 0, nil
	for _, a := range arrays {
		if a.c != first.c || a.dtype != first.dtype || len(a.shape) != len(first.shape) {
			return nil, fmt.Errorf("array: Concatenate of %s and %s: give arrays of one client, type and number of axes (Astype converts)", first, a)
		}
		for i := range a.shape {
			if i != axis && !slices.Equal(a.chunks[i], first.chunks[i]) {
				return nil, fmt.Errorf("array: Concatenate of %s and %s along axis %d: axis %d differs (chunks %v and %v)", first, a, axis, i, first.chunks[i], a.chunks[i])
			}
		}
		out.shape[axis] += a.shape[axis]
		out.chunks[axis] = append(out.chunks[axis], a.chunks[axis]...)
	}
	grid := out.grid()
	out.blocks = make([]*dusk.Delayed[*Block], prod(grid))
	gridIndexes(grid, func(idx []int, i int) {
		k := idx[axis]
		for _, a := range arrays {
			if k < len(a.chunks[axis]) {
				in := slices.Clone(idx)
				in[axis] = k
				out.blocks[i] = a.blockList()[flatIndex(a.grid(), in)]
				return
			}
			k -= len(a.chunks[axis])
		}
	})
	return out, nil
}

// Stack joins arrays of one shape, type and chunks along a new axis at
// position axis, as NumPy's stack.
func Stack(arrays []*Array, axis int) (*Array, error) {
	if len(arrays) == 0 {
		return nil, fmt.Errorf("array: Stack of no arrays")
	}
	n := len(arrays[0].shape)
	if axis < 0 {
		axis += n + 1
	}
	if axis < 0 || axis > n {
		return nil, fmt.Errorf("array: Stack along axis %d of arrays of %d axes", axis, n)
	}
	expanded := make([]*Array, len(arrays))
	for i, a := range arrays {
		if !slices.Equal(a.shape, arrays[0].shape) {
			return nil, fmt.Errorf("array: Stack of %s and %s: give arrays of one shape", arrays[0], a)
		}
		e := &Array{c: a.c, dtype: a.dtype, shape: slices.Insert(slices.Clone(a.shape), axis, 1),
			chunks: slices.Insert(a.Chunks(), axis, []int{1}), blocks: make([]*dusk.Delayed[*Block], len(a.blocks))}
		for j, b := range a.blockList() {
			e.blocks[j] = dusk.Call[*Block](fnExpand, b, axis)
		}
		expanded[i] = e
	}
	return Concatenate(expanded, axis)
}

// transpose2 transposes a block of two axes, tile by tile so that reads
// and writes both stay in cache.
func transpose2(b *Block) *Block {
	r, c := b.Shape[0], b.Shape[1]
	out := newBlock(b.DType, []int{c, r})
	switch b.DType.Size() {
	case 8:
		tiles(raw[uint64](b), raw[uint64](out), r, c)
	case 4:
		tiles(raw[uint32](b), raw[uint32](out), r, c)
	default:
		tiles(b.data, out.data, r, c)
	}
	return out
}

func tiles[T any](src, dst []T, r, c int) {
	const t = 32
	for i0 := 0; i0 < r; i0 += t {
		for j0 := 0; j0 < c; j0 += t {
			for i := i0; i < min(i0+t, r); i++ {
				row := src[i*c : (i+1)*c]
				for j := j0; j < min(j0+t, c); j++ {
					dst[j*r+i] = row[j]
				}
			}
		}
	}
}
