package array

import (
	"fmt"
	"slices"

	"github.com/dusk-go/dusk"
)

// A sum over every axis of a block a rechunk assembles from pieces that
// are whole rows of it (x.rechunk((20000, 200)).sum(): each new block of
// 20000×200 is ten bands of 2000×200 rows) reads the pieces where they
// are, in the block's order, rather than copying them into the block
// and reading that: the pieces still move between workers as the rechunk
// has them, but the assembled block (a copy of 32 MB at the benchmark's
// chunks) is never made. The sum is the same, bit for bit: the block's
// elements in C order are the pieces' one after the other, and the
// pieces are added with sumOf's four partial sums carried from one to the
// next (each piece but the last a multiple of 4 elements long, or the
// block is assembled as before). Other reductions, sums over some axes
// and other element types assemble the block.

// fnSumBands sums row bands (sumBands).
var fnSumBands = dusk.Register("array.sum-bands", sumBands)

// rowBands are the pieces of an assembled block that are whole rows of
// it, in the block's order.
type rowBands struct {
	pieces []*dusk.Delayed[*Block]
}

// rowBandsOf returns the pieces of a block of shape, placed at offsets
// with counts elements per axis, in the block's order when they are
// bands of whole rows that tile it, each but the last a multiple of 4
// elements long; nil otherwise.
func rowBandsOf(pieces []*dusk.Delayed[*Block], offsets, counts [][]int, shape []int) *rowBands {
	if len(shape) == 0 || len(pieces) < 2 {
		return nil
	}
	order := make([]int, len(pieces))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return offsets[i][0] - offsets[j][0] })
	rows := &rowBands{}
	next := 0
	for k, i := range order {
		if offsets[i][0] != next {
			return nil
		}
		for ax := 1; ax < len(shape); ax++ {
			if offsets[i][ax] != 0 || counts[i][ax] != shape[ax] {
				return nil
			}
		}
		if k < len(order)-1 && prod(counts[i])%4 != 0 {
			return nil
		}
		next += counts[i][0]
		rows.pieces = append(rows.pieces, pieces[i])
	}
	if next != shape[0] {
		return nil
	}
	return rows
}

// sumBands returns the sum of the float64 pieces, in order, as the sum
// over every axis of the block they make (of ndim axes, each of length 1
// in the result), bit for bit.
func sumBands(pieces []*Block, ndim int) (*Block, error) {
	var s pieceSum
	for i, p := range pieces {
		if p.DType != Float64 {
			return nil, fmt.Errorf("array: summing row bands: piece %d of %d is %s, not float64", i, len(pieces), describeValue(p))
		}
		s.add(values[float64](p))
	}
	out := newBlock(Float64, ones(ndim))
	values[float64](out)[0] += s.total()
	return out, nil
}

// pieceSum is sumOf over a run given in pieces, each but the last a
// multiple of 4 elements long: its total is sumOf's of the whole run, bit
// for bit (the same four partial sums, the same additions in the same
// order).
type pieceSum struct{ s0, s1, s2, s3 float64 }

func (p *pieceSum) add(v []float64) {
	acc := [4]float64{p.s0, p.s1, p.s2, p.s3}
	i := sumChainVector(v, nil, &acc) // the first elements 32 at a time, with AVX2
	s0, s1, s2, s3 := acc[0], acc[1], acc[2], acc[3]
	for ; i+4 <= len(v); i += 4 {
		w := v[i : i+4 : i+4]
		s0 += w[0]
		s1 += w[1]
		s2 += w[2]
		s3 += w[3]
	}
	for ; i < len(v); i++ {
		s0 += v[i]
	}
	p.s0, p.s1, p.s2, p.s3 = s0, s1, s2, s3
}

func (p *pieceSum) total() float64 { return (p.s0 + p.s1) + (p.s2 + p.s3) }
