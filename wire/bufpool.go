package wire

import (
	"math/bits"
	"sync"

	"google.golang.org/grpc/mem"
)

// Buffer classes are powers of two from 2^minBufShift to 2^maxBufShift
// bytes; a larger buffer is allocated for its message and not kept.
const (
	minBufShift = 8
	maxBufShift = 24
)

// bufferPool hands out the buffers dusk's codec encodes messages into and
// joins received messages in. gRPC's default pool clears the whole of a
// buffer before handing it out, all 1 MiB of the buffer of a 40 KB
// message (3% of the scheduler's process's CPU and 2% of a worker's in
// bench/core's tree and merge); the codec writes every byte it asks for before
// anything reads it, so this pool hands buffers out as they were put back.
// It is safe for concurrent use.
type bufferPool struct {
	classes [maxBufShift - minBufShift + 1]sync.Pool
}

var _ mem.BufferPool = (*bufferPool)(nil)

// class returns the index of the smallest class that holds n bytes, and
// false when n is larger than the largest class.
func bufClass(n int) (int, bool) {
	shift := minBufShift
	if n > 1<<minBufShift {
		shift = bits.Len(uint(n - 1))
	}
	if shift > maxBufShift {
		return 0, false
	}
	return shift - minBufShift, true
}

// Get returns a buffer of length n; its bytes are whatever they were.
func (p *bufferPool) Get(n int) *[]byte {
	c, ok := bufClass(n)
	if !ok {
		b := make([]byte, n)
		return &b
	}
	if v, _ := p.classes[c].Get().(*[]byte); v != nil {
		*v = (*v)[:n]
		return v
	}
	b := make([]byte, n, 1<<(c+minBufShift))
	return &b
}

// Put gives back a buffer Get returned; buffers of other capacities are
// dropped.
func (p *bufferPool) Put(b *[]byte) {
	n := cap(*b)
	if n&(n-1) != 0 {
		return
	}
	if c, ok := bufClass(n); ok && 1<<(c+minBufShift) == n {
		p.classes[c].Put(b)
	}
}
