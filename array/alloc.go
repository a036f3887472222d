package array

import (
	"unsafe"

	"github.com/dusk-go/dusk/internal/unzeroed"
)

// Blocks a kernel writes whole (Random's, a rechunk's cut parts and the
// blocks assembled from parts that tile them, decoded blocks that must be
// copied) are allocated without Go's zeroing (package unzeroed): for
// blocks of tens of megabytes it was a fifth of a rechunk's CPU.

// newBlockUnzeroed returns a block whose elements are not set: for a
// kernel that writes every element.
func newBlockUnzeroed(dt DType, shape []int) *Block {
	return &Block{DType: dt, Shape: append([]int(nil), shape...), data: unzeroed.Bytes(dt.Size() * prod(shape))}
}

// unzeroedOf returns n elements of T that are not set.
func unzeroedOf[T Elem](n int) []T {
	var z T
	b := unzeroed.Bytes(n * int(unsafe.Sizeof(z)))
	if len(b) == 0 {
		return make([]T, n)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)
}
