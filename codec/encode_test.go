package codec

import (
	"bytes"
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"
)

type inner struct {
	Name  string
	Score float64
	Tags  []string
}

type outer struct {
	ID      int64
	Inner   inner
	Ptr     *inner
	Nil     *inner
	Many    []inner
	ByName  map[string]inner
	When    time.Time
	Blob    []byte
	Flags   [3]bool
	Counts  map[int]uint16
	private int // not encoded
}

func TestRoundTripScalars(t *testing.T) {
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", name, got, want)
		}
	}
	check("int", roundTrip(t, int(-42), CBOR), int(-42))
	check("int8", roundTrip(t, int8(math.MinInt8), CBOR), int8(math.MinInt8))
	check("int16", roundTrip(t, int16(math.MaxInt16), CBOR), int16(math.MaxInt16))
	check("int32", roundTrip(t, int32(math.MinInt32), CBOR), int32(math.MinInt32))
	check("int64", roundTrip(t, int64(math.MinInt64), CBOR), int64(math.MinInt64))
	check("uint", roundTrip(t, uint(7), CBOR), uint(7))
	check("uint8", roundTrip(t, uint8(255), CBOR), uint8(255))
	check("uint16", roundTrip(t, uint16(65535), CBOR), uint16(65535))
	check("uint32", roundTrip(t, uint32(math.MaxUint32), CBOR), uint32(math.MaxUint32))
	check("uint64", roundTrip(t, uint64(math.MaxUint64), CBOR), uint64(math.MaxUint64))
	check("float32", roundTrip(t, float32(1.5), CBOR), float32(1.5))
	check("float64", roundTrip(t, math.Pi, CBOR), math.Pi)
	check("+inf", roundTrip(t, math.Inf(1), CBOR), math.Inf(1))
	check("bool", roundTrip(t, true, CBOR), true)
	check("string", roundTrip(t, "héllo", CBOR), "héllo")
	check("empty string", roundTrip(t, "", CBOR), "")
	check("invalid utf8", roundTrip(t, "\xff\xfe", CBOR), "\xff\xfe")
	if got := roundTrip(t, math.NaN(), CBOR); !math.IsNaN(got) {
		t.Errorf("NaN: got %v", got)
	}
}

func TestRoundTripComposites(t *testing.T) {
	when := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.FixedZone("X", 3600))
	o := outer{
		ID:     1 << 40,
		Inner:  inner{Name: "a", Score: 0.5, Tags: []string{"x", "y"}},
		Ptr:    &inner{Name: "p"},
		Many:   []inner{{Name: "m1"}, {Name: "m2", Tags: []string{}}},
		ByName: map[string]inner{"k": {Name: "v"}},
		When:   when,
		Blob:   []byte{0, 1, 2},
		Flags:  [3]bool{true, false, true},
		Counts: map[int]uint16{-1: 1, 2: 3},
	}
	got := roundTrip(t, o, CBOR)
	if !got.When.Equal(when) {
		t.Errorf("time: got %v, want %v", got.When, when)
	}
	_, off := got.When.Zone()
	if off != 3600 {
		t.Errorf("time zone offset: got %d, want 3600", off)
	}
	got.When, o.When = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, o) {
		t.Errorf("struct: got %+v\nwant %+v", got, o)
	}

	slices := [][]int{nil, {}, {1, 2, 3}}
	for _, s := range slices {
		if got := roundTrip(t, s, CBOR); !reflect.DeepEqual(got, s) {
			t.Errorf("[]int %#v: got %#v", s, got)
		}
	}
	f := []float64{1, -2.5, math.MaxFloat64, math.SmallestNonzeroFloat64}
	if got := roundTrip(t, f, CBOR); !reflect.DeepEqual(got, f) {
		t.Errorf("[]float64: got %v", got)
	}
	m := map[string][]int{"a": {1}, "b": nil}
	if got := roundTrip(t, m, CBOR); !reflect.DeepEqual(got, m) {
		t.Errorf("map: got %v", got)
	}
	var nilMap map[string]int
	if got := roundTrip(t, nilMap, CBOR); got != nil {
		t.Errorf("nil map: got %#v", got)
	}
	p := &inner{Name: "ptr"}
	if got := roundTrip(t, p, CBOR); got == nil || got.Name != "ptr" {
		t.Errorf("pointer: got %#v", got)
	}
	nested := [][]map[string]any{{{"a": "b"}}}
	if got := roundTrip(t, nested, CBOR); got[0][0]["a"] != "b" {
		t.Errorf("nested: got %#v", got)
	}
	bi, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	if got := roundTrip(t, bi, CBOR); got.Cmp(bi) != 0 {
		t.Errorf("big.Int: got %v", got)
	}
	arr := [4]int16{1, 2, 3, 4}
	if got := roundTrip(t, arr, CBOR); got != arr {
		t.Errorf("array: got %v", got)
	}
}

