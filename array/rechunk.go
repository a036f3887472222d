package array

import (
	"fmt"
	"slices"

	"github.com/dusk-go/dusk"
)

var (
	fnAssemble = dusk.Register("array.assemble", assemble)
	fnReshape  = dusk.Register("array.reshape", func(b *Block, shape []int) *Block {
		return &Block{DType: b.DType, Shape: shape, data: b.data}
	})
)

// Rechunk cuts the array into other chunks. Each result block is made of
// the parts of the blocks it overlaps, each part cut by a task of its
// own, so no task holds more than one input block or one result block
// (nothing is gathered whole); a result block that is an input block is
// taken as it is. A rechunk that would cut the array into very many small
// parts (splitting some axes' chunks while it merges others') goes
// through intermediate chunkings, each block of which is no larger than
// about the larger of an old and a new block (see planRechunk).
func (a *Array) Rechunk(chunks Chunks) (*Array, error) {
	cs, err := chunks.resolve(a.shape, a.dtype)
	if err != nil {
		return nil, fmt.Errorf("%w (rechunking %s)", err, a)
	}
	for _, stage := range planRechunk(a.chunks, cs, a.dtype.Size()) {
		a = a.rechunk(stage)
	}
	return a, nil
}

// rechunk is one stage of Rechunk: every block of the result made from
// the parts of a's blocks it overlaps.
func (a *Array) rechunk(cs [][]int) *Array {
	out := &Array{c: a.c, dtype: a.dtype, shape: slices.Clone(a.shape), chunks: cs}
	grid := out.grid()
	out.blocks = make([]*dusk.Delayed[*Block], prod(grid))
	starts := a.chunkStarts()
	gridIndexes(grid, func(idx []int, i int) {
		lo := blockOffset(cs, idx)
		hi := make([]int, len(lo))
		for k := range lo {
			hi[k] = lo[k] + cs[k][idx[k]]
		}
		var rows *rowBands
		out.blocks[i], rows = a.region(starts, lo, hi)
		if rows != nil {
			if out.bands == nil {
				out.bands = make([]*rowBands, len(out.blocks))
			}
			out.bands[i] = rows
		}
	})
	return out
}

// chunkStarts returns, per axis, where each of a's chunks starts, and the
// axis's length last.
func (a *Array) chunkStarts() [][]int {
	starts := make([][]int, len(a.shape))
	for k, cs := range a.chunks {
		starts[k] = make([]int, len(cs)+1)
		for c, l := range cs {
			starts[k][c+1] = starts[k][c] + l
		}
	}
	return starts
}

// region returns a task making the block of elements [lo, hi) of a (per
// axis), out of the blocks it overlaps; starts holds, per axis, where
// each of a's chunks starts, and the axis's length last. When the block
// is assembled from pieces that are whole rows of it (rowbands.go), it
// also returns them.
func (a *Array) region(starts [][]int, lo, hi []int) (*dusk.Delayed[*Block], *rowBands) {
	n := len(a.shape)
	// Per axis, the input chunks overlapping [lo, hi), found by binary
	// search (a stage of many blocks costs no scan of every chunk for
	// each); for an empty block, a chunk strictly around lo or of length
	// 0 at lo.
	over := make([][]int, n)
	for k := range n {
		st := starts[k]
		nc := len(st) - 1
		if lo[k] == hi[k] {
			for c := range nc {
				if st[c] < lo[k] && st[c+1] > lo[k] || st[c] == st[c+1] && st[c] == lo[k] {
					over[k] = append(over[k], c)
				}
			}
		} else {
			c, _ := slices.BinarySearch(st[1:], lo[k]+1) // the first chunk ending after lo
			for ; c < nc && st[c] < hi[k]; c++ {
				if st[c+1] > st[c] {
					over[k] = append(over[k], c)
				}
			}
		}
		if len(over[k]) == 0 {
			over[k] = []int{0}
		}
	}
	sizes := make([]int, n)
	for k := range n {
		sizes[k] = len(over[k])
	}
	inGrid := a.grid()
	var pieces []*dusk.Delayed[*Block]
	var offsets, counts [][]int
	gridIndexes(sizes, func(oi []int, _ int) {
		in := make([]int, n)
		from, count, at := make([]int, n), make([]int, n), make([]int, n)
		whole := true
		for k := range n {
			c := over[k][oi[k]]
			in[k] = c
			b0, b1 := starts[k][c], starts[k][c+1]
			s, e := max(b0, lo[k]), min(b1, hi[k])
			from[k], count[k], at[k] = s-b0, max(e-s, 0), s-lo[k]
			whole = whole && s == b0 && e == b1
		}
		src := a.blockList()[flatIndex(inGrid, in)]
		if !whole {
			src = dusk.Call[*Block](fnSliceBlock, src, from, ones(n), count, []int(nil))
		}
		pieces, offsets, counts = append(pieces, src), append(offsets, at), append(counts, count)
	})
	shape := make([]int, n)
	for k := range n {
		shape[k] = hi[k] - lo[k]
	}
	if len(pieces) == 1 && slices.Equal(offsets[0], make([]int, n)) {
		return pieces[0], nil // one piece, the whole region
	}
	return dusk.Call[*Block](fnAssemble, pieces, offsets, shape), rowBandsOf(pieces, offsets, counts, shape)
}

