package codec

import (
	"encoding/binary"
	"math"
	"slices"
)

// Fast paths for the commonest values. Small scalars are most of the
// arguments and results of tasks, and slices of numbers are the bulk of many
// values, which the CBOR library handles one reflect.Value at a time. The
// functions here write the same bytes as the library, without reflection,
// and read slices of numbers back in tight loops. Decoding falls back to the
// library on anything they do not expect, so foreign encodings still decode.

// CBOR initial bytes used here.
const (
	cborArray   = 0x80
	cborUint    = 0x00
	cborNegInt  = 0x20
	cborText    = 0x60
	cborFalse   = 0xf4
	cborTrue    = 0xf5
	cborFloat32 = 0xfa
	cborFloat64 = 0xfb
	cborNull    = 0xf6
)

// appendHead appends a CBOR head of the given major type (in the top three
// bits of major) and argument n, in its shortest form.
func appendHead(dst []byte, major byte, n uint64) []byte {
	switch {
	case n < 24:
		return append(dst, major|byte(n))
	case n <= math.MaxUint8:
		return append(dst, major|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, major|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, major|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(dst, major|27), n)
}

// readHead reads a CBOR head from b: its major type bits, argument and
// length. ok is false for indefinite lengths, reserved values and short
// input.
func readHead(b []byte) (major byte, n uint64, size int, ok bool) {
	if len(b) == 0 {
		return 0, 0, 0, false
	}
	major, ai := b[0]&0xe0, b[0]&0x1f
	switch {
	case ai < 24:
		return major, uint64(ai), 1, true
	case ai == 24 && len(b) >= 2:
		return major, uint64(b[1]), 2, true
	case ai == 25 && len(b) >= 3:
		return major, uint64(binary.BigEndian.Uint16(b[1:])), 3, true
	case ai == 26 && len(b) >= 5:
		return major, uint64(binary.BigEndian.Uint32(b[1:])), 5, true
	case ai == 27 && len(b) >= 9:
		return major, binary.BigEndian.Uint64(b[1:]), 9, true
	}
	return 0, 0, 0, false
}

// appendScalar appends the CBOR encoding of v (with its format byte) when v
// is an int, int64, uint64, float64, string or bool. ok is false otherwise.
func appendScalar(dst []byte, v any) (out []byte, ok bool) {
	switch x := v.(type) {
	case int:
		return appendInt(append(dst, byte(CBOR)), int64(x)), true
	case int64:
		return appendInt(append(dst, byte(CBOR)), x), true
	case uint64:
		return appendHead(append(dst, byte(CBOR)), cborUint, x), true
	case float64:
		return binary.BigEndian.AppendUint64(append(dst, byte(CBOR), cborFloat64), math.Float64bits(x)), true
	case string:
		return append(appendHead(append(dst, byte(CBOR)), cborText, uint64(len(x))), x...), true
	case bool:
		if x {
			return append(dst, byte(CBOR), cborTrue), true
		}
		return append(dst, byte(CBOR), cborFalse), true
	}
	return dst, false
}

// appendInt appends the CBOR item for v.
func appendInt(dst []byte, v int64) []byte {
	if v >= 0 {
		return appendHead(dst, cborUint, uint64(v))
	}
	return appendHead(dst, cborNegInt, uint64(^v))
}

// appendFloats appends the CBOR encoding of s (with its format byte), each
// item as a float of the element's width.
func appendFloats[T float32 | float64](dst []byte, s []T) []byte {
	dst = append(dst, byte(CBOR))
	if s == nil {
		return append(dst, cborNull)
	}
	dst = appendHead(dst, cborArray, uint64(len(s)))
	width := floatWidth[T]()
	start := len(dst)
	dst = slices.Grow(dst, (1+width)*len(s))[:start+(1+width)*len(s)]
	out := dst[start:]
	for i, f := range s {
		item := out[i*(1+width) : (i+1)*(1+width)]
		if width == 8 {
			item[0] = cborFloat64
			binary.BigEndian.PutUint64(item[1:], math.Float64bits(float64(f)))
		} else {
			item[0] = cborFloat32
			binary.BigEndian.PutUint32(item[1:], math.Float32bits(float32(f)))
		}
	}
	return dst
}

func floatWidth[T float32 | float64]() int {
	var z T
	if _, ok := any(z).(float32); ok {
		return 4
	}
	return 8
}

// decodeFloats decodes a CBOR array whose items are all floats of T's width.
// ok is false, and nothing is decoded, for any other input.
func decodeFloats[T float32 | float64](payload []byte) (s []T, ok bool) {
	major, n, h, ok := readHead(payload)
	width := uint64(floatWidth[T]())
	if !ok || major != cborArray || n > uint64(len(payload)) || uint64(len(payload)-h) != n*(1+width) {
		return nil, false
	}
	tag := byte(cborFloat64)
	if width == 4 {
		tag = cborFloat32
	}
	s = make([]T, n)
	in := payload[h:]
	for i := range s {
		item := in[uint64(i)*(1+width) : uint64(i+1)*(1+width)]
		if item[0] != tag {
			return nil, false
		}
		if width == 8 {
			s[i] = T(math.Float64frombits(binary.BigEndian.Uint64(item[1:])))
		} else {
			s[i] = T(math.Float32frombits(binary.BigEndian.Uint32(item[1:])))
		}
	}
	return s, true
}

// appendInts appends the CBOR encoding of s (with its format byte).
func appendInts[T int | int64](dst []byte, s []T) []byte {
	dst = append(dst, byte(CBOR))
	if s == nil {
		return append(dst, cborNull)
	}
	dst = appendHead(dst, cborArray, uint64(len(s)))
	dst = slices.Grow(dst, 3*len(s)) // a guess; append grows it further
	for _, v := range s {
		dst = appendInt(dst, int64(v))
	}
	return dst
}

// decodeInts decodes a CBOR array whose items are all integers that fit T.
// ok is false, and nothing is decoded, for any other input.
func decodeInts[T int | int64](payload []byte) (s []T, ok bool) {
	major, n, h, ok := readHead(payload)
	if !ok || major != cborArray || n > uint64(len(payload)-h) {
		return nil, false
	}
	s = make([]T, n)
	in := payload[h:]
	for i := range s {
		major, v, size, ok := readHead(in)
		if !ok || v > math.MaxInt64 {
			return nil, false
		}
		switch major {
		case cborUint:
			s[i] = T(v)
		case cborNegInt:
			s[i] = T(^int64(v))
		default:
			return nil, false
		}
		in = in[size:]
	}
	if len(in) != 0 {
		return nil, false
	}
	return s, true
}

// decodeNumberSlice decodes payload into ptr when ptr points to one of the
// slice types above and payload has the expected shape. It reports whether
// it did.
func decodeNumberSlice(payload []byte, ptr any) bool {
	switch p := ptr.(type) {
	case *[]float64:
		return setIf(p, decodeFloats[float64], payload)
	case *[]float32:
		return setIf(p, decodeFloats[float32], payload)
	case *[]int64:
		return setIf(p, decodeInts[int64], payload)
	case *[]int:
		return setIf(p, decodeInts[int], payload)
	}
	return false
}

func setIf[S any](p *S, decode func([]byte) (S, bool), payload []byte) bool {
	if p == nil {
		return false // the library reports the nil target
	}
	s, ok := decode(payload)
	if ok {
		*p = s
	}
	return ok
}
