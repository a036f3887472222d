package codec

import (
	"encoding"
	"encoding/gob"
	"errors"
	"fmt"
	"reflect"

	"github.com/fxamacker/cbor/v2"
)

// The byte after the Gob format byte names the method pair that made the
// payload, so that decoding calls the matching one.
const (
	gobMethodGob    = 'G' // GobEncode / GobDecode
	gobMethodBinary = 'B' // MarshalBinary / UnmarshalBinary
)

var (
	gobDecoderType        = reflect.TypeFor[gob.GobDecoder]()
	binaryUnmarshalerType = reflect.TypeFor[encoding.BinaryUnmarshaler]()
)

// appendGob appends the Gob encoding of v to dst when v's type qualifies:
// it implements gob.GobEncoder or encoding.BinaryMarshaler, a pointer to it
// implements the matching decoder, and it is not a cbor.Marshaler. ok is
// false when v does not qualify; dst is then unchanged. A BinaryMarshaler
// that is also an encoding.BinaryAppender appends its encoding to dst
// itself (the same bytes MarshalBinary gives), without a copy in between.
func appendGob(dst []byte, v any) (out []byte, ok bool, err error) {
	if _, isCBOR := v.(cbor.Marshaler); isCBOR {
		return dst, false, nil
	}
	var (
		method byte
		data   []byte
	)
	switch m := v.(type) {
	case gob.GobEncoder:
		if !decodable(v, gobDecoderType) {
			return dst, false, nil
		}
		method = gobMethodGob
		data, err = m.GobEncode()
	case encoding.BinaryMarshaler:
		if !decodable(v, binaryUnmarshalerType) {
			return dst, false, nil
		}
		if a, ok := binaryAppender(v); ok {
			// Straight into dst: no copy of a large value in between.
			out, err := a.AppendBinary(append(dst, byte(Gob), gobMethodBinary))
			if err != nil {
				return dst, true, fmt.Errorf("codec: encoding a %T through its own method: %w", v, err)
			}
			return out, true, nil
		}
		method = gobMethodBinary
		data, err = m.MarshalBinary()
	default:
		return dst, false, nil
	}
	if err != nil {
		return dst, true, fmt.Errorf("codec: encoding a %T through its own method: %w", v, err)
	}
	dst = append(dst, byte(Gob), method)
	return append(dst, data...), true, nil
}

// binaryAppender returns v as the encoding.BinaryAppender that appendGob
// encodes it through, if it does: a BinaryMarshaler (not a CBOR marshaler
// or a GobEncoder, which go their own ways) that can be decoded again and
// can append itself.
func binaryAppender(v any) (encoding.BinaryAppender, bool) {
	if _, isCBOR := v.(cbor.Marshaler); isCBOR {
		return nil, false
	}
	if _, isGob := v.(gob.GobEncoder); isGob {
		return nil, false
	}
	if _, ok := v.(encoding.BinaryMarshaler); !ok || !decodable(v, binaryUnmarshalerType) {
		return nil, false
	}
	a, ok := v.(encoding.BinaryAppender)
	return a, ok
}

// decodable reports whether a value like v can be rebuilt through iface:
// whether v's type, if it is a pointer, or else a pointer to it, implements
// iface.
func decodable(v any, iface reflect.Type) bool {
	t := reflect.TypeOf(v)
	if t.Kind() != reflect.Pointer {
		t = reflect.PointerTo(t)
	}
	return t.Implements(iface)
}

// setGob rebuilds dst from a Gob payload through the decoding method that
// matches the encoding one, allocating through pointers as needed.
func setGob(dst reflect.Value, payload []byte) error {
	if len(payload) == 0 {
		return errors.New("payload has no method byte")
	}
	var iface reflect.Type
	switch payload[0] {
	case gobMethodGob:
		iface = gobDecoderType
	case gobMethodBinary:
		iface = binaryUnmarshalerType
	default:
		return fmt.Errorf("unknown method byte %#02x", payload[0])
	}
	data := payload[1:]
	for {
		if p := dst.Addr(); p.Type().Implements(iface) {
			if iface == gobDecoderType {
				return p.Interface().(gob.GobDecoder).GobDecode(data)
			}
			return p.Interface().(encoding.BinaryUnmarshaler).UnmarshalBinary(data)
		}
		switch dst.Kind() {
		case reflect.Pointer:
			if dst.IsNil() {
				dst.Set(reflect.New(dst.Type().Elem()))
			}
			dst = dst.Elem()
			continue
		case reflect.Interface:
			return errors.New("the value was encoded through its own method, so only its concrete type can decode it")
		}
		return fmt.Errorf("%v does not implement %v", dst.Addr().Type(), iface)
	}
}
