package codec

import (
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

func decodeAny(t *testing.T, v any) any {
	t.Helper()
	got, err := Decode(mustEncode(t, v), reflect.TypeFor[any]())
	if err != nil {
		t.Fatalf("Decode(%T into any): %v", v, err)
	}
	return got.Interface()
}

func TestDecodeIntoAny(t *testing.T) {
	when := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	bi, _ := new(big.Int).SetString("-99999999999999999999999", 10)
	cases := []struct {
		in   any
		want any
	}{
		{nil, nil},
		{7, uint64(7)},
		{-7, int64(-7)},
		{2.5, 2.5},
		{float32(2.5), float64(2.5)},
		{"s", "s"},
		{true, true},
		{[]int{1, -1}, []any{uint64(1), int64(-1)}},
		{map[string]int{"a": 1}, map[any]any{"a": uint64(1)}},
		{struct{ A int }{3}, map[any]any{"A": uint64(3)}},
		{[]byte("raw"), []byte("raw")},
		{[2]string{"x", "y"}, []any{"x", "y"}},
	}
	for _, c := range cases {
		if got := decodeAny(t, c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%#v into any: got %#v (%T), want %#v", c.in, got, got, c.want)
		}
	}
	if got, ok := decodeAny(t, when).(time.Time); !ok || !got.Equal(when) {
		t.Errorf("time into any: got %#v", got)
	}
	if got, ok := decodeAny(t, bi).(big.Int); !ok || got.Cmp(bi) != 0 {
		t.Errorf("big.Int into any: got %#v", got)
	}
	// DecodeInto a *any works the same way.
	var v any
	if err := DecodeInto(mustEncode(t, "hi"), &v); err != nil || v != "hi" {
		t.Errorf("DecodeInto(*any) = %#v, %v", v, err)
	}
}

func TestDecodeTypeMismatch(t *testing.T) {
	cases := []struct {
		name   string
		in     any
		target reflect.Type
		format string
	}{
		{"cbor string into int", "text", reflect.TypeFor[int](), "cbor"},
		{"cbor int into string", 5, reflect.TypeFor[string](), "cbor"},
		{"cbor overflow", 300, reflect.TypeFor[int8](), "cbor"},
		{"cbor negative into uint", -1, reflect.TypeFor[uint](), "cbor"},
		{"cbor map into slice", map[string]int{"a": 1}, reflect.TypeFor[[]int](), "cbor"},
		{"raw into int", []byte("x"), reflect.TypeFor[int](), "raw"},
		{"raw into struct", []byte("x"), reflect.TypeFor[inner](), "raw"},
		{"gob into any", gobPoint{1, 2}, reflect.TypeFor[any](), "gob"},
		{"gob into other type", gobPoint{1, 2}, reflect.TypeFor[string](), "gob"},
	}
	for _, c := range cases {
		b := mustEncode(t, c.in)
		_, err := Decode(b, c.target)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		de, ok := errors.AsType[*DecodeError](err)
		if !ok {
			t.Errorf("%s: error %T is not a *DecodeError: %v", c.name, err, err)
			continue
		}
		if de.Target != c.target || de.Kind.String() != c.format {
			t.Errorf("%s: DecodeError{%v, %v}, want {%s, %v}", c.name, de.Kind, de.Target, c.format, c.target)
		}
		msg := err.Error()
		if !strings.Contains(msg, c.format) || !strings.Contains(msg, c.target.String()) {
			t.Errorf("%s: message %q does not name the format and the target", c.name, msg)
		}
		if de.Unwrap() == nil {
			t.Errorf("%s: no cause", c.name)
		}
	}
}

func TestDecodeBadInput(t *testing.T) {
	intType := reflect.TypeFor[int]()
	for _, b := range [][]byte{nil, {}, {0}, {0xff, 1}, {byte(CBOR)}, {byte(CBOR), 0x1b, 1}, {byte(CBOR), 0x01, 0x02}} {
		_, err := Decode(b, intType)
		if err == nil {
			t.Errorf("Decode(%x) succeeded", b)
			continue
		}
		if _, ok := errors.AsType[*DecodeError](err); !ok {
			t.Errorf("Decode(%x): %T is not a *DecodeError", b, err)
		}
	}
	if _, err := Decode([]byte{}, intType); !errors.Is(err, ErrFormat) {
		t.Errorf("empty input: %v does not wrap ErrFormat", err)
	}
	if _, err := Decode([]byte{42}, intType); !errors.Is(err, ErrFormat) {
		t.Errorf("unknown format: %v does not wrap ErrFormat", err)
	}
	if _, err := Decode(mustEncode(t, 1), nil); err == nil {
		t.Error("Decode with a nil type succeeded")
	}
	for _, ptr := range []any{nil, 5, (*int)(nil), (*[]byte)(nil), (*any)(nil), (*[]float64)(nil)} {
		if err := DecodeInto(mustEncode(t, []byte("x")), ptr); err == nil {
			t.Errorf("DecodeInto(raw, %#v) succeeded", ptr)
		}
		if err := DecodeInto(mustEncode(t, 1), ptr); err == nil {
			t.Errorf("DecodeInto(cbor, %#v) succeeded", ptr)
		}
		err := DecodeInto(mustEncode(t, []float64{1}), ptr)
		if err == nil || strings.Contains(err.Error(), "malformed") {
			t.Errorf("DecodeInto([]float64, %#v) = %v", ptr, err)
		}
	}
}

func TestDecodeDepthLimit(t *testing.T) {
	deep := func(levels int) []byte {
		b := []byte{byte(CBOR)}
		for range levels {
			b = append(b, 0x81) // array of one element
		}
		return append(b, 0x00)
	}
	if _, err := Decode(deep(MaxDepth), reflect.TypeFor[any]()); err != nil {
		t.Errorf("%d levels: %v", MaxDepth, err)
	}
	_, err := Decode(deep(MaxDepth+1), reflect.TypeFor[any]())
	if _, ok := errors.AsType[*cbor.MaxNestedLevelError](err); !ok {
		t.Errorf("%d levels: got %v, want a nesting error", MaxDepth+1, err)
	}
}

func TestDecodeLargeArrayHeaderIsBounded(t *testing.T) {
	// An array header that claims 2^31-1 elements over a few bytes of input
	// must fail fast instead of allocating.
	b := []byte{byte(CBOR), 0x9a, 0x7f, 0xff, 0xff, 0xff, 0x00}
	if _, err := Decode(b, reflect.TypeFor[[]int]()); err == nil {
		t.Error("truncated huge array decoded")
	}
	// A genuinely large array (more than CBOR's default limit) decodes.
	big := make([]uint8, 200_000)
	v, err := Decode(mustEncode(t, big), reflect.TypeFor[[]uint8]())
	if err != nil || v.Len() != len(big) {
		t.Errorf("large byte array: %v", err)
	}
	many := make([]int, 200_000)
	v, err = Decode(mustEncode(t, many), reflect.TypeFor[[]int]())
	if err != nil || v.Len() != len(many) {
		t.Errorf("large array: %v", err)
	}
	m := make(map[int]bool, 150_000)
	for i := range 150_000 {
		m[i] = true
	}
	v, err = Decode(mustEncode(t, m), reflect.TypeFor[map[int]bool]())
	if err != nil || v.Len() != len(m) {
		t.Errorf("large map: %v", err)
	}
}

func TestFormatNames(t *testing.T) {
	for k, name := range map[Kind]string{Raw: "raw", ArrowRecord: "arrow-record", ArrowTable: "arrow-table", Gob: "gob", CBOR: "cbor", 0: "Kind(0)", 99: "Kind(99)"} {
		if k.String() != name {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), name)
		}
	}
	if _, err := Format(nil); !errors.Is(err, ErrFormat) {
		t.Errorf("Format(nil) = %v", err)
	}
}
