package array

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/internal/unzeroed"
)

// A block travels as its header and raw elements, and comes back equal.
func TestBlockEncoding(t *testing.T) {
	b := blockOf([]int32{1, -2, 3, 4, 5, 6}, []int{2, 3})
	enc, err := codec.Encode(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) > 4*6+16 {
		t.Fatalf("a block of 24 bytes of elements encodes to %d bytes", len(enc))
	}
	v, err := codec.Decode(enc, reflect.TypeFor[*Block]())
	if err != nil {
		t.Fatal(err)
	}
	back := v.Interface().(*Block)
	if back.DType != Int32 || !slices.Equal(back.Shape, []int{2, 3}) || !slices.Equal(values[int32](back), []int32{1, -2, 3, 4, 5, 6}) {
		t.Fatalf("decoded %+v", back)
	}
	raw, _ := b.MarshalBinary()
	for _, bad := range [][]byte{raw[:3], raw[:len(raw)-1], append(slices.Clone(raw), 0), append([]byte("XKB\x01"), raw[4:]...)} {
		var x Block
		if err := x.UnmarshalBinary(bad); !errors.Is(err, errBlock) {
			t.Errorf("decoding %d bytes of a damaged block: %v", len(bad), err)
		}
	}
	if n := codec.SizeOf(blockOf(make([]float64, 1000), []int{1000})); n < 8000 || n > 8400 {
		t.Fatalf("SizeOf a block of 1000 float64s is %d", n)
	}
}

func TestAutoChunks(t *testing.T) {
	for _, tc := range []struct {
		shape []int
		dt    DType
		want  [][]int
	}{
		{[]int{20000, 20000}, Float64, [][]int{slices.Repeat([]int{4000}, 5), slices.Repeat([]int{4000}, 5)}},
		{[]int{100, 3}, Float64, [][]int{{100}, {3}}},
		{[]int{1 << 30}, Int32, [][]int{slices.Repeat([]int{1 << 25}, 32)}},
		{[]int{10, 100000, 1000}, Float32, [][]int{{10}, split(100000, 3334), {1000}}},
	} {
		got := autoChunks(tc.shape, tc.dt)
		if !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Errorf("auto chunks of %v %s: %v, want %v", tc.shape, tc.dt, shortChunks(got), shortChunks(tc.want))
		}
		bytes := tc.dt.Size()
		for _, c := range got {
			bytes *= c[0]
		}
		if bytes > AutoTarget {
			t.Errorf("auto chunks of %v %s: blocks of %d bytes", tc.shape, tc.dt, bytes)
		}
	}
}

func shortChunks(cs [][]int) [][]int {
	out := make([][]int, len(cs))
	for i, c := range cs {
		out[i] = []int{c[0], len(c)}
	}
	return out
}

func TestPromote(t *testing.T) {
	for _, tc := range []struct{ a, b, want DType }{
		{Int32, Int64, Int64}, {Int32, Float32, Float64}, {Int64, Float32, Float64}, {Float32, Float64, Float64},
		{Bool, Int32, Int32}, {Bool, Float32, Float32}, {Float32, Float32, Float32},
	} {
		if got := Promote(tc.a, tc.b); got != tc.want {
			t.Errorf("Promote(%s, %s) = %s, want %s", tc.a, tc.b, got, tc.want)
		}
		if got := Promote(tc.b, tc.a); got != tc.want {
			t.Errorf("Promote(%s, %s) = %s, want %s", tc.b, tc.a, got, tc.want)
		}
	}
}

// AppendBinaryHead gives AppendBinary's bytes as the header and the
// block's own elements, not copied.
func TestAppendBinaryHead(t *testing.T) {
	b := blockOf([]float64{1, 2, 3, 4, 5, 6}, []int{2, 3})
	whole, err := b.AppendBinary([]byte("prefix"))
	if err != nil {
		t.Fatal(err)
	}
	head, body, err := b.AppendBinaryHead([]byte("prefix"))
	if err != nil {
		t.Fatal(err)
	}
	if string(append(head, body...)) != string(whole) {
		t.Fatal("header and elements are not AppendBinary's bytes")
	}
	if &body[0] != &b.data[0] {
		t.Error("the elements were copied")
	}
}

// A block's elements are encoded at a multiple of 8 bytes from the start
// of the buffer it is appended to, and decoded from an aligned buffer as
// a view of them (not copied); from an unaligned one, or from the older
// unpadded encoding, as a copy.
func TestBlockEncodingAligned(t *testing.T) {
	b := blockOf([]float64{1, 2, 3, 4, 5, 6}, []int{2, 3})
	for prefix := range 9 {
		head, body, err := b.AppendBinaryHead(make([]byte, prefix, 64))
		if err != nil || len(head)%8 != 0 || len(body) != 48 {
			t.Fatalf("after %d bytes: a header of %d bytes, %d of elements, %v", prefix, len(head), len(body), err)
		}
	}
	enc, _ := b.MarshalBinary()
	buf := unzeroed.Bytes(len(enc) + 1)
	for shift := range 2 {
		p := buf[shift : shift+len(enc)]
		copy(p, enc)
		var back Block
		if err := back.UnmarshalBinary(p); err != nil || !slices.Equal(values[float64](&back), values[float64](b)) || !slices.Equal(back.Shape, b.Shape) {
			t.Fatalf("shifted by %d: %+v, %v", shift, back, err)
		}
		view := &back.data[0] == &p[len(p)-48]
		if view != (shift == 0) {
			t.Errorf("shifted by %d: the block views its encoding: %v", shift, view)
		}
	}
	// Version 1: no padding byte.
	v1 := append([]byte("DKB\x01\x00\x02\x02\x03"), enc[len(enc)-48:]...)
	v1[4] = byte(Float64)
	var back Block
	if err := back.UnmarshalBinary(v1); err != nil || !slices.Equal(values[float64](&back), values[float64](b)) {
		t.Fatalf("a version 1 encoding: %+v, %v", back, err)
	}
	huge, _, _ := (&Block{DType: Float64, Shape: []int{1 << 39, 1 << 39, 1 << 39}}).AppendBinaryHead(nil)
	for _, bad := range [][]byte{append(slices.Clone(enc[:8]), 8), enc[:len(enc)-49], append(huge, 1, 2, 3, 4, 5, 6, 7, 8)} {
		if err := back.UnmarshalBinary(bad); !errors.Is(err, errBlock) {
			t.Errorf("bad padding %v: %v", bad, err)
		}
	}
}
