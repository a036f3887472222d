package array

import (
	"fmt"
	"slices"

	"github.com/dusk-go/dusk"
)

// scalarBlock returns a block of one element holding v, which must be a
// Go number or bool; Go's int is an int64.
func scalarBlock(v any) (*Block, error) {
	switch x := v.(type) {
	case float64:
		return blockOf([]float64{x}, nil), nil
	case float32:
		return blockOf([]float32{x}, nil), nil
	case int64:
		return blockOf([]int64{x}, nil), nil
	case int:
		return blockOf([]int64{int64(x)}, nil), nil
	case int32:
		return blockOf([]int32{x}, nil), nil
	case bool:
		return blockOf([]bool{x}, nil), nil
	}
	return nil, fmt.Errorf("array: %v (%T) is not a scalar: give a float64, float32, int, int64, int32 or bool", v, v)
}

// newArray returns an array of shape, type dt and the given chunks whose
// block at grid index idx is mk(idx, its shape, its offset, its position).
func newArray(c *dusk.Client, shape []int, chunks Chunks, dt DType, mk func(idx, shape, offset []int, i int) *dusk.Delayed[*Block]) (*Array, error) {
	cs, err := chunks.resolve(shape, dt)
	if err != nil {
		return nil, err
	}
	a := &Array{c: c, dtype: dt, shape: slices.Clone(shape), chunks: cs}
	grid := a.grid()
	a.blocks = make([]*dusk.Delayed[*Block], prod(grid))
	gridIndexes(grid, func(idx []int, i int) {
		a.blocks[i] = mk(idx, blockShape(cs, idx), blockOffset(cs, idx), i)
	})
	return a, nil
}

// Full returns an array of shape filled with value (a float64, float32,
// int, int64, int32 or bool, which sets the type). Blocks are made on the
// workers.
func Full(c *dusk.Client, shape []int, chunks Chunks, value any) (*Array, error) {
	v, err := scalarBlock(value)
	if err != nil {
		return nil, err
	}
	return newMadeArray(c, shape, chunks, v.DType, func(_, s, _ []int, _ int, transposed bool) *dusk.Delayed[*Block] {
		if transposed {
			if len(s) != 2 {
				return nil
			}
			s = []int{s[1], s[0]}
		}
		return dusk.Call[*Block](fnFull, v, s)
	})
}

// Zeros returns an array of shape and type dt filled with zeros.
func Zeros(c *dusk.Client, shape []int, chunks Chunks, dt DType) (*Array, error) {
	return Full(c, shape, chunks, zeroOf(dt, false))
}

// Ones returns an array of shape and type dt filled with ones.
func Ones(c *dusk.Client, shape []int, chunks Chunks, dt DType) (*Array, error) {
	return Full(c, shape, chunks, zeroOf(dt, true))
}

func zeroOf(dt DType, one bool) any {
	n := 0
	if one {
		n = 1
	}
	switch dt {
	case Float64:
		return float64(n)
	case Float32:
		return float32(n)
	case Int64:
		return int64(n)
	case Int32:
		return int32(n)
	case Bool:
		return one
	}
	return fmt.Sprintf("unknown dtype %d", dt) // refused by Full
}

// Arange returns the int64 array start, start+step, ... below stop (above
// it for a negative step), as NumPy's arange of integers.
func Arange(c *dusk.Client, start, stop, step int64, chunks Chunks) (*Array, error) {
	if step == 0 {
		return nil, fmt.Errorf("array: Arange(%d, %d, %d): the step cannot be 0", start, stop, step)
	}
	n := 0
	if step > 0 && stop > start {
		n = int((stop - start + step - 1) / step)
	} else if step < 0 && stop < start {
		n = int((start - stop - step - 1) / -step)
	}
	return newMadeArray(c, []int{n}, chunks, Int64, func(_, s, off []int, _ int, transposed bool) *dusk.Delayed[*Block] {
		if transposed {
			return nil
		}
		return dusk.Call[*Block](fnArange, start, step, off[0], s[0])
	})
}

