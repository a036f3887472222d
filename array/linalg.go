package array

import (
	"fmt"
	"slices"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/array/internal/gemm"
)

var (
	fnTensordot = dusk.Register("array.tensordot", tensordotBlocks)
)

// DotGroup is how many block products one task of Tensordot adds up
// into its block: products of 2000² float64 blocks take about 0.3 s each
// here, and a group's task holds 2·DotGroup operand blocks; with 4, an
// 8000² by 8000² product in 2000² blocks is one task per result block,
// none of whose products travels between workers.
const DotGroup = 4

// Tensordot sums the products of a's and b's elements over the pairs of
// axes aAxes[i], bAxes[i], as NumPy's tensordot: the result has a's other
// axes, then b's. Contracted axes must have the same length and chunks.
// Each result block sums, SplitEvery at a time, the products of the
// blocks along the contracted axes (float64 and float32 blocks multiply
// with package gemm's kernels, on one core a task; integers in int64).
func Tensordot(a, b *Array, aAxes, bAxes []int) (*Array, error) {
	if a.c != b.c {
		return nil, fmt.Errorf("array: Tensordot of arrays of two different clients")
	}
	if len(aAxes) != len(bAxes) {
		return nil, fmt.Errorf("array: Tensordot of %s and %s over %v and %v: give as many axes of each", a, b, aAxes, bAxes)
	}
	ca, err := a.axesInOrder(aAxes)
	if err != nil {
		return nil, err
	}
	cb, err := b.axesInOrder(bAxes)
	if err != nil {
		return nil, err
	}
	for i := range ca {
		if a.shape[ca[i]] != b.shape[cb[i]] || !slices.Equal(a.chunks[ca[i]], b.chunks[cb[i]]) {
			return nil, fmt.Errorf("array: Tensordot of %s and %s: axis %d of one (%d long, chunks %v) and %d of the other (%d, %v) differ; give them the same length and chunks",
				a, b, ca[i], a.shape[ca[i]], a.chunks[ca[i]], cb[i], b.shape[cb[i]], b.chunks[cb[i]])
		}
	}
	// Integers (and bools) multiply and sum in int64, which does not
	// overflow where NumPy's int32 would.
	dt := Promote(a.dtype, b.dtype)
	if !dt.isFloat() {
		dt = Int64
	}
	freeA, freeB := others(len(a.shape), ca), others(len(b.shape), cb)
	out := &Array{c: a.c, dtype: dt}
	for _, i := range freeA {
		out.shape, out.chunks = append(out.shape, a.shape[i]), append(out.chunks, slices.Clone(a.chunks[i]))
	}
	for _, i := range freeB {
		out.shape, out.chunks = append(out.shape, b.shape[i]), append(out.chunks, slices.Clone(b.chunks[i]))
	}
	// The grid of the contracted axes' blocks.
	cgrid := make([]int, len(ca))
	for i, ax := range ca {
		cgrid[i] = len(a.chunks[ax])
	}
	grid, gA, gB := out.grid(), a.grid(), b.grid()
	out.blocks = make([]*dusk.Delayed[*Block], prod(grid))
	gridIndexes(grid, func(idx []int, i int) {
		// The pairs of blocks along the contracted axes, DotGroup of them
		// a task (adding its products into one block), then the tasks'
		// sums combined as a tree.
		var as, bs, parts []*dusk.Delayed[*Block]
		flush := func() {
			parts = append(parts, dusk.Call[*Block](fnTensordot, as, bs, ca, cb, dt))
			as, bs = nil, nil
		}
		gridIndexes(cgrid, func(k []int, _ int) {
			ia, ib := make([]int, len(a.shape)), make([]int, len(b.shape))
			for j, ax := range freeA {
				ia[ax] = idx[j]
			}
			for j, ax := range freeB {
				ib[ax] = idx[len(freeA)+j]
			}
			for j := range ca {
				ia[ca[j]], ib[cb[j]] = k[j], k[j]
			}
			as, bs = append(as, a.blockList()[flatIndex(gA, ia)]), append(bs, b.blockList()[flatIndex(gB, ib)])
			if len(as) == DotGroup {
				flush()
			}
		})
		if len(as) > 0 {
			flush()
		}
		parts = narrow(parts, func(ps []*dusk.Delayed[*Block]) *dusk.Delayed[*Block] {
			return dusk.Call[*Block](fnCombine, redSum, ps, []int(nil))
		})
		if len(parts) == 1 {
			out.blocks[i] = parts[0]
		} else {
			out.blocks[i] = dusk.Call[*Block](fnCombine, redSum, parts, []int(nil))
		}
	})
	return out, nil
}

// Dot is NumPy's dot for arrays of one or two axes: the inner product of
// two vectors, a matrix times a vector, or a matrix product.
func Dot(a, b *Array) (*Array, error) {
	if len(a.shape) == 0 || len(b.shape) == 0 || len(a.shape) > 2 || len(b.shape) > 2 {
		return nil, fmt.Errorf("array: Dot of %s and %s: give arrays of one or two axes (Tensordot takes more)", a, b)
	}
	// a's last axis with b's first (its only one, or its rows).
	return Tensordot(a, b, []int{len(a.shape) - 1}, []int{0})
}

