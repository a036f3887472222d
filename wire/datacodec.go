package wire

import (
	"bytes"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/dusk-go/dusk/wire/pb"
)

// The data plane's message, DataBatch (values moving between workers and
// clients, in chunks), has a marshaller and an unmarshaller of its own
// that do not copy a large chunk's data: it was copied once into the
// message's buffer on the way out and twice on the way in (the received
// frames joined into one buffer, then the generated decoder's copy of
// each bytes field). The bytes on the wire are the generated code's,
// byte for byte (TestDataBatchBytesAreProtobufs); the decoder reads what
// protobuf's own decoder reads (FuzzDataBatchDecoderAgreesWithProtobuf).

// Field numbers of DataBatch and DataChunk (pb/dusk.proto).
const (
	batchChunks = 1

	chunkKey     = 1
	chunkData    = 2
	chunkLast    = 3
	chunkNbytes  = 4
	chunkType    = 5
	chunkMissing = 6
	chunkTotal   = 7
)

// aliasData is the size from which a chunk's data is not copied into
// the message's buffer but sent from where it is, as a buffer of its own.
const aliasData = 32 << 10

// marshalData encodes b as the generated code would, with each chunk's
// data of aliasData bytes or more as a buffer of its own pointing at the
// chunk's bytes (which must not change until gRPC has sent them: values
// do not change once stored). The pieces of one value that are all in b
// (ChunkWriter.ValueParts: a block's header, then its elements) go out as
// one chunk whose data is their concatenation, each piece sent from where
// it is: the receiver gets the value in one piece, as if it had been
// encoded into one buffer, which it was not.
func marshalData(b *pb.DataBatch) (mem.BufferSlice, error) {
	var out mem.BufferSlice
	var cur []byte
	chunks := b.GetChunks()
	for _, c := range chunks {
		if len(c.ProtoReflect().GetUnknown()) > 0 {
			// Not made by dusk's chunk writer: the generated code's way.
			m, err := b.MarshalVT()
			if err != nil {
				return nil, err
			}
			return mem.BufferSlice{mem.SliceBuffer(m)}, nil
		}
	}
	for i := 0; i < len(chunks); {
		c, end := chunks[i], wholeValue(chunks, i)
		pieces := chunks[i:end]
		i = end
		rest := &pb.DataChunk{Last: pieces[len(pieces)-1].Last, Nbytes: c.Nbytes, Type: c.Type, Missing: c.Missing, Total: c.Total}
		data := 0
		for _, p := range pieces {
			data += len(p.Data)
		}
		restSize := rest.SizeVT()
		size := restSize
		if len(c.Key) > 0 {
			size += protowire.SizeTag(chunkKey) + protowire.SizeBytes(len(c.Key))
		}
		if data > 0 {
			size += protowire.SizeTag(chunkData) + protowire.SizeBytes(data)
		}
		cur = protowire.AppendTag(cur, batchChunks, protowire.BytesType)
		cur = protowire.AppendVarint(cur, uint64(size))
		cur = appendString(cur, chunkKey, c.Key)
		if data > 0 {
			cur = protowire.AppendTag(cur, chunkData, protowire.BytesType)
			cur = protowire.AppendVarint(cur, uint64(data))
			for _, p := range pieces {
				if len(p.Data) < aliasData {
					cur = append(cur, p.Data...)
					continue
				}
				if len(cur) > 0 {
					out = append(out, mem.SliceBuffer(cur))
				}
				out = append(out, mem.SliceBuffer(p.Data))
				cur = nil
			}
		}
		n := len(cur)
		cur = append(cur, make([]byte, restSize)...)
		if _, err := rest.MarshalToSizedBufferVT(cur[n:]); err != nil {
			return nil, err
		}
	}
	if len(cur) > 0 || len(out) == 0 {
		out = append(out, mem.SliceBuffer(cur))
	}
	return out, nil
}

// wholeValue returns the end of the run of chunks from i that are all
// the pieces of one value: the first carries the value's length (Total),
// the others only data, the last is marked Last, and their data add up to
// the length. Otherwise the run is chunk i alone.
func wholeValue(chunks []*pb.DataChunk, i int) int {
	c := chunks[i]
	if c.Last || c.Missing || c.Total <= 0 {
		return i + 1
	}
	n := int64(len(c.Data))
	for j := i + 1; j < len(chunks); j++ {
		d := chunks[j]
		if d.Key != c.Key || d.Missing || d.Nbytes != 0 || d.Type != "" || d.Total != 0 {
			return i + 1
		}
		if n += int64(len(d.Data)); d.Last {
			if n == c.Total {
				return j + 1
			}
			return i + 1
		}
	}
	return i + 1
}

