package codec

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"reflect"
	"testing"
	"time"
)

// gobPoint encodes itself through GobEncode as "x,y".
type gobPoint struct{ X, Y int }

func (p gobPoint) GobEncode() ([]byte, error) { return fmt.Appendf(nil, "%d,%d", p.X, p.Y), nil }

func (p *gobPoint) GobDecode(b []byte) error {
	_, err := fmt.Sscanf(string(b), "%d,%d", &p.X, &p.Y)
	return err
}

// binOnly has MarshalBinary but no matching UnmarshalBinary: it stays CBOR.
type binOnly struct{ N int }

func (b binOnly) MarshalBinary() ([]byte, error) { return []byte{byte(b.N)}, nil }

// failing fails to encode itself.
type failing struct{}

func (failing) GobEncode() ([]byte, error) { return nil, errors.New("nope") }
func (*failing) GobDecode([]byte) error    { return nil }

func TestGobFallback(t *testing.T) {
	p := gobPoint{3, -4}
	if got := roundTrip(t, p, Gob); got != p {
		t.Errorf("gobPoint: got %v", got)
	}
	if got := roundTrip(t, &p, Gob); *got != p {
		t.Errorf("*gobPoint: got %v", *got)
	}
	addr := netip.MustParseAddr("2001:db8::1")
	if got := roundTrip(t, addr, Gob); got != addr {
		t.Errorf("netip.Addr: got %v", got)
	}
	// A BinaryMarshaler without a matching decoder goes through CBOR, which
	// writes its MarshalBinary output as a byte string.
	if k, _ := Format(mustEncode(t, binOnly{1})); k != CBOR {
		t.Errorf("binOnly: format %v, want cbor", k)
	}
	// Types CBOR handles natively stay CBOR although they implement both.
	for _, v := range []any{time.Now(), big.NewInt(5)} {
		if k, _ := Format(mustEncode(t, v)); k != CBOR {
			t.Errorf("%T: format %v, want cbor", v, k)
		}
	}
	// Inside a struct, a gob type is CBOR's business.
	type holder struct{ Addr netip.Addr }
	h := holder{addr}
	if got := roundTrip(t, h, CBOR); got != h {
		t.Errorf("holder: got %v", got)
	}
	if _, err := Encode(failing{}); err == nil {
		t.Error("a failing GobEncode did not fail Encode")
	}
}

func TestGobCorruptPayload(t *testing.T) {
	typ := reflect.TypeFor[gobPoint]()
	for _, b := range [][]byte{{byte(Gob)}, {byte(Gob), 'Z', 1}, {byte(Gob), 'G', 'x'}, {byte(Gob), 'B', '1', ',', '2'}} {
		if _, err := Decode(b, typ); err == nil {
			t.Errorf("Decode(%q) succeeded", b)
		}
	}
}

// appender encodes itself by appending, as MarshalBinary would.
type appender struct{ b []byte }

func (a *appender) MarshalBinary() ([]byte, error) { return a.AppendBinary(nil) }
func (a *appender) AppendBinary(dst []byte) ([]byte, error) {
	return append(append(dst, 'A'), a.b...), nil
}
func (a *appender) UnmarshalBinary(p []byte) error {
	if len(p) == 0 || p[0] != 'A' {
		return errors.New("not an appender")
	}
	a.b = append([]byte(nil), p[1:]...)
	return nil
}

// A BinaryAppender appends its encoding in place: the same bytes as
// through MarshalBinary, and it decodes back.
func TestBinaryAppender(t *testing.T) {
	v := &appender{b: bytes.Repeat([]byte("xy"), 1000)}
	enc, err := Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := v.MarshalBinary()
	if want := append([]byte{byte(Gob), gobMethodBinary}, m...); !bytes.Equal(enc, want) {
		t.Fatalf("encoded %d bytes, not the MarshalBinary form", len(enc))
	}
	got, err := Decode(enc, reflect.TypeFor[*appender]())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Interface().(*appender).b, v.b) {
		t.Fatal("decoded differently")
	}
}
