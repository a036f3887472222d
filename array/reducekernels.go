package array

import "fmt"

// Reductions.
const (
	redSum = "sum"
	redMin = "min"
	redMax = "max"
)

// reducedType returns the type of a reduction's result: sums of integers
// and bools are int64 (as NumPy's on 64-bit machines); min and max keep
// the type.
func reducedType(op string, dt DType) DType {
	if op == redSum && !dt.isFloat() {
		return Int64
	}
	return dt
}

// reduceBlock reduces b over axes, keeping them as axes of length 1.
func reduceBlock(op string, b *Block, axes []int) (*Block, error) {
	if (op == redMin || op == redMax) && b.Len() == 0 {
		return nil, fmt.Errorf("array: %s of an empty block (shape %v): it has no identity", op, b.Shape)
	}
	shape, outStride := reducedLayout(b.Shape, axes)
	out := newBlock(reducedType(op, b.DType), shape)
	src := b
	if op == redSum && !b.DType.isFloat() {
		src = astype(b, Int64)
	}
	switch src.DType {
	case Float64:
		reduceInto(op, values[float64](out), values[float64](src), b.Shape, outStride)
	case Float32:
		reduceInto(op, values[float32](out), values[float32](src), b.Shape, outStride)
	case Int64:
		reduceInto(op, values[int64](out), values[int64](src), b.Shape, outStride)
	case Int32:
		reduceInto(op, values[int32](out), values[int32](src), b.Shape, outStride)
	case Bool:
		// min and max of bools: all and any.
		o, in := values[bool](out), values[bool](src)
		first := make([]bool, len(o))
		forEachOffset(b.Shape, outStride, func(i, j int) {
			switch {
			case !first[j]:
				o[j], first[j] = in[i], true
			case op == redMin:
				o[j] = o[j] && in[i]
			default:
				o[j] = o[j] || in[i]
			}
		})
	}
	return out, nil
}

// reducedLayout returns the shape of a block of shape reduced over axes
// (kept as axes of length 1) and, for each axis, the reduced block's
// stride along it (0 along reduced axes).
func reducedLayout(shape, axes []int) (out, outStride []int) {
	out = append([]int(nil), shape...)
	for _, ax := range axes {
		out[ax] = 1
	}
	n := len(out)
	outStride = make([]int, n)
	st := 1
	for i := n - 1; i >= 0; i-- {
		if out[i] != 1 || shape[i] == 1 {
			outStride[i] = st
		}
		st *= out[i]
	}
	return out, outStride
}

func reduceInto[T number](op string, out, in []T, shape, outStride []int) {
	if op == redSum {
		if outer, n, inner, ok := consecutive(shape, outStride); ok {
			sumRuns(out, in, outer, n, inner)
			return
		}
		forEachOffset(shape, outStride, func(i, j int) { out[j] += in[i] })
		return
	}
	if outer, n, inner, ok := consecutive(shape, outStride); ok && n > 0 {
		extremeRuns(op, out, in, outer, n, inner)
		return
	}
	seen := make([]bool, len(out))
	forEachOffset(shape, outStride, func(i, j int) {
		v := in[i]
		// A NaN wins, as in NumPy (v != v only for a NaN).
		if !seen[j] || v != v || op == redMin && v < out[j] || op == redMax && v > out[j] {
			if out[j] == out[j] || !seen[j] {
				out[j] = v
			}
			seen[j] = true
		}
	})
}

// consecutive reports whether the reduced axes (those with outStride 0
// and a length above 1) are one run of axes, and if so the array's shape
// seen as (outer, n, inner): n the reduced elements between outer and
// inner ones.
func consecutive(shape, outStride []int) (outer, n, inner int, ok bool) {
	first, last := -1, -1
	for i, s := range outStride {
		if s == 0 && shape[i] != 1 {
			if first == -1 {
				first = i
			} else if last != i-1 {
				return 0, 0, 0, false
			}
			last = i
		}
	}
	if first == -1 {
		return prod(shape), 1, 1, true
	}
	return prod(shape[:first]), prod(shape[first : last+1]), prod(shape[last+1:]), true
}

// sumRuns sums in, seen as (outer, n, inner), over its middle axis into
// out (outer × inner).
func sumRuns[T number](out, in []T, outer, n, inner int) {
	for o := range outer {
		acc := out[o*inner : (o+1)*inner]
		if inner == 1 {
			acc[0] += sumOf(in[o*n : (o+1)*n])
			continue
		}
		for k := range n {
			row := in[(o*n+k)*inner : (o*n+k+1)*inner]
			for i, v := range row {
				acc[i] += v
			}
		}
	}
}

// extremeRuns takes the min or max (op) of in, seen as (outer, n,
// inner), over its middle axis into out (outer × inner); a NaN wins.
func extremeRuns[T number](op string, out, in []T, outer, n, inner int) {
	for o := range outer {
		acc := out[o*inner : (o+1)*inner]
		if inner == 1 {
			acc[0] = extremeOf(op, in[o*n:(o+1)*n])
			continue
		}
		copy(acc, in[o*n*inner:(o*n+1)*inner])
		for k := 1; k < n; k++ {
			row := in[(o*n+k)*inner : (o*n+k+1)*inner]
			for i, v := range row {
				a := acc[i]
				if a == a && (v != v || op == redMin && v < a || op == redMax && v > a) {
					acc[i] = v
				}
			}
		}
	}
}

// forEachOffset calls f with the offset of every element of an array of
// shape and the offset its index has with outStride.
func forEachOffset(shape, outStride []int, f func(i, j int)) {
	total := prod(shape)
	if total == 0 {
		return
	}
	idx := make([]int, len(shape))
	j := 0
	for i := range total {
		f(i, j)
		for k := len(shape) - 1; k >= 0; k-- {
			idx[k]++
			j += outStride[k]
			if idx[k] < shape[k] {
				break
			}
			j -= outStride[k] * idx[k]
			idx[k] = 0
		}
	}
}

// combine reduces blocks of one shape element-wise (the partial results
// of a tree reduction).
func combine(op string, parts []*Block) (*Block, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("array: combining no partial results")
	}
	acc := newBlock(parts[0].DType, parts[0].Shape)
	copy(acc.data, parts[0].data)
	for _, p := range parts[1:] {
		if p.DType != acc.DType || prod(p.Shape) != prod(acc.Shape) {
			return nil, fmt.Errorf("array: combining partial results of %s %v and %s %v", acc.DType, acc.Shape, p.DType, p.Shape)
		}
		switch acc.DType {
		case Float64:
			combineInto(op, values[float64](acc), values[float64](p))
		case Float32:
			combineInto(op, values[float32](acc), values[float32](p))
		case Int64:
			combineInto(op, values[int64](acc), values[int64](p))
		case Int32:
			combineInto(op, values[int32](acc), values[int32](p))
		case Bool:
			a, b := values[bool](acc), values[bool](p)
			for i := range a {
				if op == redMin {
					a[i] = a[i] && b[i]
				} else {
					a[i] = a[i] || b[i]
				}
			}
		}
	}
	return acc, nil
}

func combineInto[T number](op string, acc, p []T) {
	for i, v := range p {
		switch {
		case op == redSum:
			acc[i] += v
		case acc[i] != acc[i]: // a NaN stays
		case v != v, op == redMin && v < acc[i], op == redMax && v > acc[i]:
			acc[i] = v
		}
	}
}