// Linspace returns num float64s evenly spaced from start to stop (both
// included), as NumPy's linspace.
func Linspace(c *dusk.Client, start, stop float64, num int, chunks Chunks) (*Array, error) {
	if num < 0 {
		return nil, fmt.Errorf("array: Linspace with %d elements: give 0 or more", num)
	}
	step := 0.0
	if num > 1 {
		step = (stop - start) / float64(num-1)
	}
	return newMadeArray(c, []int{num}, chunks, Float64, func(_, s, off []int, _ int, transposed bool) *dusk.Delayed[*Block] {
		if transposed {
			return nil
		}
		return dusk.Call[*Block](fnLinear, start, stop, step, off[0], s[0], num)
	})
}

// Random returns an array of uniform float64s in [0, 1), made on the
// workers; the same seed and chunks give the same array (other chunks give
// other numbers). The numbers are SplitMix64's, each a function of the
// seed, its block's position in the grid and its index in the block
// (since 2026-12-06; math/rand/v2's PCG before, which gave other numbers
// for the same seed).
func Random(c *dusk.Client, shape []int, chunks Chunks, seed uint64) (*Array, error) {
	a, err := newMadeArray(c, shape, chunks, Float64, func(_, s, _ []int, i int, transposed bool) *dusk.Delayed[*Block] {
		if transposed {
			if len(s) != 2 {
				return nil
			}
			return dusk.Call[*Block](fnRandomT, seed, i, s)
		}
		return dusk.Call[*Block](fnRandom, seed, i, s)
	})
	if err != nil {
		return nil, err
	}
	cs, grid := a.chunks, a.grid()
	a.reduceMade = func(op string, ax []int, i int) *dusk.Delayed[*Block] {
		return dusk.Call[*Block](fnReduceRandom, op, seed, i, blockShape(cs, unflatIndex(grid, i)), ax)
	}
	return a, nil
}

// FromSlice returns an array of shape holding data (in C order), cut
// into blocks here and sent with the graph: for small arrays; make big
// ones on the workers (FromFunc, Random, readers).
func FromSlice[T Elem](c *dusk.Client, data []T, shape []int, chunks Chunks) (*Array, error) {
	if prod(shape) != len(data) {
		return nil, fmt.Errorf("array: FromSlice of %d elements with shape %v (%d elements)", len(data), shape, prod(shape))
	}
	whole := blockOf(data, shape)
	return newArray(c, shape, chunks, dtypeOf[T](), func(_, s, off []int, _ int) *dusk.Delayed[*Block] {
		b := newBlock(whole.DType, s)
		cut(b, whole, off)
		return dusk.Call[*Block](fnSame, b)
	})
}

// cut copies into b the part of src that starts at offset (the inverse of
// place).
func cut(b, src *Block, offset []int) {
	_ = forEachRun(src.Shape, offset, b.Shape, src.DType.Size(), func(at int64, to, n int) error {
		copy(b.data[to:to+n], src.data[at:at+int64(n)])
		return nil
	})
}

// BlockInfo tells a FromFunc function which block to make.
type BlockInfo struct {
	// Index is the block's position in the chunk grid; Offset the index of
	// its first element in the array; Shape its shape.
	Index, Offset, Shape []int
}

// FromFunc returns an array whose blocks the registered function fn makes
// on the workers, one call per block. fn takes a BlockInfo, then args
// (and may take a context first), and returns a *Block of type dt and the
// shape the BlockInfo says (NewBlock makes one); a block of another type
// or shape fails with an error naming it.
func FromFunc(c *dusk.Client, fn *dusk.Func, shape []int, chunks Chunks, dt DType, args ...any) (*Array, error) {
	if !dt.valid() {
		return nil, fmt.Errorf("array: FromFunc of an unknown dtype %d", dt)
	}
	return newArray(c, shape, chunks, dt, func(idx, s, off []int, _ int) *dusk.Delayed[*Block] {
		made := dusk.Call[*Block](fn, append([]any{BlockInfo{Index: slices.Clone(idx), Offset: off, Shape: s}}, args...)...)
		return dusk.Call[*Block](fnCheck, made, dt, s, slices.Clone(idx))
	})
}
