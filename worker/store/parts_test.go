package store

import (
	"bytes"
	"errors"
	"testing"
	"unsafe"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/graph"
)

// elems is a codec.BodyAppender: a header byte, then its bytes as they are.
type elems struct{ b []byte }

func (e *elems) MarshalBinary() ([]byte, error) { return e.AppendBinary(nil) }
func (e *elems) AppendBinary(dst []byte) ([]byte, error) {
	head, body, err := e.AppendBinaryHead(dst)
	return append(head, body...), err
}
func (e *elems) AppendBinaryHead(dst []byte) ([]byte, []byte, error) {
	return append(dst, 'E'), e.b, nil
}
func (e *elems) UnmarshalBinary(p []byte) error {
	if len(p) == 0 || p[0] != 'E' {
		return errors.New("not elems")
	}
	e.b = append([]byte(nil), p[1:]...)
	return nil
}

// EncodedParts gives what Encoded gives, split as head and body: the
// body a value's own bytes when it is a BodyAppender in memory, nil for
// other values and for values held encoded or spilled.
func TestEncodedParts(t *testing.T) {
	s, _ := spillingStore(t, 0)
	v := &elems{b: bytes.Repeat([]byte{9}, 10000)}
	s.Put("v", v)
	s.Put("w", []int{1, 2, 3})
	for _, k := range []string{"v", "w"} {
		whole, _, _, err := s.Encoded(graph.Key(k))
		if err != nil {
			t.Fatal(err)
		}
		head, body, _, _, err := s.EncodedParts(graph.Key(k))
		if err != nil || !bytes.Equal(append(bytes.Clone(head), body...), whole) {
			t.Fatalf("%s: head and body are not Encoded's bytes (%v)", k, err)
		}
		if k == "v" && (len(body) == 0 || unsafe.SliceData(body) != unsafe.SliceData(v.b)) {
			t.Errorf("the block-like value's bytes were copied")
		}
		if k == "w" && body != nil {
			t.Errorf("a value without a body has one")
		}
	}
	if _, err := s.Spill(1 << 40); err != nil {
		t.Fatal(err)
	}
	head, body, _, _, err := s.EncodedParts("v")
	var back *elems
	if err != nil || body != nil || codec.DecodeInto(head, &back) != nil || !bytes.Equal(back.b, v.b) {
		t.Fatalf("spilled: %d bytes of head, %d of body, %v", len(head), len(body), err)
	}
	if _, _, _, _, err := s.EncodedParts("nothing"); !errors.Is(err, ErrNotHere) {
		t.Fatalf("a key not held: %v", err)
	}
}
