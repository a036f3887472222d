package array

import (
	"fmt"
	"slices"
)

// Dense is a computed array, in memory here: its elements in C order.
type Dense struct {
	DType DType
	Shape []int
	block *Block
}

// Len returns the number of elements.
func (d *Dense) Len() int { return prod(d.Shape) }

// Strides returns, for each axis, how many elements apart its
// consecutive indexes are in Values (C order: the last axis is 1).
func (d *Dense) Strides() []int {
	s := make([]int, len(d.Shape))
	st := 1
	for i := len(d.Shape) - 1; i >= 0; i-- {
		s[i] = st
		st *= d.Shape[i]
	}
	return s
}

// Block returns the elements as one block.
func (d *Dense) Block() *Block { return d.block }

// Values returns d's elements as a []T in C order (sharing d's memory);
// T must be d's type.
func Values[T Elem](d *Dense) ([]T, error) { return BlockValues[T](d.block) }

// Float64 returns the element at idx as a float64 (exact for every type
// but int64 values beyond 2^53).
func (d *Dense) Float64(idx ...int) (float64, error) {
	if len(idx) != len(d.Shape) {
		return 0, fmt.Errorf("array: %d indexes for an array of %d axes", len(idx), len(d.Shape))
	}
	p := 0
	for i, x := range idx {
		if x < 0 || x >= d.Shape[i] {
			return 0, fmt.Errorf("array: index %d out of range for axis %d of length %d", x, i, d.Shape[i])
		}
		p = p*d.Shape[i] + x
	}
	switch d.DType {
	case Float64:
		return values[float64](d.block)[p], nil
	case Float32:
		return float64(values[float32](d.block)[p]), nil
	case Int64:
		return float64(values[int64](d.block)[p]), nil
	case Int32:
		return float64(values[int32](d.block)[p]), nil
	}
	if values[bool](d.block)[p] {
		return 1, nil
	}
	return 0, nil
}

// NewBlock returns a block holding data (shared, not copied) with the
// given shape, for functions that make blocks (FromFunc, MapBlocks).
func NewBlock[T Elem](data []T, shape ...int) (*Block, error) {
	if prod(shape) != len(data) {
		return nil, fmt.Errorf("array: %d elements for a block of shape %v (%d)", len(data), shape, prod(shape))
	}
	for _, n := range shape {
		if n < 0 {
			return nil, fmt.Errorf("array: a negative length in shape %v", shape)
		}
	}
	return blockOf(data, shape), nil
}

// BlockValues returns b's elements as a []T in C order (sharing b's
// memory); T must be b's type. A function given a block (MapBlocks,
// MapOverlap) must not change its elements: other tasks may be reading
// the block, or it may be on its way to another worker, sent from this
// memory.
func BlockValues[T Elem](b *Block) ([]T, error) {
	if dt := dtypeOf[T](); dt != b.DType {
		return nil, fmt.Errorf("array: the elements are %s, not %s", b.DType, dt)
	}
	return values[T](b)[:b.Len()], nil
}

// sameShape reports whether two shapes are equal.
func sameShape(a, b []int) bool { return slices.Equal(a, b) }
