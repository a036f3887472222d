package array

import (
	"fmt"
	"math"
	"slices"
)

// This file holds what tasks do to blocks: conversion, broadcasting,
// element-wise arithmetic and comparisons, and partial reductions.

// astype returns b converted to dt (b itself if it is of dt already).
// Floats become integers by truncation toward zero, as NumPy's astype.
func astype(b *Block, dt DType) *Block {
	if b.DType == dt {
		return b
	}
	out := newBlock(dt, b.Shape)
	switch b.DType {
	case Float64:
		convertTo(out, values[float64](b))
	case Float32:
		convertTo(out, values[float32](b))
	case Int64:
		convertTo(out, values[int64](b))
	case Int32:
		convertTo(out, values[int32](b))
	case Bool:
		src := values[bool](b)
		switch dt {
		case Float64:
			fromBool(values[float64](out), src)
		case Float32:
			fromBool(values[float32](out), src)
		case Int64:
			fromBool(values[int64](out), src)
		case Int32:
			fromBool(values[int32](out), src)
		}
	}
	return out
}

func convertTo[S number](out *Block, src []S) {
	switch out.DType {
	case Float64:
		conv(values[float64](out), src)
	case Float32:
		conv(values[float32](out), src)
	case Int64:
		conv(values[int64](out), src)
	case Int32:
		conv(values[int32](out), src)
	case Bool:
		dst := values[bool](out)
		for i, v := range src {
			dst[i] = v != 0
		}
	}
}

func conv[D, S number](dst []D, src []S) {
	for i, v := range src {
		dst[i] = D(v)
	}
}

func fromBool[D number](dst []D, src []bool) {
	for i, v := range src {
		if v {
			dst[i] = 1
		}
	}
}

// broadcastShape returns the shape NumPy's broadcasting gives a and b, or
// an error naming both.
func broadcastShape(a, b []int) ([]int, error) {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range n {
		x, y := dimFromEnd(a, n-1-i), dimFromEnd(b, n-1-i)
		switch {
		case x == y || y == 1:
			out[i] = x
		case x == 1:
			out[i] = y
		default:
			return nil, fmt.Errorf("array: shapes %v and %v do not broadcast: axis %d is %d in one and %d in the other", a, b, i, x, y)
		}
	}
	return out, nil
}

// dimFromEnd returns the length of the axis k places from the end of
// shape (1 if shape has fewer axes).
func dimFromEnd(shape []int, k int) int {
	if i := len(shape) - 1 - k; i >= 0 {
		return shape[i]
	}
	return 1
}

// broadcastTo returns b repeated to shape (b itself if it has it).
func broadcastTo(b *Block, shape []int) *Block {
	if slices.Equal(b.Shape, shape) {
		return b
	}
	out := newBlock(b.DType, shape)
	size := b.DType.Size()
	// The source's strides in bytes, 0 along broadcast axes.
	n := len(shape)
	strides := make([]int, n)
	st := size
	for i := n - 1; i >= 0; i-- {
		d := dimFromEnd(b.Shape, n-1-i)
		if d != 1 {
			strides[i] = st
		}
		st *= d
	}
	idx := make([]int, n)
	for o := 0; o < len(out.data); o += size {
		off := 0
		for i, x := range idx {
			off += x * strides[i]
		}
		copy(out.data[o:o+size], b.data[off:off+size])
		for i := n - 1; i >= 0; i-- {
			if idx[i]++; idx[i] < shape[i] {
				break
			}
			idx[i] = 0
		}
	}
	return out
}

// Binary operators.
const (
	opAdd = "add"
	opSub = "sub"
	opMul = "mul"
	opDiv = "div"
	opLt  = "lt"
	opLe  = "le"
	opGt  = "gt"
	opGe  = "ge"
	opEq  = "eq"
	opNe  = "ne"
)

func isComparison(op string) bool {
	switch op {
	case opLt, opLe, opGt, opGe, opEq, opNe:
		return true
	}
	return false
}

// resultType returns the type of a op b, or why there is none.
func resultType(op string, a, b DType) (DType, error) {
	switch {
	case isComparison(op):
		return Bool, nil
	case a == Bool && b == Bool:
		return 0, fmt.Errorf("array: %s of two bool arrays: convert one with Astype first", op)
	case op == opDiv:
		// True division, as NumPy's /: integers give floats.
		if t := Promote(a, b); t.isFloat() {
			return t, nil
		}
		return Float64, nil
	}
	return Promote(a, b), nil
}