// MatMul is the matrix product of two arrays of two axes.
func MatMul(a, b *Array) (*Array, error) {
	if len(a.shape) != 2 || len(b.shape) != 2 {
		return nil, fmt.Errorf("array: MatMul of %s and %s: give two arrays of two axes", a, b)
	}
	return Dot(a, b)
}

// axesInOrder checks axes (negative ones from the end), keeping their
// order.
func (a *Array) axesInOrder(axes []int) ([]int, error) {
	out := make([]int, len(axes))
	for i, ax := range axes {
		if ax < 0 {
			ax += len(a.shape)
		}
		if ax < 0 || ax >= len(a.shape) || slices.Contains(out[:i], ax) {
			return nil, fmt.Errorf("array: axes %v of %s: out of range or repeated", axes, a)
		}
		out[i] = ax
	}
	return out, nil
}

// others returns the axes of an n-axis array not in ax, in order.
func others(n int, ax []int) []int {
	var out []int
	for i := range n {
		if !slices.Contains(ax, i) {
			out = append(out, i)
		}
	}
	return out
}

// tensordotBlocks contracts pairs of blocks (as[i] with bs[i]) over the
// axis pairs and sums their products, in type dt.
func tensordotBlocks(as, bs []*Block, ca, cb []int, dt DType) (*Block, error) {
	if len(as) == 0 || len(as) != len(bs) {
		return nil, fmt.Errorf("array: contracting %d blocks with %d", len(as), len(bs))
	}
	var out *Block
	for i := range as {
		if err := contract(as[i], bs[i], ca, cb, dt, &out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// contract adds to *out (made on the first call) the contraction of a
// and b over the axis pairs, in type dt: it reads a as a (free ×
// contracted) matrix and b as (contracted × free), and multiplies them. A
// float block whose axes are in that order, or in the reverse one (a
// transposed matrix: x.T's blocks), is read where it is; others are
// copied in order first.
func contract(a, b *Block, ca, cb []int, dt DType, out **Block) error {
	freeA, freeB := others(len(a.Shape), ca), others(len(b.Shape), cb)
	m, n := 1, 1
	var shape []int
	for _, i := range freeA {
		m *= a.Shape[i]
		shape = append(shape, a.Shape[i])
	}
	for _, i := range freeB {
		n *= b.Shape[i]
		shape = append(shape, b.Shape[i])
	}
	k := 1
	for i, ax := range ca {
		if a.Shape[ax] != b.Shape[cb[i]] {
			return fmt.Errorf("array: contracting blocks of shapes %v and %v over axes %v and %v", a.Shape, b.Shape, ca, cb)
		}
		k *= a.Shape[ax]
	}
	if *out == nil {
		*out = newBlock(dt, shape)
	} else if !slices.Equal((*out).Shape, shape) {
		return fmt.Errorf("array: adding a product of blocks of shapes %v and %v to one of shape %v", a.Shape, b.Shape, (*out).Shape)
	}
	if m == 0 || n == 0 || k == 0 {
		return nil
	}
	if !dt.isFloat() {
		am := inOrder(astype(a, dt), append(slices.Clone(freeA), ca...))
		bm := inOrder(astype(b, dt), append(slices.Clone(cb), freeB...))
		x, y, z := values[int64](am), values[int64](bm), values[int64](*out)
		for i := range m {
			for l := range k {
				v := x[i*k+l]
				if v == 0 {
					continue
				}
				row := y[l*n : (l+1)*n]
				for j, w := range row {
					z[i*n+j] += v * w
				}
			}
		}
		return nil
	}
	am, tA := asMatrix(astype(a, dt), freeA, ca)
	bm, tB := asMatrix(astype(b, dt), cb, freeB)
	// A row-major m×k matrix has row stride k, its transpose m; likewise
	// for b. The output starts at zero: each product adds to it (beta 1).
	lda, ldb := k, n
	if tA {
		lda = m
	}
	if tB {
		ldb = k
	}
	switch dt {
	case Float64:
		gemm.Dgemm(tA, tB, m, n, k, 1, values[float64](am), lda, values[float64](bm), ldb, 1, values[float64](*out), n)
	case Float32:
		gemm.Sgemm(tA, tB, m, n, k, 1, values[float32](am), lda, values[float32](bm), ldb, 1, values[float32](*out), n)
	}
	return nil
}

// asMatrix lays b out as the matrix of its axes rows then cols (each a
// list of b's axes): b itself, with false, when its axes are in that
// order; b itself, with true (read it transposed), when they are in the
// order cols then rows; else a copy in order.
func asMatrix(b *Block, rows, cols []int) (*Block, bool) {
	if isIdentity(append(slices.Clone(cols), rows...)) && !isIdentity(append(slices.Clone(rows), cols...)) {
		return b, true
	}
	return inOrder(b, append(slices.Clone(rows), cols...)), false
}

// isIdentity says whether perm is 0, 1, 2, ...
func isIdentity(perm []int) bool {
	for i, p := range perm {
		if p != i {
			return false
		}
	}
	return true
}

// inOrder returns b with its axes in the order perm gives: b itself when
// they are in that order already (a matrix product's operands, most
// often), else a transposed copy.
func inOrder(b *Block, perm []int) *Block {
	for i, p := range perm {
		if p != i {
			return transposeBlock(b, perm)
		}
	}
	return b
}
