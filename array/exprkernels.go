package array

import (
	"fmt"
	"math"
	"slices"
)

// This file evaluates element-wise expressions (expr.go) on the workers:
// tile by tile, each step writing into a tile of scratch of its own that
// stays in the processor's cache, the last one into the output block (or
// into a reduction's accumulator). The leaves, blocks other tasks made,
// are read and never written.

// exprTile is the number of elements evaluated at a time: each step's
// scratch is a tile (16 KiB of float64s).
const exprTile = 2048

// evalExpr evaluates a program over its leaves into a new block of shape.
func evalExpr(p program, shape []int, leaves ...*Block) (*Block, error) {
	leaves, err := transposeLeaves(p, leaves)
	if err != nil {
		return nil, err
	}
	if err := checkProgram(p, shape, leaves); err != nil {
		return nil, err
	}
	out := newBlock(p.DType, shape)
	switch p.DType {
	case Float64:
		runExpr(p, leaves, values[float64](out))
	case Float32:
		runExpr(p, leaves, values[float32](out))
	case Int64:
		runExpr(p, leaves, values[int64](out))
	case Int32:
		runExpr(p, leaves, values[int32](out))
	}
	return out, nil
}

// evalExprReduce is a reduction's first stage over a program: the block
// the program makes, reduced over axes (kept as axes of length 1), as
// reduceBlock gives it. A sum, min or max over every axis never makes the
// block: each tile is reduced as it is made.
func evalExprReduce(op string, axes []int, p program, shape []int, leaves ...*Block) (*Block, error) {
	n := prod(shape)
	if len(axes) != len(shape) || n == 0 || reducedType(op, p.DType) != p.DType {
		b, err := evalExpr(p, shape, leaves...)
		if err != nil {
			return nil, err
		}
		return reduceBlock(op, b, axes)
	}
	leaves, err := transposeLeaves(p, leaves)
	if err != nil {
		return nil, err
	}
	if err := checkProgram(p, shape, leaves); err != nil {
		return nil, err
	}
	ones := make([]int, len(shape))
	for i := range ones {
		ones[i] = 1
	}
	out := newBlock(p.DType, ones)
	switch p.DType {
	case Float64:
		values[float64](out)[0] = reduceExpr[float64](op, p, leaves, n)
	case Float32:
		values[float32](out)[0] = reduceExpr[float32](op, p, leaves, n)
	case Int64:
		values[int64](out)[0] = reduceExpr[int64](op, p, leaves, n)
	case Int32:
		values[int32](out)[0] = reduceExpr[int32](op, p, leaves, n)
	}
	return out, nil
}

// transposeLeaves returns the leaves with those the program lists as
// transposed replaced by their transposes (new blocks: the leaves are
// never written).
func transposeLeaves(p program, leaves []*Block) ([]*Block, error) {
	if len(p.Transposed) == 0 {
		return leaves, nil
	}
	leaves = slices.Clone(leaves)
	done := make([]bool, len(leaves))
	for _, i := range p.Transposed {
		if i < 0 || i >= len(leaves) || done[i] || leaves[i] == nil || len(leaves[i].Shape) != 2 {
			return nil, fmt.Errorf("array: element-wise program: operand %d of %d cannot be transposed (a matrix, once)", i, len(leaves))
		}
		leaves[i], done[i] = transpose2(leaves[i]), true
	}
	return leaves, nil
}

// checkProgram makes sure a program fits its leaves: every operand
// numbered before its step, every leaf of the program's type and of the
// block's shape (or one element, a scalar), every operator known.
func checkProgram(p program, shape []int, leaves []*Block) error {
	if !p.DType.valid() || p.DType == Bool || len(p.Steps) == 0 {
		return fmt.Errorf("array: element-wise program of %s with %d steps: a program needs a numeric type and a step", p.DType, len(p.Steps))
	}
	for i, l := range leaves {
		if l == nil || l.DType != p.DType || l.Len() != 1 && !slices.Equal(l.Shape, shape) {
			return fmt.Errorf("array: element-wise program of %s over %v: operand %d is %s", p.DType, shape, i, describeValue(l))
		}
	}
	for k, s := range p.Steps {
		at := len(leaves) + k
		if s.A < 0 || s.A >= at || s.B >= at || s.B < -1 {
			return fmt.Errorf("array: element-wise program: step %d (%s) reads operands %d and %d, not made yet", k, s.Op, s.A, s.B)
		}
		if !fusible(s.Op, p.DType, p.DType) || (s.B == -1) != isUnaryOp(s.Op) {
			return fmt.Errorf("array: element-wise program: step %d is %s over %s with %d operands, which no kernel does", k, s.Op, p.DType, 2-boolInt(s.B == -1))
		}
	}
	return nil
}

