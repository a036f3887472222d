package codec

import (
	"encoding"
	"math/big"
	"reflect"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Encode returns the encoding of v: one format byte, then the payload. See
// the package documentation for how the format is chosen. A []byte is
// copied once, into the result.
func Encode(v any) ([]byte, error) {
	return AppendEncode(make([]byte, 0, encodedSizeHint(v)), v)
}

// AppendEncode appends the encoding of v to dst and returns the extended
// slice. On error it returns dst unchanged (though bytes past its length may
// have been written).
func AppendEncode(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return appendRaw(dst, x), nil
	case arrow.RecordBatch:
		return appendArrowRecord(dst, x)
	case arrow.Table:
		return appendArrowTable(dst, x)
	case []float64:
		return appendFloats(dst, x), nil
	case []float32:
		return appendFloats(dst, x), nil
	case []int64:
		return appendInts(dst, x), nil
	case []int:
		return appendInts(dst, x), nil
	case time.Time, *big.Int:
		return appendCBOR(dst, v)
	}
	if out, ok := appendScalar(dst, v); ok {
		return out, nil
	}
	if out, ok, err := appendGob(dst, v); ok {
		return out, err
	}
	return appendCBOR(dst, v)
}

// encodedSizeHint guesses the encoded length of v, so that Encode allocates
// its result once for most values.
func encodedSizeHint(v any) int {
	switch x := v.(type) {
	case []byte:
		return 1 + len(x)
	case string:
		return 10 + len(x)
	case arrow.RecordBatch, arrow.Table:
		return 0 // the Arrow writers size their own buffer
	}
	if isScalar(v) {
		return 16
	}
	if _, ok := v.(encoding.BinaryAppender); ok {
		// It appends its own encoding: about its size in memory.
		return int(SizeOf(v)) + 16
	}
	switch reflect.TypeOf(v).Kind() {
	case reflect.Slice, reflect.Map, reflect.Array:
		// CBOR spends at most a quarter more than Go's memory on numbers
		// (a header byte per float32) and less on strings and pointers;
		// SizeOf samples, so this stays cheap.
		return int(SizeOf(v)*5/4) + 64
	}
	return 256
}
