package transfer

import (
	"fmt"

	"github.com/dusk-go/dusk/wire/pb"
)

// DefaultChunkSize is the default size of the pieces a value travels in
// (worker.transfer.chunk-size): a value up to it travels in one piece,
// which the receiver keeps as it arrives instead of joining pieces into a
// new buffer (a copy of the whole value), and which wire's codec sends
// from where it is (no copy into the message).
const DefaultChunkSize = 8 << 20

// batchSize is the size up to which small values share a message.
const batchSize = 1 << 20

// ChunkWriter packs values into DataBatch messages: small values share a
// message of up to about 1 MiB, a value larger than the chunk size is cut
// into pieces of that size.
type ChunkWriter struct {
	send  func(*pb.DataBatch) error
	size  int
	cur   *pb.DataBatch
	bytes int
}

// NewChunkWriter returns a writer that sends batches with send and cuts
// values into pieces of size bytes (DefaultChunkSize if size is not
// positive).
func NewChunkWriter(send func(*pb.DataBatch) error, size int) *ChunkWriter {
	if size <= 0 {
		size = DefaultChunkSize
	}
	return &ChunkWriter{send: send, size: size}
}

func (cw *ChunkWriter) add(cs ...*pb.DataChunk) error {
	if cw.cur == nil {
		cw.cur = &pb.DataBatch{}
	}
	for _, c := range cs {
		cw.cur.Chunks = append(cw.cur.Chunks, c)
		cw.bytes += len(c.Data) + len(c.Key) + 16
	}
	if cw.bytes >= min(cw.size, batchSize) || len(cw.cur.Chunks) >= 4096 {
		return cw.Flush()
	}
	return nil
}

// Value writes one encoded value with its size in memory and type.
func (cw *ChunkWriter) Value(key string, b []byte, nbytes int64, typ string) error {
	first := true
	for {
		n := min(len(b), cw.size)
		c := &pb.DataChunk{Key: key, Data: b[:n], Last: n == len(b)}
		if first {
			c.Nbytes, c.Type, c.Total = nbytes, typ, int64(len(b))
			first = false
		}
		if err := cw.add(c); err != nil {
			return err
		}
		b = b[n:]
		if c.Last {
			return nil
		}
	}
}

// ValueParts writes one encoded value given as a head and a body (see
// codec.EncodeParts) without joining them: up to the chunk size, as two
// pieces in one message, which wire's codec sends as one piece whose data
// points at both (the body is not copied). A larger value is joined and
// cut as Value cuts it.
func (cw *ChunkWriter) ValueParts(key string, head, body []byte, nbytes int64, typ string) error {
	total := len(head) + len(body)
	switch {
	case len(body) == 0:
		return cw.Value(key, head, nbytes, typ)
	case total > cw.size:
		return cw.Value(key, append(head[:len(head):len(head)], body...), nbytes, typ)
	}
	return cw.add(&pb.DataChunk{Key: key, Data: head, Nbytes: nbytes, Type: typ, Total: int64(total)},
		&pb.DataChunk{Key: key, Data: body, Last: true})
}

// Missing writes that key is not here.
func (cw *ChunkWriter) Missing(key string) error {
	return cw.add(&pb.DataChunk{Key: key, Missing: true, Last: true})
}

// Flush sends what is pending.
func (cw *ChunkWriter) Flush() error {
	if cw.cur == nil || len(cw.cur.Chunks) == 0 {
		return nil
	}
	b := cw.cur
	cw.cur, cw.bytes = nil, 0
	return cw.send(b)
}

// Assembler joins chunks back into values.
type Assembler struct {
	key    string
	buf    []byte
	nbytes int64
	typ    string
}

// Add takes the next chunk. When a value is complete it returns it, with
// done true; a missing key comes back with missing true.
func (a *Assembler) Add(c *pb.DataChunk) (key string, data []byte, nbytes int64, typ string, done, missing bool, err error) {
	if c.GetMissing() {
		return c.GetKey(), nil, 0, "", true, true, nil
	}
	if a.key == "" {
		a.key, a.nbytes, a.typ = c.GetKey(), c.GetNbytes(), c.GetType()
		if c.GetLast() {
			// A value in one chunk: keep its buffer as it is.
			a.buf = c.GetData()
		} else {
			const maxPrealloc = 1 << 30 // a hostile size must not allocate blindly
			a.buf = make([]byte, 0, min(c.GetTotal(), maxPrealloc))
			a.buf = append(a.buf, c.GetData()...)
		}
	} else if c.GetKey() != a.key {
		return "", nil, 0, "", false, false, fmt.Errorf("chunk of %s arrived in the middle of %s", c.GetKey(), a.key)
	} else {
		a.buf = append(a.buf, c.GetData()...)
	}
	if !c.GetLast() {
		return "", nil, 0, "", false, false, nil
	}
	key, data, nbytes, typ = a.key, a.buf, a.nbytes, a.typ
	*a = Assembler{}
	return key, data, nbytes, typ, true, false, nil
}