func ones(n int) []int {
	v := make([]int, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

// assemble places pieces at their offsets in a block of shape.
func assemble(pieces []*Block, offsets [][]int, shape []int) (*Block, error) {
	if len(pieces) == 0 || len(pieces) != len(offsets) {
		return nil, fmt.Errorf("array: assembling %d pieces at %d offsets", len(pieces), len(offsets))
	}
	// The pieces of a region tile it (region makes them so): every
	// element of out is written, so it need not be zeroed first.
	covered := 0
	for _, p := range pieces {
		covered += p.Len()
	}
	var out *Block
	if covered == prod(shape) {
		out = newBlockUnzeroed(pieces[0].DType, shape)
	} else {
		out = newBlock(pieces[0].DType, shape)
	}
	for i, p := range pieces {
		place(out, p, offsets[i])
	}
	return out, nil
}

// Reshape gives the array another shape of as many elements, in C order,
// as NumPy's reshape; one length may be -1 (inferred). It needs blocks
// that are runs of whole rows: every axis but the first in one chunk, in
// the array and in the result (or the array in one block). Otherwise it
// says how to rechunk first.
func (a *Array) Reshape(shape ...int) (*Array, error) {
	shape = slices.Clone(shape)
	infer, known := -1, 1
	for i, n := range shape {
		switch {
		case n == -1 && infer == -1:
			infer = i
		case n < 0:
			return nil, fmt.Errorf("array: Reshape of %s to %v: one length at most may be -1, none negative", a, shape)
		default:
			known *= n
		}
	}
	if infer >= 0 {
		if known == 0 || a.Size()%known != 0 {
			return nil, fmt.Errorf("array: Reshape of %s to %v: %d elements do not divide into it", a, shape, a.Size())
		}
		shape[infer] = a.Size() / known
	}
	if prod(shape) != a.Size() {
		return nil, fmt.Errorf("array: Reshape of %s (%d elements) to %v (%d)", a, a.Size(), shape, prod(shape))
	}
	if slices.Equal(shape, a.shape) {
		return a, nil
	}
	out := &Array{c: a.c, dtype: a.dtype, shape: shape}
	if len(a.blocks) == 1 {
		out.chunks = make([][]int, len(shape))
		for i, n := range shape {
			out.chunks[i] = []int{n}
		}
		out.blocks = []*dusk.Delayed[*Block]{dusk.Call[*Block](fnReshape, a.blockList()[0], shape)}
		return out, nil
	}
	rowsWhole := func(chunks [][]int) bool {
		for _, c := range chunks[1:] {
			if len(c) != 1 {
				return false
			}
		}
		return len(chunks) > 0
	}
	if !rowsWhole(a.chunks) || len(shape) == 0 {
		return nil, fmt.Errorf("array: Reshape of %s to %v needs every axis but the first in one chunk: Rechunk first (By(n, -1, ...))", a, shape)
	}
	in := prod(a.shape[1:]) // elements per row of the array
	row := prod(shape[1:])  // per row of the result
	out.chunks = make([][]int, len(shape))
	for i, n := range shape[1:] {
		out.chunks[i+1] = []int{n}
	}
	for i, c := range a.chunks[0] {
		if c*in%max(row, 1) != 0 {
			return nil, fmt.Errorf("array: Reshape of %s to %v: block %d holds %d elements, not a whole number of the result's rows of %d; Rechunk axis 0 first so that every chunk holds a multiple of %d elements", a, shape, i, c*in, row, row)
		}
		out.chunks[0] = append(out.chunks[0], c*in/max(row, 1))
	}
	out.blocks = make([]*dusk.Delayed[*Block], len(a.blocks))
	for i, b := range a.blockList() {
		s := slices.Clone(shape)
		s[0] = out.chunks[0][i]
		out.blocks[i] = dusk.Call[*Block](fnReshape, b, s)
	}
	return out, nil
}
