package codec

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"

	"github.com/fxamacker/cbor/v2"
)

// encMode and decMode are built once and never changed; both are safe for
// concurrent use.
var (
	encMode = mustEncMode()
	decMode = mustDecMode()
)

func mustEncMode() cbor.UserBufferEncMode {
	em, err := cbor.EncOptions{
		// Map keys stay in Go's order: sorting costs time on every map and
		// dusk does not hash encodings.
		Sort: cbor.SortNone,
		// Floats keep their width (NaN and infinities too), so float32 and
		// float64 round-trip as such and NaN payloads survive.
		ShortestFloat: cbor.ShortestFloatNone,
		NaNConvert:    cbor.NaNConvertNone,
		InfConvert:    cbor.InfConvertNone,
		// RFC 3339 text keeps nanoseconds and the offset; tag 0 lets a time
		// decode into any as a time.Time.
		Time:    cbor.TimeRFC3339Nano,
		TimeTag: cbor.EncTagRequired,
		// nil slices and maps stay nil.
		NilContainers: cbor.NilContainerAsNull,
	}.UserBufferEncMode()
	if err != nil {
		panic("codec: bad CBOR encoding options: " + err.Error())
	}
	return em
}

func mustDecMode() cbor.DecMode {
	dm, err := cbor.DecOptions{
		// Hostile input cannot nest deep enough to exhaust the stack...
		MaxNestedLevels: MaxDepth,
		// ...but real data is large. Well-formedness is checked before any
		// allocation, so a length field cannot claim more items than the
		// input holds bytes.
		MaxArrayElements: 2147483647,
		MaxMapPairs:      2147483647,
		// Go strings may hold any bytes; let them round-trip.
		UTF8: cbor.UTF8DecodeInvalid,
	}.DecMode()
	if err != nil {
		panic("codec: bad CBOR decoding options: " + err.Error())
	}
	return dm
}

// appendCBOR appends the CBOR form of v (with its format byte) to dst.
func appendCBOR(dst []byte, v any) ([]byte, error) {
	if !isScalar(v) && !checkDepth(reflect.ValueOf(v)) {
		return dst, &DepthError{Type: reflect.TypeOf(v)}
	}
	// MarshalToBuffer appends in place while dst has room, so the caller's
	// capacity is used as it is.
	buf := bytes.NewBuffer(append(dst, byte(CBOR)))
	if err := encMode.MarshalToBuffer(v, buf); err != nil {
		return dst, cborEncodeError(v, err)
	}
	return buf.Bytes(), nil
}

// isScalar reports whether v is nil or of a basic type, which needs no depth
// check.
func isScalar(v any) bool {
	switch v.(type) {
	case nil, bool, string, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		float32, float64:
		return true
	}
	return false
}

// cborEncodeError turns the CBOR library's error for v into one of ours.
func cborEncodeError(v any, err error) error {
	if ute, ok := errors.AsType[*cbor.UnsupportedTypeError](err); ok {
		inner := ute.Type
		if found := findUnsupported(inner, map[reflect.Type]bool{}); found != nil {
			inner = found
		}
		return &UnsupportedTypeError{Type: reflect.TypeOf(v), Inner: inner}
	}
	return fmt.Errorf("codec: cannot encode a value of type %T as CBOR: %w", v, err)
}

// findUnsupported returns the first type inside t, through exported fields,
// elements, keys and pointers, that CBOR cannot encode, or nil.
func findUnsupported(t reflect.Type, seen map[reflect.Type]bool) reflect.Type {
	if seen[t] {
		return nil
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Uintptr,
		reflect.Complex64, reflect.Complex128:
		return t
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return findUnsupported(t.Elem(), seen)
	case reflect.Map:
		if u := findUnsupported(t.Key(), seen); u != nil {
			return u
		}
		return findUnsupported(t.Elem(), seen)
	case reflect.Struct:
		for _, i := range factsOf(t).encoded {
			if u := findUnsupported(t.Field(i).Type, seen); u != nil {
				return u
			}
		}
	}
	return nil
}
