package codec

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
)

// The fast paths for number slices must write exactly what the CBOR library
// writes, and read back what it reads.
func TestNumberSlicesMatchTheCBORLibrary(t *testing.T) {
	long := make([]float64, 70_000)
	for i := range long {
		long[i] = float64(i) / 7
	}
	ints := []int64{0, 1, 23, 24, 255, 256, 65535, 65536, 1 << 32, math.MaxInt64, -1, -24, -25, -256, -257, math.MinInt64}
	values := []any{
		[]float64(nil), []float64{}, []float64{0, math.Copysign(0, -1), 1.5, math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64},
		long, []float32{1.25, float32(math.Inf(-1)), float32(math.NaN())},
		[]int64(nil), []int64{}, ints, []int{1, -1, math.MaxInt, math.MinInt},
	}
	for _, i := range ints {
		values = append(values, i, int(i))
	}
	for _, v := range values {
		if reflect.TypeOf(v).Kind() != reflect.Slice {
			continue
		}
		got := mustEncode(t, v)
		want, err := encMode.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[1:], want) {
			t.Errorf("%T of %d: fast encoding differs from the library's", v, reflect.ValueOf(v).Len())
		}
		fast := reflect.New(reflect.TypeOf(v))
		if err := DecodeInto(got, fast.Interface()); err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		slow := reflect.New(reflect.TypeOf(v))
		if err := decMode.Unmarshal(want, slow.Interface()); err != nil {
			t.Fatal(err)
		}
		if !sameBits(fast.Elem(), slow.Elem()) {
			t.Errorf("%T: fast decoding differs from the library's", v)
		}
	}
}

// sameBits compares slices of numbers bit for bit, so NaNs compare equal.
func sameBits(a, b reflect.Value) bool {
	if a.Len() != b.Len() || a.IsNil() != b.IsNil() {
		return false
	}
	for i := range a.Len() {
		x, y := a.Index(i), b.Index(i)
		switch x.Kind() {
		case reflect.Float32, reflect.Float64:
			if math.Float64bits(x.Float()) != math.Float64bits(y.Float()) && !(math.IsNaN(x.Float()) && math.IsNaN(y.Float())) {
				return false
			}
		default:
			if x.Int() != y.Int() {
				return false
			}
		}
	}
	return true
}

func TestNumberSlicesFallBack(t *testing.T) {
	// Arrays the fast paths do not expect still decode through the library.
	mixed := mustEncode(t, []any{1.5, 2.5})
	var f []float64
	if err := DecodeInto(mixed, &f); err != nil || !reflect.DeepEqual(f, []float64{1.5, 2.5}) {
		t.Errorf("floats via any: %v, %v", f, err)
	}
	var i []int
	if err := DecodeInto(mustEncode(t, []int8{1, -2}), &i); err != nil || !reflect.DeepEqual(i, []int{1, -2}) {
		t.Errorf("ints from int8: %v, %v", i, err)
	}
	var f32 []float32
	if err := DecodeInto(mustEncode(t, []float64{1.5}), &f32); err != nil || !reflect.DeepEqual(f32, []float32{1.5}) {
		t.Errorf("float32 from float64: %v, %v", f32, err)
	}
	// Out of range and malformed input fails in the library, with its error.
	var i64 []int64
	if err := DecodeInto(mustEncode(t, []uint64{math.MaxUint64}), &i64); err == nil {
		t.Error("uint64 max decoded into int64")
	}
	for _, b := range [][]byte{{byte(CBOR), 0x82, 0xfb}, {byte(CBOR), 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {byte(CBOR), 0x81, 0x01, 0x01}} {
		if err := DecodeInto(b, &f); err == nil {
			t.Errorf("%x decoded into []float64", b)
		}
		if err := DecodeInto(b, &i); err == nil {
			t.Errorf("%x decoded into []int", b)
		}
	}
}

func TestScalarsMatchTheCBORLibrary(t *testing.T) {
	values := []any{0, 23, 24, -24, -25, math.MaxInt, math.MinInt, int64(math.MinInt64), uint64(math.MaxUint64),
		0.0, -1.5, math.Inf(-1), math.NaN(), "", "text", strings.Repeat("x", 300), "\xff", true, false}
	for _, v := range values {
		got := mustEncode(t, v)
		want, err := encMode.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[1:], want) {
			t.Errorf("%T %v: fast encoding %x differs from the library's %x", v, v, got[1:], want)
		}
	}
}
