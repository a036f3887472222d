package array

import (
	"fmt"
	"math"
	"slices"

	"github.com/dusk-go/dusk"
)

// Var returns the variance over the given axes (every axis if none),
// divided by n - ddof (0 for the population's, 1 for a sample's), as
// float64 (float32 for float32 arrays). Blocks are reduced to counts,
// means and sums of squared deviations, which combine exactly (Chan's
// parallel update), so no sum of squares loses precision.
func (a *Array) Var(ddof int, axes ...int) (*Array, error) { return a.moments(ddof, false, axes) }

// Std returns the standard deviation over the given axes (see Var).
func (a *Array) Std(ddof int, axes ...int) (*Array, error) { return a.moments(ddof, true, axes) }

var (
	fnMoments       = dusk.Register("array.moments", momentsBlock)
	fnCombineMoment = dusk.Register("array.combine-moments", combineMoments)
	fnFinishVar     = dusk.Register("array.finish-var", finishVar)
)

func (a *Array) moments(ddof int, sqrt bool, axes []int) (*Array, error) {
	ax, err := a.axes(axes)
	if err != nil {
		return nil, err
	}
	if a.dtype == Bool {
		return nil, fmt.Errorf("array: the variance of the bool array %s: convert it with Astype first", a)
	}
	n := 1
	for _, i := range ax {
		n *= a.shape[i]
	}
	if n-ddof <= 0 {
		return nil, fmt.Errorf("array: the variance over %d elements with ddof %d of %s: too few elements", n, ddof, a)
	}
	dt := Float64
	if a.dtype == Float32 {
		dt = Float32
	}
	return a.treeReduce(dt, ax, func(i int) *dusk.Delayed[*Block] {
		return dusk.Call[*Block](fnMoments, a.blockList()[i], ax)
	}, func(parts []*dusk.Delayed[*Block]) *dusk.Delayed[*Block] {
		return dusk.Call[*Block](fnCombineMoment, parts)
	}, func(parts []*dusk.Delayed[*Block]) *dusk.Delayed[*Block] {
		return dusk.Call[*Block](fnFinishVar, dusk.Call[*Block](fnCombineMoment, parts), ax, ddof, sqrt, dt)
	}), nil
}

// momentsBlock reduces b over axes to a float64 block whose first axis
// holds, for each result, the count, the mean and the sum of squared
// deviations (the reduced axes kept as length 1).
func momentsBlock(b *Block, axes []int) *Block {
	x := values[float64](astype(b, Float64))
	shape := slices.Clone(b.Shape)
	for _, ax := range axes {
		shape[ax] = 1
	}
	n := len(shape)
	outStride := make([]int, n)
	st := 1
	for i := n - 1; i >= 0; i-- {
		if shape[i] != 1 || b.Shape[i] == 1 {
			outStride[i] = st
		}
		st *= shape[i]
	}
	m := prod(shape)
	out := newBlock(Float64, append([]int{3}, shape...))
	o := values[float64](out)
	cnt, mean, m2 := o[:m], o[m:2*m], o[2*m:]
	if outer, k, inner, ok := consecutive(b.Shape, outStride); ok && k > 0 {
		momentRuns(cnt, mean, m2, x, outer, k, inner)
		return out
	}
	// Welford's update, element by element.
	forEachOffset(b.Shape, outStride, func(i, j int) {
		cnt[j]++
		d := x[i] - mean[j]
		mean[j] += d / cnt[j]
		m2[j] += d * (x[i] - mean[j])
	})
	return out
}

// momentRuns computes the moments of x, seen as (outer, n, inner), over
// its middle axis (n > 0) in two passes over each run: the mean, then the
// squared deviations from it (as exact as Welford's update, without its
// division per element).
func momentRuns(cnt, mean, m2, x []float64, outer, n, inner int) {
	for o := range outer {
		run := x[o*n*inner : (o+1)*n*inner]
		c, mu, sq := cnt[o*inner:(o+1)*inner], mean[o*inner:(o+1)*inner], m2[o*inner:(o+1)*inner]
		if inner == 1 {
			c[0], mu[0] = float64(n), sumOf(run)/float64(n)
			sq[0] = squaredDeviations(run, mu[0])
			continue
		}
		for k := range n {
			for i, v := range run[k*inner : (k+1)*inner] {
				mu[i] += v
			}
		}
		for i := range mu {
			c[i], mu[i] = float64(n), mu[i]/float64(n)
		}
		for k := range n {
			for i, v := range run[k*inner : (k+1)*inner] {
				d := v - mu[i]
				sq[i] += d * d
			}
		}
	}
}

// squaredDeviations sums (v - mean)² over x with four accumulators.
func squaredDeviations(x []float64, mean float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		d0, d1, d2, d3 := x[i]-mean, x[i+1]-mean, x[i+2]-mean, x[i+3]-mean
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(x); i++ {
		d := x[i] - mean
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// combineMoments merges blocks of moments (Chan's parallel update).
func combineMoments(parts []*Block) (*Block, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("array: combining no moments")
	}
	out := newBlock(Float64, parts[0].Shape)
	o := values[float64](out)
	m := len(o) / 3
	for _, p := range parts {
		v := values[float64](p)
		if len(v) != len(o) {
			return nil, fmt.Errorf("array: combining moments of shapes %v and %v", parts[0].Shape, p.Shape)
		}
		for j := range m {
			na, nb := o[j], v[j]
			if nb == 0 {
				continue
			}
			n := na + nb
			d := v[m+j] - o[m+j]
			o[m+j] += d * nb / n
			o[2*m+j] += v[2*m+j] + d*d*na*nb/n
			o[j] = n
		}
	}
	return out, nil
}

// finishVar turns moments into the variance (or its square root),
// dropping the reduced axes, in type dt.
func finishVar(mom *Block, drop []int, ddof int, sqrt bool, dt DType) *Block {
	v := values[float64](mom)
	m := len(v) / 3
	var shape []int
	for i, n := range mom.Shape[1:] {
		if !slices.Contains(drop, i) {
			shape = append(shape, n)
		}
	}
	out := newBlock(Float64, shape)
	o := values[float64](out)
	for j := range m {
		o[j] = v[2*m+j] / (v[j] - float64(ddof))
		if sqrt {
			o[j] = math.Sqrt(o[j])
		}
	}
	return astype(out, dt)
}
