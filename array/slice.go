package array

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dusk-go/dusk"
)

var fnSliceBlock = dusk.Register("array.slice", sliceBlock)

// Slice selects along each axis, as NumPy's basic indexing: a string is a
// slice in Python's notation (":", "10:", "::2", "-5:", "::-1",
// "3:100:7"), an int picks one index and drops the axis (negative ones
// count from the end). Axes not given are kept whole. No data moves: each
// block of the result is a task that slices one block.
//
//	y, err := x.Slice("::2", "10000:") // x[::2, 10000:]
func (a *Array) Slice(index ...any) (*Array, error) {
	if len(index) > len(a.shape) {
		return nil, fmt.Errorf("array: %d indexes for %s, which has %d axes", len(index), a, len(a.shape))
	}
	type axisPlan struct {
		pieces []piece // the result's chunks along the axis, in order
		drop   bool
	}
	plans := make([]axisPlan, len(a.shape))
	var shape []int
	var chunks [][]int
	for ax := range a.shape {
		var spec any = ":"
		if ax < len(index) {
			spec = index[ax]
		}
		var p axisPlan
		switch s := spec.(type) {
		case int:
			i := s
			if i < 0 {
				i += a.shape[ax]
			}
			if i < 0 || i >= a.shape[ax] {
				return nil, fmt.Errorf("array: index %d is out of range for axis %d of %s (length %d)", s, ax, a, a.shape[ax])
			}
			p.pieces, p.drop = slicePieces(a.chunks[ax], i, 1, 1), true
		case string:
			start, step, count, err := parseSlice(s, a.shape[ax])
			if err != nil {
				return nil, fmt.Errorf("array: axis %d of %s: %w", ax, a, err)
			}
			p.pieces = slicePieces(a.chunks[ax], start, step, count)
			var lens []int
			for _, pc := range p.pieces {
				lens = append(lens, pc.count)
			}
			shape, chunks = append(shape, count), append(chunks, lens)
		default:
			return nil, fmt.Errorf("array: index %v (%T) for axis %d: give an int or a slice string such as \"::2\"", spec, spec, ax)
		}
		plans[ax] = p
	}
	out := &Array{c: a.c, dtype: a.dtype, shape: shape, chunks: chunks}
	// The result's blocks: one per combination of pieces.
	pgrid := make([]int, len(plans))
	for i, p := range plans {
		pgrid[i] = len(p.pieces)
	}
	inGrid := a.grid()
	gridIndexes(pgrid, func(pidx []int, _ int) {
		src := make([]int, len(plans))
		starts, steps, counts := make([]int, len(plans)), make([]int, len(plans)), make([]int, len(plans))
		var drop []int
		for ax, p := range plans {
			pc := p.pieces[pidx[ax]]
			src[ax], starts[ax], steps[ax], counts[ax] = pc.chunk, pc.start, pc.step, pc.count
			if p.drop {
				drop = append(drop, ax)
			}
		}
		out.blocks = append(out.blocks, dusk.Call[*Block](fnSliceBlock, a.blockList()[flatIndex(inGrid, src)], starts, steps, counts, drop))
	})
	return out, nil
}

// piece is the part of one input chunk a slice takes: count elements
// from local index start, every step.
type piece struct{ chunk, start, step, count int }

// slicePieces splits the selection start, start+step, ... (count
// elements) of an axis cut into chunks into the pieces each chunk holds,
// in the selection's order. An empty selection is one empty piece.
func slicePieces(chunks []int, start, step, count int) []piece {
	var out []piece
	lo := 0
	bounds := make([][2]int, len(chunks))
	for i, n := range chunks {
		bounds[i] = [2]int{lo, lo + n}
		lo += n
	}
	k := 0
	for k < count {
		idx := start + k*step
		c := 0
		for bounds[c][1] <= idx {
			c++
		}
		// How many of the next selected indices fall in chunk c.
		var n int
		if step > 0 {
			n = min((bounds[c][1]-1-idx)/step+1, count-k)
		} else {
			n = min((idx-bounds[c][0])/(-step)+1, count-k)
		}
		out = append(out, piece{chunk: c, start: idx - bounds[c][0], step: step, count: n})
		k += n
	}
	if len(out) == 0 {
		out = []piece{{chunk: 0, start: 0, step: 1, count: 0}}
	}
	return out
}

