package codec

import (
	"reflect"
	"testing"
)

// roundTrip encodes v, checks the format, decodes into v's type and returns
// the decoded value.
func roundTrip[T any](t *testing.T, v T, want Kind) T {
	t.Helper()
	b, err := Encode(v)
	if err != nil {
		t.Fatalf("Encode(%T): %v", v, err)
	}
	k, err := Format(b)
	if err != nil || k != want {
		t.Fatalf("Format(Encode(%T)) = %v, %v; want %v", v, k, err, want)
	}
	got, err := Decode(b, reflect.TypeFor[T]())
	if err != nil {
		t.Fatalf("Decode(%T): %v", v, err)
	}
	var into T
	if err := DecodeInto(b, &into); err != nil {
		t.Fatalf("DecodeInto(%T): %v", v, err)
	}
	return got.Interface().(T)
}

// mustEncode encodes v or fails the test.
func mustEncode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := Encode(v)
	if err != nil {
		t.Fatalf("Encode(%T): %v", v, err)
	}
	return b
}
