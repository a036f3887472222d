package codec

import (
	"encoding"
	"fmt"
)

// BodyAppender is a value whose own encoding (AppendBinary, which the
// codec uses for it) ends with bytes it holds as they are, such as an
// array block's elements behind a small header. AppendBinaryHead appends
// the encoding up to those bytes to dst and returns them as body, not
// copied: head followed by body must be what AppendBinary appends.
type BodyAppender interface {
	encoding.BinaryAppender
	AppendBinaryHead(dst []byte) (head, body []byte, err error)
}

// EncodeParts returns the encoding of v (Encode's bytes) as a head and a
// body to be sent one after the other, so that a large value moves
// between processes without being copied into an encoding first. For a
// BodyAppender the codec encodes through its own method, body is v's own
// bytes, which must not change while they are in use (values do not
// change once made); for any other value, head is Encode's bytes and body
// is nil.
func EncodeParts(v any) (head, body []byte, err error) {
	a, ok := v.(BodyAppender)
	if _, via := binaryAppender(v); !ok || !via {
		head, err = Encode(v)
		return head, nil, err
	}
	head, body, err = a.AppendBinaryHead(append(make([]byte, 0, 64), byte(Gob), gobMethodBinary))
	if err != nil {
		return nil, nil, fmt.Errorf("codec: encoding a %T through its own method: %w", v, err)
	}
	return head, body, nil
}
