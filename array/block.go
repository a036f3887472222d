package array

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"unsafe"
)

// Block is one chunk of an array, the value its tasks make and pass on:
// a dense, C-ordered buffer of elements of one type. It travels and
// spills as its raw bytes behind a small header (MarshalBinary), not
// element by element.
type Block struct {
	DType DType
	Shape []int
	// data holds the elements, little-endian (this machine's order: dusk
	// runs on little-endian machines), in memory aligned for any type.
	data []byte
}

// newBlock returns a block of zeros.
func newBlock(dt DType, shape []int) *Block {
	n := dt.Size() * prod(shape)
	words := make([]uint64, (n+7)/8) // aligned for every element type
	var data []byte
	if n > 0 {
		data = unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), n)
	}
	return &Block{DType: dt, Shape: append([]int(nil), shape...), data: data}
}

// Len returns the number of elements.
func (b *Block) Len() int { return prod(b.Shape) }

// blockOf wraps a slice of elements as a block (sharing it).
func blockOf[T Elem](v []T, shape []int) *Block {
	var data []byte
	if len(v) > 0 {
		data = unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*int(unsafe.Sizeof(v[0])))
	}
	return &Block{DType: dtypeOf[T](), Shape: append([]int(nil), shape...), data: data}
}

// values returns the elements of b as a []T sharing its memory; T must be
// b's type.
func values[T Elem](b *Block) []T {
	var z T
	n := len(b.data) / int(unsafe.Sizeof(z))
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b.data[0])), n)
}

// raw returns b's bytes as words of T (of the elements' size), for
// moving elements without looking at them.
func raw[T uint64 | uint32](b *Block) []T {
	var z T
	n := len(b.data) / int(unsafe.Sizeof(z))
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b.data[0])), n)
}

// The encoding: "DKB" 2, the dtype, the number of axes, each axis's
// length as a uvarint, the number p (0 to 7) of zero bytes that follow,
// then the elements. The padding puts the elements at a multiple of 8
// bytes from the start of the buffer the block is appended to, so that
// a block decoded from a buffer whose start is 8-byte aligned can view
// its elements where they are. Version 1 (before 2026-12-06) had no p and
// no padding; it is still read.
var blockMagic = [4]byte{'D', 'K', 'B', 2}

// blockMagicV1 is the unpadded encoding's magic.
var blockMagicV1 = [4]byte{'D', 'K', 'B', 1}

// MarshalBinary encodes the block as its header and raw elements.
func (b *Block) MarshalBinary() ([]byte, error) {
	return b.AppendBinary(make([]byte, 0, 6+len(b.Shape)*binary.MaxVarintLen64+8+len(b.data)))
}

// AppendBinary appends the block's encoding (as MarshalBinary's) to out:
// dusk's codec encodes blocks this way, with one copy of the elements.
func (b *Block) AppendBinary(out []byte) ([]byte, error) {
	head, body, err := b.AppendBinaryHead(out)
	if err != nil {
		return out, err
	}
	return append(head, body...), nil
}

// AppendBinaryHead appends the block's header to out and returns it with
// the block's elements as they are (codec.BodyAppender): a block sent to
// another worker goes out from its own memory, not copied into an
// encoding first. The elements must not be changed (no block is, once
// made).
func (b *Block) AppendBinaryHead(out []byte) (head, body []byte, err error) {
	out = append(out, blockMagic[:]...)
	out = append(out, byte(b.DType), byte(len(b.Shape)))
	for _, n := range b.Shape {
		out = binary.AppendUvarint(out, uint64(n))
	}
	pad := (8 - (len(out)+1)%8) % 8
	out = append(out, byte(pad))
	out = append(out, make([]byte, pad)...)
	return out, b.data, nil
}

// errBlock is wrapped by every error decoding a block.
var errBlock = errors.New("array: not an encoded block")

// UnmarshalBinary decodes a block MarshalBinary made, checking that the
// elements are as many as the shape says. If they are 8-byte aligned in
// p (the padding of the encoding arranges it when p's buffer is), the
// block views them where they are, not copied: p must not change after
// (an encoding received or read back is not), and the block keeps p's
// memory alive.
func (b *Block) UnmarshalBinary(p []byte) error {
	if len(p) < 6 || [4]byte(p[:4]) != blockMagic && [4]byte(p[:4]) != blockMagicV1 {
		return fmt.Errorf("%w: bad header", errBlock)
	}
	padded := p[3] == blockMagic[3]
	dt, ndim := DType(p[4]), int(p[5])
	if !dt.valid() {
		return fmt.Errorf("%w: unknown dtype %d", errBlock, p[4])
	}
	p = p[6:]
	shape := make([]int, ndim)
	for i := range shape {
		n, k := binary.Uvarint(p)
		if k <= 0 || n > 1<<40 {
			return fmt.Errorf("%w: bad shape", errBlock)
		}
		shape[i], p = int(n), p[k:]
	}
	if padded {
		if len(p) < 1 || p[0] > 7 || len(p) < 1+int(p[0]) {
			return fmt.Errorf("%w: bad padding", errBlock)
		}
		p = p[1+int(p[0]):]
	}
	n := elementBytes(dt, shape, len(p))
	if len(p) != n {
		return fmt.Errorf("%w: %d bytes of elements for a %v block of %s (%d wanted)", errBlock, len(p), shape, dt, n)
	}
	if n > 0 && uintptr(unsafe.Pointer(&p[0]))%8 == 0 {
		*b = Block{DType: dt, Shape: shape, data: p[:n:n]}
		return nil
	}
	nb := newBlockUnzeroed(dt, shape)
	copy(nb.data, p)
	*b = *nb
	return nil
}

// elementBytes returns the bytes of the elements of a block of dt and
// shape, or -1 if that is more than limit (so that a damaged shape whose
// product overflows is refused, not believed).
func elementBytes(dt DType, shape []int, limit int) int {
	if slices.Contains(shape, 0) {
		return 0
	}
	n := dt.Size()
	for _, s := range shape {
		if n > limit/s {
			return -1
		}
		n *= s
	}
	return n
}

func prod(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}
