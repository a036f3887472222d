package array

import (
	"fmt"
	"slices"

	"github.com/dusk-go/dusk"
)

// SplitEvery is how many partial results one task of a tree reduction
// combines: each node's input stays bounded however many blocks there
// are.
const SplitEvery = 8

// narrow combines partial results, SplitEvery at a time in groups as
// even as can be (9 go as 5 and 4, not 8 and 1), level after level, until
// at most SplitEvery are left: the inner levels of a tree reduction.
func narrow[P any](parts []*dusk.Delayed[P], combine func([]*dusk.Delayed[P]) *dusk.Delayed[P]) []*dusk.Delayed[P] {
	for len(parts) > SplitEvery {
		groups := (len(parts) + SplitEvery - 1) / SplitEvery
		size := (len(parts) + groups - 1) / groups
		var next []*dusk.Delayed[P]
		for lo := 0; lo < len(parts); lo += size {
			next = append(next, combine(parts[lo:min(lo+size, len(parts))]))
		}
		parts = next
	}
	return parts
}

// Sum returns the sum over the given axes (every axis if none); sums of
// integers and bools are int64. The result has the other axes.
func (a *Array) Sum(axes ...int) (*Array, error) { return a.reduce(redSum, axes) }

// Min returns the smallest element over the given axes (every axis if
// none); a NaN wins, as in NumPy.
func (a *Array) Min(axes ...int) (*Array, error) { return a.reduce(redMin, axes) }

// Max returns the largest element over the given axes (see Min).
func (a *Array) Max(axes ...int) (*Array, error) { return a.reduce(redMax, axes) }

// Mean returns the mean over the given axes (every axis if none), as
// float64 (float32 for float32 arrays).
func (a *Array) Mean(axes ...int) (*Array, error) {
	ax, err := a.axes(axes)
	if err != nil {
		return nil, err
	}
	dt := Float64
	if a.dtype == Float32 {
		dt = Float32
	}
	x, err := a.Astype(dt)
	if err != nil {
		return nil, err
	}
	s, err := x.reduce(redSum, ax)
	if err != nil {
		return nil, err
	}
	n := 1
	for _, i := range ax {
		n *= a.shape[i]
	}
	if n == 0 {
		return nil, fmt.Errorf("array: Mean over axes %v of %s: no elements", ax, a)
	}
	return s.Div(float64(n))
}

// axes checks and sorts axes (every axis if none; negative ones count
// from the end).
func (a *Array) axes(axes []int) ([]int, error) {
	if len(axes) == 0 {
		out := make([]int, len(a.shape))
		for i := range out {
			out[i] = i
		}
		return out, nil
	}
	var out []int
	for _, ax := range axes {
		if ax < 0 {
			ax += len(a.shape)
		}
		if ax < 0 || ax >= len(a.shape) {
			return nil, fmt.Errorf("array: axis %d is out of range for %s (%d axes)", ax, a, len(a.shape))
		}
		if slices.Contains(out, ax) {
			return nil, fmt.Errorf("array: axis %d given twice", ax)
		}
		out = append(out, ax)
	}
	slices.Sort(out)
	return out, nil
}

// reduce reduces every block over axes (a task each, which fuses with
// what made the block), then combines the partial results of the blocks
// that differ only along those axes, SplitEvery at a time, up to one per
// group: the result's block.
func (a *Array) reduce(op string, axes []int) (*Array, error) {
	ax, err := a.axes(axes)
	if err != nil {
		return nil, err
	}
	if op != redSum && a.Size() == 0 {
		return nil, fmt.Errorf("array: %s of the empty array %s: it has no identity", op, a)
	}
	dt := reducedType(op, a.dtype)
	return a.treeReduce(dt, ax, func(i int) *dusk.Delayed[*Block] {
		if a.exprs != nil && a.exprs[i] != nil {
			// The expression evaluated in the first stage: the block
			// itself is never made.
			return a.reduceExpr(op, ax, i)
		}
		if a.reduceMade != nil {
			return a.reduceMade(op, ax, i)
		}
		if a.bands != nil && a.bands[i] != nil && op == redSum && a.dtype == Float64 && len(ax) == len(a.shape) {
			return dusk.Call[*Block](fnSumBands, a.bands[i].pieces, len(a.shape))
		}
		return dusk.Call[*Block](fnReduce, op, a.blockList()[i], ax)
	}, func(parts []*dusk.Delayed[*Block]) *dusk.Delayed[*Block] {
		return dusk.Call[*Block](fnCombine, op, parts, []int(nil))
	}, func(parts []*dusk.Delayed[*Block]) *dusk.Delayed[*Block] {
		return dusk.Call[*Block](fnCombine, op, parts, ax)
	}), nil
}

// treeReduce builds a tree reduction over axes ax into an array of type
// dt: leaf makes the partial result of block i (a task that fuses with
// what made the block), the partial results of the blocks that differ only
// along ax are combined SplitEvery at a time by combine, and last makes
// each result block of the final (at most SplitEvery) partial results.
func (a *Array) treeReduce(dt DType, ax []int, leaf func(i int) *dusk.Delayed[*Block],
	combine, last func([]*dusk.Delayed[*Block]) *dusk.Delayed[*Block]) *Array {
	var shape []int
	var chunks [][]int
	for i, n := range a.shape {
		if !slices.Contains(ax, i) {
			shape, chunks = append(shape, n), append(chunks, slices.Clone(a.chunks[i]))
		}
	}
	out := &Array{c: a.c, dtype: dt, shape: shape, chunks: chunks}
	outGrid := out.grid()
	groups := make([][]*dusk.Delayed[*Block], prod(outGrid))
	keep := make([]int, 0, len(shape))
	gridIndexes(a.grid(), func(idx []int, i int) {
		keep = keep[:0]
		for k, x := range idx {
			if !slices.Contains(ax, k) {
				keep = append(keep, x)
			}
		}
		g := flatIndex(outGrid, keep)
		groups[g] = append(groups[g], leaf(i))
	})
	out.blocks = make([]*dusk.Delayed[*Block], len(groups))
	for g, parts := range groups {
		out.blocks[g] = last(narrow(parts, combine))
	}
	return out
}

// Any reports over the given axes (every axis if none) whether any
// element is non-zero (true).
func (a *Array) Any(axes ...int) (*Array, error) {
	b, err := a.Astype(Bool)
	if err != nil {
		return nil, err
	}
	return b.reduce(redMax, axes)
}

// All reports over the given axes (every axis if none) whether every
// element is non-zero (true).
func (a *Array) All(axes ...int) (*Array, error) {
	b, err := a.Astype(Bool)
	if err != nil {
		return nil, err
	}
	return b.reduce(redMin, axes)
}

// Count returns the number of elements that are not NaN over the given
// axes (every axis if none), as int64, as xarray's count.
func (a *Array) Count(axes ...int) (*Array, error) {
	present, err := a.Eq(a) // false only for a NaN
	if err != nil {
		return nil, err
	}
	return present.Sum(axes...)
}
