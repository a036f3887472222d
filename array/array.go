package array

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/dusk-go/dusk"
)

// Array is a chunked n-dimensional array on a cluster: a grid of blocks,
// each the lazy result of a task (nothing runs until Compute or
// Persist). Operations return new arrays; an Array is never changed.
type Array struct {
	c      *dusk.Client
	dtype  DType
	shape  []int
	chunks [][]int                 // per axis, the lengths of its chunks
	blocks []*dusk.Delayed[*Block] // the grid's blocks, in C order
	// exprs holds, for an array made by element-wise steps, each block's
	// expression (expr.go), which later steps extend and a reduction
	// evaluates in its first stage; nil otherwise. Such an array's blocks
	// are made from them when first read (blockList), so that an array
	// only extended never has tasks of its own.
	exprs []*expr
	// transposeOf is, for an array Transpose made, the array transposed
	// and the order of its axes: its blocks are made from them when first
	// read (blockList), and an element-wise expression reads a block of
	// a two-axis transpose as its source block, transposed in the
	// expression's task (expr.go).
	transposeOf *transposed
	makeTasks   sync.Once
	// remake is, for an array whose blocks are cheap to make from nothing
	// (Full, Zeros, Ones, Arange, Linspace, Random), a new task making
	// block i: an element-wise expression reading the block makes it in
	// its own task with it (remade.go); nil otherwise. Transposed, it
	// makes the block's transpose, or returns nil when it cannot.
	remake func(i int, transposed bool) *dusk.Delayed[*Block]
	// reduceMade is, for an array made by Random, a task reducing block i
	// with op over axes ax that makes the block band by band as it
	// reduces it, never whole (randomreduce.go); nil otherwise.
	reduceMade func(op string, ax []int, i int) *dusk.Delayed[*Block]
	// bands holds, for an array a rechunk made, the pieces of each block
	// assembled from whole rows of it (nil for the others), which a sum
	// reads without assembling the block (rowbands.go); nil otherwise.
	bands []*rowBands
	// persisted holds the blocks' futures of an array that Persist
	// returned (what Publish names); nil otherwise.
	persisted []*dusk.AnyFuture
}

// DType returns the type of the elements.
func (a *Array) DType() DType { return a.dtype }

// Shape returns the length of each axis.
func (a *Array) Shape() []int { return slices.Clone(a.shape) }

// Chunks returns, for each axis, the lengths of its chunks.
func (a *Array) Chunks() [][]int {
	out := make([][]int, len(a.chunks))
	for i, c := range a.chunks {
		out[i] = slices.Clone(c)
	}
	return out
}

// NDim returns the number of axes.
func (a *Array) NDim() int { return len(a.shape) }

// Size returns the number of elements.
func (a *Array) Size() int { return prod(a.shape) }

// NBytes returns the bytes of all the elements.
func (a *Array) NBytes() int64 { return int64(a.Size()) * int64(a.dtype.Size()) }

// NumBlocks returns the number of blocks.
func (a *Array) NumBlocks() int { return len(a.blocks) }

// Blocks returns the blocks' lazy values, in the C order of the chunk
// grid, for use with dusk's own Compute, Persist or Call.
func (a *Array) Blocks() []*dusk.Delayed[*Block] { return slices.Clone(a.blockList()) }

// String describes the array as Dask's repr does: shape, type, chunks,
// bytes and tasks.
func (a *Array) String() string {
	var cs []string
	for _, c := range a.chunks {
		if len(c) == 0 {
			cs = append(cs, "()")
			continue
		}
		cs = append(cs, fmt.Sprintf("%d", c[0]))
	}
	return fmt.Sprintf("array<shape=%v, dtype=%s, chunksize=(%s), blocks=%d, bytes=%s>",
		a.shape, a.dtype, strings.Join(cs, ", "), len(a.blocks), formatBytes(a.NBytes()))
}

func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// grid returns the number of chunks along each axis.
func (a *Array) grid() []int {
	g := make([]int, len(a.chunks))
	for i, c := range a.chunks {
		g[i] = len(c)
	}
	return g
}