// parseSlice reads Python's slice notation for an axis of length n and
// returns the first index, the step and the number of elements, as
// Python's slice.indices does.
func parseSlice(s string, n int) (start, step, count int, err error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, 0, fmt.Errorf("%q is not a slice: write start:stop or start:stop:step, any part left out", s)
	}
	num := func(p string) (int, bool, error) {
		p = strings.TrimSpace(p)
		if p == "" {
			return 0, false, nil
		}
		v, err := strconv.Atoi(p)
		if err != nil {
			return 0, false, fmt.Errorf("%q is not a slice: %q is not an integer", s, p)
		}
		return v, true, nil
	}
	step = 1
	if len(parts) == 3 {
		v, ok, err := num(parts[2])
		if err != nil {
			return 0, 0, 0, err
		}
		if ok {
			if v == 0 {
				return 0, 0, 0, fmt.Errorf("%q: the step cannot be 0", s)
			}
			step = v
		}
	}
	lower, upper := 0, n
	if step < 0 {
		lower, upper = -1, n-1
	}
	clamp := func(v int) int {
		if v < 0 {
			v += n
			if v < lower {
				v = lower
			}
		} else if v > upper {
			v = upper
		}
		return v
	}
	begin, hasStart, err := num(parts[0])
	if err != nil {
		return 0, 0, 0, err
	}
	end, hasStop, err := num(parts[1])
	if err != nil {
		return 0, 0, 0, err
	}
	if hasStart {
		begin = clamp(begin)
	} else if step > 0 {
		begin = lower
	} else {
		begin = upper
	}
	if hasStop {
		end = clamp(end)
	} else if step > 0 {
		end = upper
	} else {
		end = lower
	}
	if step > 0 && end > begin {
		count = (end - begin + step - 1) / step
	} else if step < 0 && end < begin {
		count = (begin - end - step - 1) / -step
	}
	return begin, step, count, nil
}

// sliceBlock takes from b, along each axis, counts[i] elements from
// starts[i] every steps[i], and drops the axes in drop.
func sliceBlock(b *Block, starts, steps, counts, drop []int) *Block {
	n := len(b.Shape)
	out := newBlockUnzeroed(b.DType, counts) // every element is written below
	size := b.DType.Size()
	strides := make([]int, n)
	st := size
	for i := n - 1; i >= 0; i-- {
		strides[i] = st
		st *= b.Shape[i]
	}
	if n > 0 && steps[n-1] == 1 && prod(counts) > 0 {
		// Whole runs along the last axis.
		run := counts[n-1] * size
		outer := counts[:n-1]
		idx := make([]int, n-1)
		for o := 0; o < len(out.data); o += run {
			off := starts[n-1] * strides[n-1]
			for i, k := range idx {
				off += (starts[i] + k*steps[i]) * strides[i]
			}
			copy(out.data[o:o+run], b.data[off:off+run])
			for i := n - 2; i >= 0; i-- {
				if idx[i]++; idx[i] < outer[i] {
					break
				}
				idx[i] = 0
			}
		}
	} else if n == 0 || prod(counts) > 0 {
		idx := make([]int, n)
		for o := 0; o < len(out.data) || n == 0; o += size {
			off := 0
			for i, k := range idx {
				off += (starts[i] + k*steps[i]) * strides[i]
			}
			copy(out.data[o:o+size], b.data[off:off+size])
			if n == 0 {
				break
			}
			for i := n - 1; i >= 0; i-- {
				if idx[i]++; idx[i] < counts[i] {
					break
				}
				idx[i] = 0
			}
		}
	}
	if len(drop) > 0 {
		var shape []int
		for i, c := range counts {
			if !slices.Contains(drop, i) {
				shape = append(shape, c)
			}
		}
		out.Shape = shape
	}
	return out
}