// binaryOp computes a op b, broadcasting, in the promoted type.
func binaryOp(op string, a, b *Block) (*Block, error) {
	out, err := resultType(op, a.DType, b.DType)
	if err != nil {
		return nil, err
	}
	shape, err := broadcastShape(a.Shape, b.Shape)
	if err != nil {
		return nil, err
	}
	in := out
	if isComparison(op) {
		in = Promote(a.DType, b.DType)
		if in == Bool && op != opEq && op != opNe {
			in = Int32
		}
	}
	r := newBlock(out, shape)
	// A scalar against a block of the result's shape: no copy of the
	// scalar as large as the block.
	if in != Bool && (b.Len() == 1 && sameShape(a.Shape, shape) || a.Len() == 1 && sameShape(b.Shape, shape)) {
		scalarRight := b.Len() == 1 && sameShape(a.Shape, shape)
		blk, sc := astype(a, in), astype(b, in)
		if !scalarRight {
			blk, sc = sc, blk
		}
		switch in {
		case Float64:
			applyScalar(op, r, values[float64](blk), values[float64](sc)[0], scalarRight)
		case Float32:
			applyScalar(op, r, values[float32](blk), values[float32](sc)[0], scalarRight)
		case Int64:
			applyScalar(op, r, values[int64](blk), values[int64](sc)[0], scalarRight)
		case Int32:
			applyScalar(op, r, values[int32](blk), values[int32](sc)[0], scalarRight)
		}
		return r, nil
	}
	x := broadcastTo(astype(a, in), shape)
	y := broadcastTo(astype(b, in), shape)
	switch in {
	case Float64:
		apply(op, r, values[float64](x), values[float64](y))
	case Float32:
		apply(op, r, values[float32](x), values[float32](y))
	case Int64:
		apply(op, r, values[int64](x), values[int64](y))
	case Int32:
		apply(op, r, values[int32](x), values[int32](y))
	case Bool:
		xs, ys, rs := values[bool](x), values[bool](y), values[bool](r)
		for i := range rs {
			rs[i] = (xs[i] == ys[i]) == (op == opEq)
		}
	}
	return r, nil
}

// apply computes op over two same-length slices into r.
func apply[T number](op string, r *Block, x, y []T) {
	if isComparison(op) {
		out := values[bool](r)
		switch op {
		case opLt:
			for i := range out {
				out[i] = x[i] < y[i]
			}
		case opLe:
			for i := range out {
				out[i] = x[i] <= y[i]
			}
		case opGt:
			for i := range out {
				out[i] = x[i] > y[i]
			}
		case opGe:
			for i := range out {
				out[i] = x[i] >= y[i]
			}
		case opEq:
			for i := range out {
				out[i] = x[i] == y[i]
			}
		case opNe:
			for i := range out {
				out[i] = x[i] != y[i]
			}
		}
		return
	}
	binaryInto(op, values[T](r), x, y)
}

// applyScalar computes x op s (or s op x, when the scalar is on the
// left) into r.
func applyScalar[T number](op string, r *Block, x []T, s T, scalarRight bool) {
	if isComparison(op) {
		out := values[bool](r)
		if !scalarRight { // s op x is x op' s
			op = map[string]string{opLt: opGt, opLe: opGe, opGt: opLt, opGe: opLe, opEq: opEq, opNe: opNe}[op]
		}
		for i, v := range x {
			switch op {
			case opLt:
				out[i] = v < s
			case opLe:
				out[i] = v <= s
			case opGt:
				out[i] = v > s
			case opGe:
				out[i] = v >= s
			case opEq:
				out[i] = v == s
			case opNe:
				out[i] = v != s
			}
		}
		return
	}
	scalarInto(op, values[T](r), x, s, scalarRight)
}

// Unary functions; each gives floats (float32 stays float32).
var unaries = map[string]func(float64) float64{
	"sqrt": math.Sqrt, "exp": math.Exp, "log": math.Log, "sin": math.Sin, "cos": math.Cos,
}

// unary applies a named function element-wise. abs and neg keep the type;
// the others give floats.
func unary(fn string, b *Block) (*Block, error) {
	switch fn {
	case "abs", "neg":
		if b.DType == Bool {
			return nil, fmt.Errorf("array: %s of a bool array: convert it with Astype first", fn)
		}
		r := newBlock(b.DType, b.Shape)
		switch b.DType {
		case Float64:
			absNeg(fn, values[float64](r), values[float64](b))
		case Float32:
			absNeg(fn, values[float32](r), values[float32](b))
		case Int64:
			absNeg(fn, values[int64](r), values[int64](b))
		case Int32:
			absNeg(fn, values[int32](r), values[int32](b))
		}
		return r, nil
	}
	f, ok := unaries[fn]
	if !ok {
		return nil, fmt.Errorf("array: no element-wise function %q", fn)
	}
	dt := Float64
	if b.DType == Float32 {
		dt = Float32
	}
	x := astype(b, dt)
	r := newBlock(dt, b.Shape)
	if dt == Float32 {
		out, in := values[float32](r), values[float32](x)
		for i, v := range in {
			out[i] = float32(f(float64(v)))
		}
	} else {
		out, in := values[float64](r), values[float64](x)
		for i, v := range in {
			out[i] = f(v)
		}
	}
	return r, nil
}

func absNeg[T number](fn string, out, in []T) {
	for i, v := range in {
		if fn == "neg" || v < 0 {
			v = -v
		}
		out[i] = v
	}
}

// where picks x where cond holds, else y, broadcasting the three.
func where(cond, x, y *Block) (*Block, error) {
	if cond.DType != Bool {
		return nil, fmt.Errorf("array: Where's condition is %s, not bool (compare with Gt, Eq, ... to make one)", cond.DType)
	}
	dt := Promote(x.DType, y.DType)
	shape, err := broadcastShape(x.Shape, y.Shape)
	if err == nil {
		shape, err = broadcastShape(cond.Shape, shape)
	}
	if err != nil {
		return nil, err
	}
	c := values[bool](broadcastTo(cond, shape))
	xs, ys := broadcastTo(astype(x, dt), shape), broadcastTo(astype(y, dt), shape)
	r := newBlock(dt, shape)
	size := dt.Size()
	for i, take := range c {
		src := ys
		if take {
			src = xs
		}
		copy(r.data[i*size:(i+1)*size], src.data[i*size:(i+1)*size])
	}
	return r, nil
}
