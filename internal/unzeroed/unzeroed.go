// Package unzeroed allocates large byte buffers that Go does not zero,
// for a caller that writes every byte before anything reads it (a spilled
// value read back from disk, a block a kernel fills whole).
//
// Go zeroes the memory of every make: for buffers of tens of megabytes,
// fresh from the operating system, that is a pass over memory the kernel
// has just zeroed itself, about a fifth of a rechunk's CPU and of a
// direct-I/O read back (BenchmarkDirectReadBack in worker/store: the
// store's read over a read into one reused buffer, 0.57 and 0.76 zeroed,
// 0.84 and 0.85 not; bench/README.md, "Memory"). The standard library has no exported way to allocate
// without zeroing; strings.Builder's Grow does so internally, since the
// builder is about to write the buffer, and that buffer, reached through
// the string the builder makes of its first byte, becomes the caller's.
// Nothing else holds it: the builder and its string are dropped here, and
// the memory holds no pointers, so the collector never reads its bytes.
package unzeroed

import (
	"strings"
	"unsafe"
)

// Min is the size from which Bytes returns memory Go has not zeroed:
// below it zeroing costs nothing worth the trick.
const Min = 64 << 10

// Bytes returns n bytes, 8-byte aligned, whose contents are whatever the
// memory held: the caller must write every byte it or anyone else will
// read. Below Min, or should the memory not be 8-byte aligned (Go's
// allocator aligns objects of 16 bytes and more to 8, and large ones to
// a page), it is an ordinary zeroed make.
func Bytes(n int) []byte {
	if n <= 0 {
		return nil
	}
	if n >= Min {
		var sb strings.Builder
		sb.Grow(n)
		sb.WriteByte(0)
		p := unsafe.StringData(sb.String())
		if uintptr(unsafe.Pointer(p))%8 == 0 && sb.Cap() >= n {
			return unsafe.Slice(p, n)
		}
	}
	words := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), n)
}
