package array

import (
	"context"
	"fmt"
	"slices"

	"github.com/dusk-go/dusk"
)

// Boolean masks that are arrays (NumPy's x[x > 0]): how many elements a
// result block keeps depends on the mask's values, so a result's chunks
// are not known until they are counted. Dask leaves them unknown (NaN)
// until compute_chunk_sizes; dusk counts them at the call instead: one
// small task per mask block, only the counts come back (the mask and the
// data stay on the workers), and the result is an ordinary lazy array
// whose blocks keep what their masks say.

var (
	fnCountTrue = dusk.Register("array.count-true", countTrue)
	fnKeepWhere = dusk.Register("array.keep-where", keepWhere)
	fnKeepAlong = dusk.Register("array.keep-along", keepAlong)
)

// Mask returns the elements of a where mask is true, in C order, as a 1-d
// array: NumPy's a[mask]. The mask is a bool array of a's shape and
// chunks (a comparison of a, most often); each result block holds what
// one block of a keeps, so the result's blocks follow a's. For the order
// to be NumPy's, a's blocks must be runs of whole rows (every axis but
// the first in one chunk; Rechunk first otherwise). The lengths of the
// result's chunks are counted on the workers now (ctx bounds that).
func (a *Array) Mask(ctx context.Context, mask *Array) (*Array, error) {
	if err := a.sameGridAs(mask, "Mask"); err != nil {
		return nil, err
	}
	for k, cs := range a.chunks[min(1, len(a.chunks)):] {
		if len(cs) > 1 {
			return nil, fmt.Errorf("array: Mask of %s keeps elements in C order only when its blocks are runs of whole rows, and axis %d is in %d chunks: Rechunk it to one chunk on every axis but the first (By(n, -1, ...))", a, k+1, len(cs))
		}
	}
	counts, err := countTrueBlocks(ctx, mask)
	if err != nil {
		return nil, err
	}
	out := &Array{c: a.c, dtype: a.dtype, shape: []int{0}, chunks: [][]int{counts}, blocks: make([]*dusk.Delayed[*Block], len(counts))}
	for i, n := range counts {
		out.shape[0] += n
		out.blocks[i] = dusk.Call[*Block](fnKeepWhere, a.blockList()[i], mask.blockList()[i])
	}
	return out, nil
}

// CompressBy keeps the elements along axis where mask is true: NumPy's
// compress with a mask that is an array (x[:, m] for axis 1). The mask is
// a 1-d bool array as long as the axis, in the same chunks. The lengths
// of the result's chunks along the axis are counted on the workers now.
func (a *Array) CompressBy(ctx context.Context, mask *Array, axis int) (*Array, error) {
	ax, err := a.axes([]int{axis})
	if err != nil {
		return nil, err
	}
	axis = ax[0]
	if mask.dtype != Bool || len(mask.shape) != 1 || mask.shape[0] != a.shape[axis] || !slices.Equal(mask.chunks[0], a.chunks[axis]) {
		return nil, fmt.Errorf("array: CompressBy of %s along axis %d (chunks %v) takes a 1-d bool mask of that length in those chunks, not %s (chunks %v): Rechunk the mask", a, axis, a.chunks[axis], mask, mask.chunks)
	}
	if mask.c != a.c {
		return nil, fmt.Errorf("array: CompressBy of %s by %s: the arrays belong to different clients", a, mask)
	}
	counts, err := countTrueBlocks(ctx, mask)
	if err != nil {
		return nil, err
	}
	out := a.like(a.dtype)
	out.chunks[axis] = counts
	out.shape[axis] = 0
	for _, n := range counts {
		out.shape[axis] += n
	}
	gridIndexes(a.grid(), func(idx []int, i int) {
		out.blocks[i] = dusk.Call[*Block](fnKeepAlong, a.blockList()[i], mask.blockList()[idx[axis]], axis)
	})
	return out, nil
}

// sameGridAs checks that m is a bool array of a's shape and chunks.
func (a *Array) sameGridAs(m *Array, op string) error {
	if m.dtype != Bool || !slices.Equal(m.shape, a.shape) || !slices.EqualFunc(m.chunks, a.chunks, slices.Equal) {
		return fmt.Errorf("array: %s of %s (chunks %v) takes a bool mask of its shape and chunks, not %s (chunks %v): Rechunk the mask", op, a, a.chunks, m, m.chunks)
	}
	if m.c != a.c {
		return fmt.Errorf("array: %s of %s by %s: the arrays belong to different clients", op, a, m)
	}
	return nil
}

// countTrueBlocks counts the true elements of each block of mask, on the
// workers.
func countTrueBlocks(ctx context.Context, mask *Array) ([]int, error) {
	counts := make([]dusk.Lazy, len(mask.blocks))
	for i, b := range mask.blockList() {
		counts[i] = dusk.Call[int](fnCountTrue, b)
	}
	vals, err := dusk.ComputeAll(ctx, mask.c, counts, computeOpts(nil)...)
	if err != nil {
		return nil, fmt.Errorf("array: counting the true elements of the mask %s: %w", mask, err)
	}
	out := make([]int, len(vals))
	for i, v := range vals {
		n, ok := v.(int)
		if !ok {
			return nil, fmt.Errorf("array: the count of block %d of the mask %s came back as %T", i, mask, v)
		}
		out[i] = n
	}
	return out, nil
}

func countTrue(m *Block) (int, error) {
	if m.DType != Bool {
		return 0, fmt.Errorf("array: a mask block of %s, not bool", m.DType)
	}
	n := 0
	for _, v := range values[bool](m) {
		if v {
			n++
		}
	}
	return n, nil
}

// keepWhere returns the elements of b where m is true, in C order, as a
// 1-d block.
func keepWhere(b, m *Block) (*Block, error) {
	if m.DType != Bool || !slices.Equal(b.Shape, m.Shape) {
		return nil, fmt.Errorf("array: a %s mask block of shape %v for a block of shape %v", m.DType, m.Shape, b.Shape)
	}
	keep := values[bool](m)
	n := 0
	for _, v := range keep {
		if v {
			n++
		}
	}
	out := newBlock(b.DType, []int{n})
	size := b.DType.Size()
	at := 0
	for i, v := range keep {
		if v {
			copy(out.data[at:at+size], b.data[i*size:(i+1)*size])
			at += size
		}
	}
	return out, nil
}

// keepAlong keeps the slices of b along axis where the 1-d mask m is true.
func keepAlong(b, m *Block, axis int) (*Block, error) {
	if m.DType != Bool || len(m.Shape) != 1 || axis >= len(b.Shape) || m.Shape[0] != b.Shape[axis] {
		return nil, fmt.Errorf("array: a %s mask block of shape %v for axis %d of a block of shape %v", m.DType, m.Shape, axis, b.Shape)
	}
	var idx []int
	for i, v := range values[bool](m) {
		if v {
			idx = append(idx, i)
		}
	}
	return takeBlocks([]*Block{b}, axis, make([]int, len(idx)), idx), nil
}
