package array

import (
	"fmt"
	"math"
	"slices"
)

// AutoTarget is the block size Auto aims at: 128 MiB, within the
// optimization guide's 100–300 MB for numeric data.
const AutoTarget = 128 << 20

// Chunks says how an array is cut into blocks: By gives a chunk length
// per axis, Explicit every chunk's length, Auto a shape near AutoTarget
// bytes.
type Chunks struct {
	by       []int
	explicit [][]int
	auto     bool
}

// By cuts each axis into chunks of the given length (the last one of an
// axis may be shorter); -1 or 0 keeps an axis whole. One length for an
// array of several axes applies to every axis.
func By(lengths ...int) Chunks { return Chunks{by: slices.Clone(lengths)} }

// Explicit gives the lengths of every chunk of every axis.
func Explicit(lengths ...[]int) Chunks {
	out := make([][]int, len(lengths))
	for i, l := range lengths {
		out[i] = slices.Clone(l)
	}
	return Chunks{explicit: out}
}

// Auto picks chunks of about AutoTarget bytes, as even along the axes as
// the shape allows.
func Auto() Chunks { return Chunks{auto: true} }

// resolve returns the chunk lengths of each axis of an array of shape and
// type dt, or an error naming the shape and the chunks.
func (c Chunks) resolve(shape []int, dt DType) ([][]int, error) {
	for _, n := range shape {
		if n < 0 {
			return nil, fmt.Errorf("array: shape %v has a negative length", shape)
		}
	}
	switch {
	case c.auto:
		return autoChunks(shape, dt), nil
	case c.explicit != nil:
		if len(c.explicit) != len(shape) {
			return nil, fmt.Errorf("array: chunks for %d axes given to an array of shape %v", len(c.explicit), shape)
		}
		for i, ls := range c.explicit {
			sum := 0
			for _, l := range ls {
				if l < 0 || l == 0 && shape[i] != 0 {
					return nil, fmt.Errorf("array: chunks %v of axis %d: every chunk needs a positive length", ls, i)
				}
				sum += l
			}
			if sum != shape[i] {
				return nil, fmt.Errorf("array: chunks %v of axis %d add up to %d, but the axis is %d long (shape %v)", ls, i, sum, shape[i], shape)
			}
		}
		return Explicit(c.explicit...).explicit, nil
	}
	by := c.by
	if len(by) == 1 && len(shape) > 1 {
		by = slices.Repeat(by, len(shape))
	}
	if len(by) != len(shape) {
		return nil, fmt.Errorf("array: chunk lengths %v for an array of shape %v: give one per axis", c.by, shape)
	}
	out := make([][]int, len(shape))
	for i, n := range shape {
		out[i] = split(n, by[i])
	}
	return out, nil
}

// split cuts an axis of length n into chunks of length l (the whole axis
// if l ≤ 0).
func split(n, l int) []int {
	if l <= 0 || l >= n {
		return []int{n}
	}
	var out []int
	for n > 0 {
		out = append(out, min(l, n))
		n -= l
	}
	return out
}

// autoChunks picks blocks of at most about AutoTarget bytes, as close to
// a cube as the shape allows: axes shorter than the cube's edge stay
// whole, the others are cut into chunks of even length.
func autoChunks(shape []int, dt DType) [][]int {
	budget := float64(AutoTarget / dt.Size()) // elements per block
	whole := make([]bool, len(shape))
	for {
		free, rest := 0, budget
		for i, n := range shape {
			if whole[i] {
				rest /= float64(max(n, 1))
			} else {
				free++
			}
		}
		if free == 0 {
			break
		}
		edge := math.Pow(rest, 1/float64(free))
		changed := false
		for i, n := range shape {
			if !whole[i] && float64(n) <= edge {
				whole[i], changed = true, true
			}
		}
		if !changed {
			out := make([][]int, len(shape))
			for i, n := range shape {
				if whole[i] {
					out[i] = []int{n}
					continue
				}
				pieces := int(math.Ceil(float64(n) / math.Max(edge, 1)))
				out[i] = split(n, (n+pieces-1)/pieces)
			}
			return out
		}
	}
	out := make([][]int, len(shape))
	for i, n := range shape {
		out[i] = []int{n}
	}
	return out
}
