package wire

import (
	"bytes"
	"testing"
	"unsafe"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	"github.com/dusk-go/dusk/wire/pb"
)

// dataBatch has chunks of every kind: a large value's piece (sent from
// where it is), small values, a missing key, empty fields.
func dataBatch() (*pb.DataBatch, []byte) {
	large := bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7}, aliasData/7+100)
	return &pb.DataBatch{Chunks: []*pb.DataChunk{
		{Key: "small-1", Data: []byte("abc"), Last: true, Nbytes: 3, Type: "[]byte", Total: 3},
		{Key: "large-1", Data: large, Last: true, Nbytes: 1 << 40, Type: "*array.Block", Total: int64(len(large))},
		{Key: "gone-1", Missing: true, Last: true},
		{Key: "first-piece", Data: large[:aliasData], Total: 1 << 20},
		{Data: []byte{}},
		{},
		{Key: "small-2", Data: []byte{0}, Last: true},
	}}, large
}

// The codec's bytes for a DataBatch are the generated code's, byte for
// byte, and a large chunk's data is sent from where it is, not copied.
func TestDataBatchBytesAreProtobufs(t *testing.T) {
	in, large := dataBatch()
	data := codecBytesAs(t, in, in)
	want := data.Materialize() // the generated code's bytes, checked equal
	aliased := 0
	for _, buf := range data {
		if b := buf.ReadOnlyData(); len(b) > 0 && unsafe.SliceData(b) == unsafe.SliceData(large) {
			aliased++
		}
	}
	if aliased != 2 {
		t.Errorf("%d buffers point at the large chunks' data, want 2 (one per large chunk)", aliased)
	}
	var stock pb.DataBatch
	if err := proto.Unmarshal(want, &stock); err != nil || !proto.Equal(&stock, in) {
		t.Fatalf("protobuf reads %v, %v", &stock, err)
	}
	// Received as gRPC hands it over: in pieces, which it reuses after.
	recv := bytes.Clone(want)
	var pieces mem.BufferSlice
	for b := recv; len(b) > 0; {
		n := min(len(b), 1000)
		pieces = append(pieces, mem.SliceBuffer(b[:n]))
		b = b[n:]
	}
	var out pb.DataBatch
	if err := newCodec().Unmarshal(pieces, &out); err != nil {
		t.Fatal(err)
	}
	clear(recv)
	if !proto.Equal(&out, in) {
		t.Fatalf("round trip: %v", &out)
	}
	// Merging, as protobuf does: the chunks of a second message follow.
	if err := newCodec().Unmarshal(mem.BufferSlice{mem.SliceBuffer(want)}, &out); err != nil || len(out.Chunks) != 2*len(in.Chunks) {
		t.Fatalf("merging: %d chunks, %v", len(out.Chunks), err)
	}
}

// A chunk keeps pointing into the message only when it is at least half
// of it: small values that shared a message are copied out.
func TestDataBatchSmallChunksAreCopied(t *testing.T) {
	in := &pb.DataChunk{Key: "a", Data: []byte("xyz")}
	b, err := in.MarshalVT()
	if err != nil {
		t.Fatal(err)
	}
	inside := func(p []byte) bool {
		start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		at := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
		return at >= start && at < start+uintptr(len(b))
	}
	for _, keep := range []bool{true, false} {
		c, err := readChunk(b, keep)
		if err != nil || string(c.Data) != "xyz" {
			t.Fatalf("keep=%v: %v, %v", keep, c, err)
		}
		if inside(c.Data) != keep {
			t.Errorf("keep=%v: the data points into the message: %v", keep, inside(c.Data))
		}
	}
	if !keepChunk(600, 1000) || keepChunk(400, 1000) {
		t.Error("a chunk is kept in its message when it is at least half of it, and only then")
	}
}