// unmarshalData decodes data into b (appending to its chunks, as
// protobuf merges). The message is joined into one new buffer, which a
// chunk holding at least half of it keeps pointing into; a smaller
// chunk's data is copied out, so that a small value kept for long does
// not keep a large message alive.
func unmarshalData(data mem.BufferSlice, b *pb.DataBatch) error {
	msg := joinAligned(data)
	return eachField(msg, func(f field) error {
		if f.num != batchChunks || f.typ != protowire.BytesType {
			return nil
		}
		c, err := readChunk(f.b, keepChunk(len(f.b), len(msg)))
		if err != nil {
			return err
		}
		b.Chunks = append(b.Chunks, c)
		return nil
	})
}

// joinAligned joins the frames of a message into one new buffer (not
// zeroed first: bytes.Join writes it whole) placed so that the first
// chunk's data starts 8-byte aligned: a value in it that aligns its own
// contents (an array block's elements) can then be viewed where it is
// rather than copied out. The first chunk's header is found in the
// message's first bytes; if it is not there, the buffer is not shifted.
func joinAligned(data mem.BufferSlice) []byte {
	var peek [dataPeek]byte
	n := 0
	for _, buf := range data {
		n += copy(peek[n:], buf.ReadOnlyData())
		if n == len(peek) {
			break
		}
	}
	pad := (8 - firstDataOffset(peek[:n])%8) % 8
	parts := make([][]byte, 0, len(data)+1)
	parts = append(parts, make([]byte, pad))
	for _, buf := range data {
		parts = append(parts, buf.ReadOnlyData())
	}
	return bytes.Join(parts, nil)[pad:]
}

// dataPeek is how many of a message's first bytes joinAligned reads to
// find its first chunk's data: a key of up to about 200 bytes.
const dataPeek = 256

// firstDataOffset returns where the data of the first chunk of a
// DataBatch starts in msg (its first bytes), or 0 if that is not there:
// the chunk's tag and length, then its key if any, then its data's tag
// and length (the order dusk's marshaller and the generated code write).
func firstDataOffset(msg []byte) int {
	num, typ, n := protowire.ConsumeTag(msg)
	if n < 0 || num != batchChunks || typ != protowire.BytesType {
		return 0
	}
	at := n
	if _, n = protowire.ConsumeVarint(msg[at:]); n < 0 {
		return 0
	}
	at += n
	for at < len(msg) {
		num, typ, n := protowire.ConsumeTag(msg[at:])
		if n < 0 || typ != protowire.BytesType || num != chunkKey && num != chunkData {
			return 0
		}
		at += n
		if num == chunkData {
			if _, n = protowire.ConsumeVarint(msg[at:]); n < 0 {
				return 0
			}
			return at + n
		}
		if _, n = protowire.ConsumeBytes(msg[at:]); n < 0 {
			return 0
		}
		at += n
	}
	return 0
}

// keepChunk says whether a chunk of n bytes keeps pointing into its
// message of total bytes.
func keepChunk(n, total int) bool { return 2*n >= total }

// readChunk reads one DataChunk; its data points into b when keep is
// set, and is a copy otherwise.
func readChunk(b []byte, keep bool) (*pb.DataChunk, error) {
	c := &pb.DataChunk{}
	err := eachField(b, func(f field) (err error) {
		switch {
		case f.typ == protowire.BytesType && f.num == chunkKey:
			c.Key, err = f.str("a chunk's key")
		case f.typ == protowire.BytesType && f.num == chunkType:
			c.Type, err = f.str("a chunk's type")
		case f.typ == protowire.BytesType && f.num == chunkData:
			if keep {
				c.Data = f.b
			} else {
				c.Data = append([]byte{}, f.b...)
			}
		case f.typ == protowire.VarintType && f.num == chunkLast:
			c.Last = f.v != 0
		case f.typ == protowire.VarintType && f.num == chunkMissing:
			c.Missing = f.v != 0
		case f.typ == protowire.VarintType && f.num == chunkNbytes:
			c.Nbytes = int64(f.v)
		case f.typ == protowire.VarintType && f.num == chunkTotal:
			c.Total = int64(f.v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
