package array

import (
	"slices"

	"github.com/dusk-go/dusk"
)

// Blocks that are cheap to make from nothing (those of Full, Zeros, Ones,
// Arange, Linspace and Random: a few nanoseconds an element, no input)
// are made again by each element-wise expression that reads them, in the
// expression's own task, rather than made once and moved to where they
// are read. In x + x.T, block (i, j) of the result reads blocks (i, j) and
// (j, i) of x, and block (j, i) reads them too: made once each, they were
// root tasks the scheduler placed apart, and one of each pair moved
// between workers (an 8 MB block copied on both sides and sent, where
// making it again takes a few milliseconds). Made in the task that reads
// them, no block of x moves, and none is stored. Dask does not do this
// (its graph makes each block once); the results are the same, as each
// block is a function of its position alone.
//
// A block read by a single expression is made once, as before (fusion
// inlined it into the expression's task then too); one read by several is
// made by each. A sum of Random's blocks makes them in its own task too,
// number by number (randomreduce.go). Blocks read otherwise (other
// reductions, a rechunk, a slice) are made once by their own task, as
// before.

// A block read transposed (x.T in x + x.T) is made transposed when its
// maker can (Random, Full): no transpose in the expression's task.

// maker makes a block of a cheap array from its grid index, shape, offset
// and position in C order; transposed, a matrix block's transpose, or nil
// when it cannot.
type maker func(idx, shape, offset []int, i int, transposed bool) *dusk.Delayed[*Block]

// newMadeArray is newArray for an array whose blocks are cheap to make:
// it also keeps how to make block i again (Array.remake).
func newMadeArray(c *dusk.Client, shape []int, chunks Chunks, dt DType, mk maker) (*Array, error) {
	a, err := newArray(c, shape, chunks, dt, func(idx, shape, offset []int, i int) *dusk.Delayed[*Block] {
		return mk(idx, shape, offset, i, false)
	})
	if err != nil {
		return nil, err
	}
	cs, grid := a.chunks, a.grid()
	a.remake = func(i int, transposed bool) *dusk.Delayed[*Block] {
		idx := unflatIndex(grid, i)
		return mk(slices.Clone(idx), blockShape(cs, idx), blockOffset(cs, idx), i, transposed)
	}
	return a, nil
}

// leafOf returns the leaf of an expression reading block i of a, as it
// is or transposed, made again in the expression's task when a's blocks
// are cheap to make.
func leafOf(a *Array, i int, transposed bool) *expr {
	e := &expr{block: a.blockList()[i], transposed: transposed}
	if a.remake != nil {
		e.remake = func(transposed bool) *dusk.Delayed[*Block] { return a.remake(i, transposed) }
	}
	return e
}
