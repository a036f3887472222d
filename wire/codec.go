package wire

import (
	"fmt"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	"github.com/dusk-go/dusk/wire/pb"
)

// vtMessage is a message with the marshalling code vtprotobuf generated
// for it (pb/dusk_vtproto.pb.go): the same bytes as protobuf's own
// reflective code, made without reflection.
type vtMessage interface {
	SizeVT() int
	MarshalToSizedBufferVT(b []byte) (int, error)
	UnmarshalVT(b []byte) error
}

// codec is the gRPC codec of every dusk server and connection: dusk's
// messages go through their generated marshalling code, anything else
// through protobuf's. The bytes on the wire are protobuf's either way,
// so a peer using the stock codec understands it. It is set per server
// and per connection (never registered globally), each with a pool of
// buffers of its own (bufpool.go), and it is named "proto" so the
// content type stays application/grpc+proto.
type codec struct{ buffers *bufferPool }

var _ encoding.CodecV2 = codec{}

// newCodec returns a codec with a pool of its own.
func newCodec() codec { return codec{buffers: new(bufferPool)} }

func (codec) Name() string { return "proto" }

// Marshal encodes v into one buffer (a DataBatch into several: its large
// chunks' data are not copied, datacodec.go), taken from gRPC's pool when it is
// large enough to be worth pooling (gRPC frees it once sent; the pool is
// dusk's, bufpool.go).
func (c codec) Marshal(v any) (mem.BufferSlice, error) {
	if b, ok := v.(*pb.DataBatch); ok {
		return marshalData(b)
	}
	m, ok := v.(vtMessage)
	if !ok {
		pm, ok := v.(proto.Message)
		if !ok {
			return nil, fmt.Errorf("dusk: cannot encode %T: not a protocol message", v)
		}
		b, err := proto.Marshal(pm)
		if err != nil {
			return nil, err
		}
		return mem.BufferSlice{mem.SliceBuffer(b)}, nil
	}
	size := m.SizeVT()
	if mem.IsBelowBufferPoolingThreshold(size) {
		b := make([]byte, size)
		if _, err := m.MarshalToSizedBufferVT(b); err != nil {
			return nil, err
		}
		return mem.BufferSlice{mem.SliceBuffer(b)}, nil
	}
	buf := c.buffers.Get(size)
	if _, err := m.MarshalToSizedBufferVT((*buf)[:size]); err != nil {
		c.buffers.Put(buf)
		return nil, err
	}
	return mem.BufferSlice{mem.NewBuffer(buf, c.buffers)}, nil
}

// Unmarshal decodes data into v, which gRPC hands over new (the
// generated code merges into what v holds, as proto.Merge would). The
// decoded message copies what it keeps, so data can be freed after (a
// DataBatch's large chunks keep pointing into one new buffer of their
// own, datacodec.go).
func (c codec) Unmarshal(data mem.BufferSlice, v any) error {
	if b, ok := v.(*pb.DataBatch); ok {
		return unmarshalData(data, b)
	}
	buf := data.MaterializeToBuffer(c.buffers)
	defer buf.Free()
	if m, ok := v.(vtMessage); ok {
		return m.UnmarshalVT(buf.ReadOnlyData())
	}
	pm, ok := v.(proto.Message)
	if !ok {
		return fmt.Errorf("dusk: cannot decode into %T: not a protocol message", v)
	}
	return proto.Unmarshal(buf.ReadOnlyData(), pm)
}