// FuzzDataBatchDecoderAgreesWithProtobuf: the codec's DataBatch decoder
// accepts exactly the bytes protobuf's decoder accepts, and reads the
// same message (unknown fields dropped).
func FuzzDataBatchDecoderAgreesWithProtobuf(f *testing.F) {
	in, _ := dataBatch()
	good, err := in.MarshalVT()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x02, 0x0a, 0x01})
	f.Add([]byte{0x0a, 0x03, 0x0a, 0x01, 0xff})
	f.Add([]byte{0x0a, 0x04, 0x50, 0x01, 0x18, 0x02})
	f.Fuzz(func(t *testing.T, b []byte) {
		var stock pb.DataBatch
		errWant := proto.Unmarshal(b, &stock)
		var got pb.DataBatch
		err := unmarshalData(mem.BufferSlice{mem.SliceBuffer(b)}, &got)
		if (err == nil) != (errWant == nil) {
			t.Fatalf("%x: the codec says %v, protobuf %v", b, err, errWant)
		}
		if err != nil {
			return
		}
		dropUnknown(stock.ProtoReflect())
		if !proto.Equal(&got, &stock) {
			t.Fatalf("%x reads as %v, with protobuf as %v", b, &got, &stock)
		}
	})
}

// BenchmarkDataBatch8MB: one 8 MB value through the codec and back, as
// gRPC hands the received message over (in 16 KiB frames), against the
// generated code's path the codec took before (the message marshalled
// into one buffer, joined from the frames into another, each bytes field
// copied out of it).
func BenchmarkDataBatch8MB(b *testing.B) {
	in := &pb.DataBatch{Chunks: []*pb.DataChunk{{Key: "('block', 3, 4)", Data: make([]byte, 8<<20), Last: true, Nbytes: 8 << 20, Type: "*array.Block", Total: 8 << 20}}}
	frames := func(data mem.BufferSlice) mem.BufferSlice {
		raw := data.Materialize()
		var out mem.BufferSlice
		for len(raw) > 0 {
			n := min(len(raw), 16<<10)
			out = append(out, mem.SliceBuffer(raw[:n]))
			raw = raw[n:]
		}
		return out
	}
	sent, err := newCodec().Marshal(in)
	if err != nil {
		b.Fatal(err)
	}
	recv := frames(sent)
	b.Run("codec", func(b *testing.B) {
		b.SetBytes(8 << 20)
		for b.Loop() {
			data, err := newCodec().Marshal(in)
			if err != nil {
				b.Fatal(err)
			}
			data.Free()
			var out pb.DataBatch
			if err := newCodec().Unmarshal(recv, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("generated", func(b *testing.B) {
		b.SetBytes(8 << 20)
		pool := mem.DefaultBufferPool()
		for b.Loop() {
			buf := pool.Get(in.SizeVT())
			if _, err := in.MarshalToSizedBufferVT(*buf); err != nil {
				b.Fatal(err)
			}
			pool.Put(buf)
			joined := recv.MaterializeToBuffer(pool)
			var out pb.DataBatch
			if err := out.UnmarshalVT(joined.ReadOnlyData()); err != nil {
				b.Fatal(err)
			}
			joined.Free()
		}
	})
}

// The pieces of one value that are all in a batch (a block's header, then
// its elements: ChunkWriter.ValueParts) go out as one chunk, its data
// pointing at both pieces; a run of pieces that is not a whole value goes
// out as it is.
func TestDataBatchJoinsAValuesPieces(t *testing.T) {
	head, body := []byte("DKB\x01head"), bytes.Repeat([]byte{5}, aliasData+3)
	small := &pb.DataChunk{Key: "s", Data: []byte("x"), Last: true, Nbytes: 1}
	in := &pb.DataBatch{Chunks: []*pb.DataChunk{
		small,
		{Key: "b", Data: head, Nbytes: 1 << 20, Type: "*array.Block", Total: int64(len(head) + len(body))},
		{Key: "b", Data: body, Last: true},
		small,
	}}
	joined := &pb.DataBatch{Chunks: []*pb.DataChunk{
		small,
		{Key: "b", Data: append(bytes.Clone(head), body...), Last: true, Nbytes: 1 << 20, Type: "*array.Block", Total: int64(len(head) + len(body))},
		small,
	}}
	// The pieces of one value go out as the one chunk holding them.
	data := codecBytesAs(t, in, joined)
	aliased := false
	for _, buf := range data {
		if b := buf.ReadOnlyData(); len(b) > 0 && unsafe.SliceData(b) == unsafe.SliceData(body) {
			aliased = true
		}
	}
	if !aliased {
		t.Error("the body was copied into the message")
	}
	var out pb.DataBatch
	if err := newCodec().Unmarshal(data, &out); err != nil || !proto.Equal(&out, joined) {
		t.Fatalf("read back as %v, %v", &out, err)
	}
	// Not a whole value: the length says more is to come, or another
	// key's chunk is in between; each goes out as it is.
	for _, partial := range []*pb.DataBatch{
		{Chunks: []*pb.DataChunk{{Key: "b", Data: head, Total: 1 << 30}, {Key: "b", Data: body, Last: true}}},
		{Chunks: []*pb.DataChunk{{Key: "b", Data: head, Total: int64(len(head) + len(body))}, small, {Key: "b", Data: body, Last: true}}},
		{Chunks: []*pb.DataChunk{{Key: "b", Data: head, Total: int64(len(head) + len(body))}, {Key: "b", Data: body}}},
	} {
		codecBytesAs(t, partial, partial)
	}
}

// A received message is joined so that its first chunk's data starts
// 8-byte aligned, whatever its key's length and however gRPC cut it into
// frames: a block in it can be decoded as a view of its elements.
func TestDataBatchFirstChunkDataAligned(t *testing.T) {
	for keyLen := range 20 {
		in := &pb.DataBatch{Chunks: []*pb.DataChunk{{Key: string(bytes.Repeat([]byte("k"), keyLen)), Data: bytes.Repeat([]byte{7}, 100000), Last: true, Total: 100000}}}
		m, err := in.MarshalVT()
		if err != nil {
			t.Fatal(err)
		}
		for _, frame := range []int{3, 16 << 10, len(m)} {
			var frames mem.BufferSlice
			for lo := 0; lo < len(m); lo += frame {
				frames = append(frames, mem.SliceBuffer(m[lo:min(lo+frame, len(m))]))
			}
			var out pb.DataBatch
			if err := unmarshalData(frames, &out); err != nil || len(out.Chunks) != 1 {
				t.Fatalf("key of %d, frames of %d: %v, %d chunks", keyLen, frame, err, len(out.Chunks))
			}
			d := out.Chunks[0].Data
			if !bytes.Equal(d, in.Chunks[0].Data) || out.Chunks[0].Key != in.Chunks[0].Key {
				t.Fatalf("key of %d, frames of %d: the chunk came back changed", keyLen, frame)
			}
			if at := uintptr(unsafe.Pointer(unsafe.SliceData(d))); at%8 != 0 {
				t.Errorf("key of %d, frames of %d: the data starts at an address ≡ %d mod 8", keyLen, frame, at%8)
			}
		}
	}
	if firstDataOffset([]byte{0x0a}) != 0 || firstDataOffset(nil) != 0 || firstDataOffset([]byte{0x12, 0x01, 0x00}) != 0 {
		t.Error("a message whose first chunk's data is not found is not shifted")
	}
}

// codecBytesAs marshals in with the codec and fails the test unless its
// bytes are, byte for byte, those the generated code writes for like.
func codecBytesAs(t *testing.T, in, like *pb.DataBatch) mem.BufferSlice {
	t.Helper()
	data, err := newCodec().Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want, err := like.MarshalVT()
	if err != nil {
		t.Fatal(err)
	}
	if got := data.Materialize(); !bytes.Equal(got, want) {
		t.Fatalf("the codec's %d bytes for %v differ from the generated code's %d", len(got), in, len(want))
	}
	return data
}
