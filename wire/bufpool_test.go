package wire

import (
	"bytes"
	"testing"

	"google.golang.org/grpc/mem"

	"github.com/dusk-go/dusk/wire/pb"
)

// The pool's buffers have the length asked for and a power-of-two
// capacity up to its largest class, a buffer put back can be taken again
// for any length of its class, and one larger than the largest class is
// made for its length.
func TestBufferPoolSizes(t *testing.T) {
	p := new(bufferPool)
	for _, n := range []int{0, 1, 255, 256, 257, 1000, 4096, 4097, 40_000, 1 << 20, (1 << 20) + 1, 1 << maxBufShift} {
		b := p.Get(n)
		if len(*b) != n {
			t.Fatalf("Get(%d): length %d", n, len(*b))
		}
		c := cap(*b)
		if c < n || c&(c-1) != 0 || c < 1<<minBufShift {
			t.Fatalf("Get(%d): capacity %d, want a power of two of at least max(%d, 256)", n, c, n)
		}
		if n > 256 && c >= 2*n {
			t.Fatalf("Get(%d): capacity %d, more than the next power of two", n, c)
		}
		for i := range *b {
			(*b)[i] = byte(i)
		}
		p.Put(b)
		again := p.Get(c)
		if len(*again) != c {
			t.Fatalf("Get(%d) after a Put: length %d", c, len(*again))
		}
		p.Put(again)
	}
	big := p.Get((1 << maxBufShift) + 1)
	if len(*big) != (1<<maxBufShift)+1 || cap(*big) != (1<<maxBufShift)+1 {
		t.Fatalf("a buffer over the largest class: length %d, capacity %d", len(*big), cap(*big))
	}
	p.Put(big) // dropped, not kept
	odd := make([]byte, 300)
	p.Put(&odd) // not a class's capacity: dropped
	if b := p.Get(300); cap(*b) != 512 {
		t.Fatalf("Get(300) after putting a 300-byte buffer: capacity %d, want 512", cap(*b))
	}
}

// Messages through the codec come out as they went in whatever the
// buffers held before: a large one (pooled, in several received frames)
// after a larger one of other bytes, and a small one.
func TestCodecReusesBuffersWithoutLeakingBytes(t *testing.T) {
	c := newCodec()
	roundTrip := func(keys []string) {
		t.Helper()
		in := &pb.FreeKeys{Keys: keys}
		data, err := c.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		// Split the bytes as gRPC's frames would.
		flat := data.Materialize()
		data.Free()
		var frames mem.BufferSlice
		for len(flat) > 0 {
			n := min(len(flat), 16<<10)
			frames = append(frames, mem.SliceBuffer(bytes.Clone(flat[:n])))
			flat = flat[n:]
		}
		out := &pb.FreeKeys{}
		if err := c.Unmarshal(frames, out); err != nil {
			t.Fatal(err)
		}
		if len(out.Keys) != len(keys) {
			t.Fatalf("%d keys came out of %d", len(out.Keys), len(keys))
		}
		for i := range keys {
			if out.Keys[i] != keys[i] {
				t.Fatalf("key %d: %q, want %q", i, out.Keys[i], keys[i])
			}
		}
	}
	many := func(n int, s string) []string {
		ks := make([]string, n)
		for i := range ks {
			ks[i] = s
		}
		return ks
	}
	for range 3 {
		roundTrip(many(20_000, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"))
		roundTrip(many(3_000, "inc-0123456789abcdef"))
		roundTrip([]string{"a"})
		roundTrip(nil)
	}
}