func isUnaryOp(op string) bool {
	switch op {
	case opAdd, opSub, opMul, opDiv:
		return false
	}
	return true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// exprRun is one evaluation of a program: the leaves' elements and each
// step's tile of scratch.
type exprRun[T number] struct {
	p      program
	leaves [][]T
	scalar []bool // leaf i is one element applied to every element
	tiles  [][]T  // tiles[k]: step k's scratch
}

func newExprRun[T number](p program, leaves []*Block, n int) *exprRun[T] {
	r := &exprRun[T]{p: p, leaves: make([][]T, len(leaves)), scalar: make([]bool, len(leaves)), tiles: make([][]T, len(p.Steps))}
	for i, l := range leaves {
		r.leaves[i] = values[T](l)
		r.scalar[i] = len(r.leaves[i]) == 1 && n != 1
	}
	tile := min(exprTile, n)
	for k := range r.tiles {
		r.tiles[k] = make([]T, tile)
	}
	return r
}

// operand returns operand i over elements [lo, hi): its elements, or the
// scalar it is.
func (r *exprRun[T]) operand(i, lo, hi int) ([]T, T, bool) {
	if i < len(r.leaves) {
		if r.scalar[i] {
			return nil, r.leaves[i][0], true
		}
		return r.leaves[i][lo:hi], 0, false
	}
	return r.tiles[i-len(r.leaves)][:hi-lo], 0, false
}

// tile evaluates every step over elements [lo, hi) (at most a tile), the
// last step into last if it is not nil; it returns the last step's
// elements.
func (r *exprRun[T]) tile(lo, hi int, last []T) []T {
	var dst []T
	for k, s := range r.p.Steps {
		dst = r.tiles[k][:hi-lo]
		if k == len(r.p.Steps)-1 && last != nil {
			dst = last
		}
		x, xs, xScalar := r.operand(s.A, lo, hi)
		if s.B == -1 {
			unaryInto(s.Op, dst, x)
			continue
		}
		y, ys, yScalar := r.operand(s.B, lo, hi)
		switch {
		case yScalar:
			scalarInto(s.Op, dst, x, ys, true)
		case xScalar:
			scalarInto(s.Op, dst, y, xs, false)
		default:
			binaryInto(s.Op, dst, x, y)
		}
	}
	return dst
}

// runExpr evaluates a program over every element into out.
func runExpr[T number](p program, leaves []*Block, out []T) {
	r := newExprRun[T](p, leaves, len(out))
	for lo := 0; lo < len(out); lo += exprTile {
		hi := min(lo+exprTile, len(out))
		r.tile(lo, hi, out[lo:hi])
	}
}

// reduceExpr evaluates a program over n elements and reduces them all
// with op (sum, min or max; a NaN wins min and max, as in NumPy).
func reduceExpr[T number](op string, p program, leaves []*Block, n int) T {
	r := newExprRun[T](p, leaves, n)
	if op == redSum {
		if x, steps, ok := scalarChain(p, r); ok {
			return sumChain(x[:n], steps) // one pass (scalarchain.go)
		}
	}
	return reduceTiles(op, r, n)
}

// reduceTiles is reduceExpr's loop: the program evaluated a tile at a
// time, each step into its scratch, and each tile reduced.
func reduceTiles[T number](op string, r *exprRun[T], n int) T {
	var acc T
	for lo := 0; lo < n; lo += exprTile {
		hi := min(lo+exprTile, n)
		v := r.tile(lo, hi, nil)
		switch op {
		case redSum:
			acc += sumOf(v)
		default:
			m := extremeOf(op, v)
			if lo == 0 || acc == acc && (m != m || op == redMin && m < acc || op == redMax && m > acc) {
				acc = m
			}
		}
	}
	return acc
}

// extremeOf returns the min or max of v (not empty); a NaN wins.
func extremeOf[T number](op string, v []T) T {
	m := v[0]
	for _, x := range v[1:] {
		switch {
		case x != x:
			return x
		case op == redMin && x < m, op == redMax && x > m:
			m = x
		}
	}
	return m
}

// sumOf sums v with four accumulators, which a processor adds in
// parallel: element i to accumulator i mod 4. float64s on a CPU with AVX2
// go through the vector kernel of scalarchain_amd64.s (a chain of no
// steps) 32 at a time first: the same additions in the same order.
func sumOf[T number](v []T) T {
	var sv [4]T
	i := sumChainVector(v, nil, &sv)
	s0, s1, s2, s3 := sv[0], sv[1], sv[2], sv[3]
	for ; i+4 <= len(v); i += 4 {
		s0 += v[i]
		s1 += v[i+1]
		s2 += v[i+2]
		s3 += v[i+3]
	}
	for ; i < len(v); i++ {
		s0 += v[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// binaryInto computes x op y into dst (all of one length; dst may be x
// or y).
func binaryInto[T number](op string, dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	switch op {
	case opAdd:
		for i := range dst {
			dst[i] = x[i] + y[i]
		}
	case opSub:
		for i := range dst {
			dst[i] = x[i] - y[i]
		}
	case opMul:
		for i := range dst {
			dst[i] = x[i] * y[i]
		}
	case opDiv:
		for i := range dst {
			dst[i] = x[i] / y[i]
		}
	}
}

// scalarInto computes x op s (or s op x, with the scalar on the left) into
// dst.
func scalarInto[T number](op string, dst, x []T, s T, scalarRight bool) {
	x = x[:len(dst)]
	switch {
	case op == opAdd:
		for i, v := range x {
			dst[i] = v + s
		}
	case op == opMul:
		for i, v := range x {
			dst[i] = v * s
		}
	case op == opSub && scalarRight:
		for i, v := range x {
			dst[i] = v - s
		}
	case op == opSub:
		for i, v := range x {
			dst[i] = s - v
		}
	case op == opDiv && scalarRight:
		for i, v := range x {
			dst[i] = v / s
		}
	case op == opDiv:
		for i, v := range x {
			dst[i] = s / v
		}
	}
}

// unaryInto applies a unary function to x into dst: abs and neg in the
// type, the others through float64 (as unary does).
func unaryInto[T number](fn string, dst, x []T) {
	x = x[:len(dst)]
	switch fn {
	case "abs", "neg":
		absNeg(fn, dst, x)
		return
	case "sqrt":
		for i, v := range x {
			dst[i] = T(math.Sqrt(float64(v)))
		}
		return
	}
	f := unaries[fn]
	for i, v := range x {
		dst[i] = T(f(float64(v)))
	}
}