// gridIndexes calls f with every block's grid index and its position in
// C order.
func gridIndexes(grid []int, f func(idx []int, i int)) {
	n := prod(grid)
	idx := make([]int, len(grid))
	for i := range n {
		f(idx, i)
		for k := len(grid) - 1; k >= 0; k-- {
			if idx[k]++; idx[k] < grid[k] {
				break
			}
			idx[k] = 0
		}
	}
}

// flatIndex returns the C-order position of a grid index.
func flatIndex(grid, idx []int) int {
	p := 0
	for i, n := range grid {
		p = p*n + idx[i]
	}
	return p
}

// unflatIndex returns the grid index of C-order position i (the inverse
// of flatIndex).
func unflatIndex(grid []int, i int) []int {
	idx := make([]int, len(grid))
	for k, rest := len(grid)-1, i; k >= 0; k-- {
		idx[k] = rest % grid[k]
		rest /= grid[k]
	}
	return idx
}

// blockShape returns the shape of the block at grid index idx.
func blockShape(chunks [][]int, idx []int) []int {
	s := make([]int, len(chunks))
	for i, c := range chunks {
		s[i] = c[idx[i]]
	}
	return s
}

// blockOffset returns where the block at grid index idx starts.
func blockOffset(chunks [][]int, idx []int) []int {
	o := make([]int, len(chunks))
	for i, c := range chunks {
		for _, n := range c[:idx[i]] {
			o[i] += n
		}
	}
	return o
}

// Compute runs the array's tasks and returns its elements, gathered into
// one dense value here.
func (a *Array) Compute(ctx context.Context, opts ...dusk.ComputeOption) (*Dense, error) {
	vals, err := dusk.ComputeAll(ctx, a.c, a.lazies(), computeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	out := &Dense{DType: a.dtype, Shape: slices.Clone(a.shape), block: newBlock(a.dtype, a.shape)}
	grid := a.grid()
	var ferr error
	gridIndexes(grid, func(idx []int, i int) {
		b, ok := vals[i].(*Block)
		if ferr != nil {
			return
		}
		want := blockShape(a.chunks, idx)
		if !ok || b.DType != a.dtype || !slices.Equal(b.Shape, want) {
			ferr = fmt.Errorf("array: block %v came back as %v, want a %s block of shape %v", idx, describeValue(vals[i]), a.dtype, want)
			return
		}
		place(out.block, b, blockOffset(a.chunks, idx))
	})
	if ferr != nil {
		return nil, ferr
	}
	return out, nil
}

func describeValue(v any) string {
	if b, ok := v.(*Block); ok {
		return fmt.Sprintf("a %s block of shape %v", b.DType, b.Shape)
	}
	return fmt.Sprintf("%T", v)
}

// place copies block b into dst at offset, one contiguous run (along the
// last axis) at a time.
func place(dst, b *Block, offset []int) {
	_ = forEachRun(dst.Shape, offset, b.Shape, dst.DType.Size(), func(at int64, from, n int) error {
		copy(dst.data[at:at+int64(n)], b.data[from:from+n])
		return nil
	})
}

// Persist runs the array's tasks and keeps the blocks on the workers: the
// array returned reads them from there.
func (a *Array) Persist(ctx context.Context, opts ...dusk.ComputeOption) (*Array, error) {
	fs, err := dusk.PersistAll(ctx, a.c, a.lazies(), computeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	out := a.like(a.dtype)
	for i, f := range fs {
		out.blocks[i] = dusk.Call[*Block](fnSame, f)
	}
	out.persisted = fs
	return out, nil
}

// Wait blocks until every block of an array Persist returned is in
// memory on the workers, or returns the first block's error (or ctx's).
// An array that was not persisted has nothing to wait for.
func (a *Array) Wait(ctx context.Context) error {
	if err := dusk.Wait(ctx, a.persisted...); err != nil {
		return fmt.Errorf("array: waiting for the persisted blocks of %s: %w", a, err)
	}
	return nil
}

// like returns an array of a's shape and chunks, of type dt, with no
// blocks yet.
func (a *Array) like(dt DType) *Array {
	return &Array{c: a.c, dtype: dt, shape: slices.Clone(a.shape), chunks: a.Chunks(), blocks: make([]*dusk.Delayed[*Block], len(a.blocks))}
}
