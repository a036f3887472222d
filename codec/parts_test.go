package codec

import (
	"bytes"
	"errors"
	"testing"
	"unsafe"
)

// bodied is a BodyAppender: a header byte, then its bytes as they are.
type bodied struct{ b []byte }

func (a *bodied) MarshalBinary() ([]byte, error) { return a.AppendBinary(nil) }
func (a *bodied) AppendBinary(dst []byte) ([]byte, error) {
	head, body, err := a.AppendBinaryHead(dst)
	return append(head, body...), err
}
func (a *bodied) AppendBinaryHead(dst []byte) ([]byte, []byte, error) {
	return append(dst, 'H'), a.b, nil
}
func (a *bodied) UnmarshalBinary(p []byte) error {
	if len(p) == 0 || p[0] != 'H' {
		return errors.New("not a bodied")
	}
	a.b = append([]byte(nil), p[1:]...)
	return nil
}

// EncodeParts gives Encode's bytes, as a head and a body that is the
// value's own memory for a BodyAppender, and as the head alone for any
// other value.
func TestEncodeParts(t *testing.T) {
	v := &bodied{b: bytes.Repeat([]byte{1, 2, 3}, 1000)}
	whole, err := Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	head, body, err := EncodeParts(v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(bytes.Clone(head), body...), whole) {
		t.Fatal("head and body are not Encode's bytes")
	}
	if unsafe.SliceData(body) != unsafe.SliceData(v.b) {
		t.Error("the body is a copy of the value's bytes")
	}
	var back *bodied
	if err := DecodeInto(append(head, body...), &back); err != nil || back == nil || !bytes.Equal(back.b, v.b) {
		t.Fatalf("decoding head and body: %v", err)
	}
	for _, other := range []any{&appender{b: []byte("x")}, []float64{1, 2}, "s", map[string]int{"a": 1}} {
		whole, err := Encode(other)
		if err != nil {
			t.Fatal(err)
		}
		head, body, err := EncodeParts(other)
		if err != nil || body != nil || !bytes.Equal(head, whole) {
			t.Errorf("%T: head %x, body %x, %v; want Encode's %x and no body", other, head, body, err, whole)
		}
	}
}
