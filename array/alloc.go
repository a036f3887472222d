package array

import (
	"strings"
	"unsafe"
)

// uninitMin is the size from which unzeroed returns memory that Go has
// not zeroed: below it zeroing costs nothing worth the trick.
const uninitMin = 64 << 10

// unzeroed returns n bytes aligned for every element type, for a buffer
// that its caller writes whole before anything reads it: their contents
// are whatever the memory held. Go zeroes the memory of every make (for a
// block of tens of megabytes that is a fifth of a rechunk's CPU); a
// strings.Builder does not zero the buffer Grow gives it, since it is
// about to be written, and that buffer, reached through the string the
// builder makes of its first byte, becomes the caller's. Nothing else
// holds it: the builder and its string are dropped here. Below uninitMin,
// or if the memory were not 8-byte aligned (Go's allocator aligns objects
// of 16 bytes and more to 8, and large ones to a page), it is an ordinary
// zeroed make.
func unzeroed(n int) []byte {
	if n >= uninitMin {
		var sb strings.Builder
		sb.Grow(n)
		sb.WriteByte(0)
		p := unsafe.StringData(sb.String())
		if uintptr(unsafe.Pointer(p))%8 == 0 && sb.Cap() >= n {
			return unsafe.Slice(p, n)
		}
	}
	words := make([]uint64, (n+7)/8)
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), n)
}

// newBlockUnzeroed returns a block whose elements are not set (see
// unzeroed): for a kernel that writes every element.
func newBlockUnzeroed(dt DType, shape []int) *Block {
	return &Block{DType: dt, Shape: append([]int(nil), shape...), data: unzeroed(dt.Size() * prod(shape))}
}

// unzeroedOf returns n elements of T that are not set (see unzeroed).
func unzeroedOf[T Elem](n int) []T {
	var z T
	b := unzeroed(n * int(unsafe.Sizeof(z)))
	if len(b) == 0 {
		return make([]T, n)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)
}
