package codec

import (
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"
)

type open struct{ X, Y int }

type hidden struct {
	X int
	y int
}

type nested struct {
	Name  string
	Items []map[string]hidden
}

type embedsOpen struct {
	open
	Z int
}

// sealed keeps a private field but encodes itself whole.
type sealed struct{ secret string }

func (s sealed) MarshalBinary() ([]byte, error)  { return []byte(s.secret), nil }
func (s *sealed) UnmarshalBinary(b []byte) error { s.secret = string(b); return nil }
func (s sealed) Secret() string                  { return s.secret }

type padded struct {
	A int
	_ [4]byte
}

func TestCheckTravels(t *testing.T) {
	for _, ok := range []any{0, "", open{}, &open{}, []open{}, map[string]*open{}, embedsOpen{}, sealed{}, []sealed{},
		time.Time{}, big.Int{}, padded{}, []any{}, struct{ V any }{}} {
		if err := CheckTravels(reflect.TypeOf(ok)); err != nil {
			t.Errorf("%T: %v", ok, err)
		}
	}
	err := CheckTravels(reflect.TypeFor[[]nested]())
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "y" || fe.Inner != reflect.TypeFor[hidden]() || fe.Path != "[].Items[][].y" {
		t.Fatalf("a hidden field deep inside: %v (%+v)", err, fe)
	}
	for _, want := range []string{"[]codec.nested", `field "y"`, "export the field", "MarshalBinary"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	var ue *UnsupportedTypeError
	if err := CheckTravels(reflect.TypeFor[struct{ F func() }]()); !errors.As(err, &ue) {
		t.Errorf("a function field: %v", err)
	}
}

// A type with a hidden field that encodes itself arrives whole.
func TestSelfEncodingTypeTravelsWhole(t *testing.T) {
	b, err := Encode(sealed{secret: "s3"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := Decode(b, reflect.TypeFor[sealed]())
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Interface().(sealed).Secret(); got != "s3" {
		t.Fatalf("the private field arrived as %q", got)
	}
}