func TestRoundTripRawBytes(t *testing.T) {
	for _, b := range [][]byte{{}, {0}, bytes.Repeat([]byte("dusk"), 1000)} {
		got := roundTrip(t, b, Raw)
		if !bytes.Equal(got, b) {
			t.Errorf("raw %d bytes: got %d bytes", len(b), len(got))
		}
	}
}

func TestRawDecodeIsZeroCopy(t *testing.T) {
	enc := mustEncode(t, []byte("payload"))
	v, err := Decode(enc, reflect.TypeFor[[]byte]())
	if err != nil {
		t.Fatal(err)
	}
	got := v.Bytes()
	if &got[0] != &enc[1] {
		t.Error("Decode copied raw bytes")
	}
	if cap(got) != len(got) {
		t.Errorf("decoded raw bytes have spare capacity %d", cap(got)-len(got))
	}
	type blob []byte
	var named blob
	if err := DecodeInto(enc, &named); err != nil || string(named) != "payload" {
		t.Errorf("named byte slice: %q, %v", named, err)
	}
	var s string
	if err := DecodeInto(enc, &s); err != nil || s != "payload" {
		t.Errorf("string: %q, %v", s, err)
	}
	var pp *[]byte
	if err := DecodeInto(enc, &pp); err != nil || string(*pp) != "payload" {
		t.Errorf("pointer to []byte: %v", err)
	}
}

func TestAppendEncode(t *testing.T) {
	prefix := []byte("prefix")
	out, err := AppendEncode(prefix, 12345)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, prefix) {
		t.Fatalf("AppendEncode lost the prefix: %q", out)
	}
	var n int
	if err := DecodeInto(out[len(prefix):], &n); err != nil || n != 12345 {
		t.Errorf("decoded %d, %v", n, err)
	}
	raw := []byte("xyz")
	out, err = AppendEncode(make([]byte, 0, 64), raw)
	if err != nil || string(out) != "\x01xyz" {
		t.Errorf("AppendEncode raw: %q, %v", out, err)
	}
	// A failure leaves dst's contents alone.
	out, err = AppendEncode(prefix, make(chan int))
	if err == nil || string(out) != "prefix" {
		t.Errorf("AppendEncode(chan) = %q, %v", out, err)
	}
}

func TestEncodeRawCopiesOnce(t *testing.T) {
	var b any = make([]byte, 1<<20) // boxed once, outside the measurement
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := Encode(b); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("Encode([]byte) made %v allocations, want 1", allocs)
	}
}

func TestEncodeSmallValuesAllocateLittle(t *testing.T) {
	type small struct {
		A, B int
		C    string
	}
	s := small{1, 2, "three"}
	for name, v := range map[string]any{"int": 1 << 20, "string": "hello", "struct": s} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := Encode(v); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > 3 {
			t.Errorf("Encode(%s) made %v allocations, want at most 3", name, allocs)
		}
	}
}
