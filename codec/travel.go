package codec

import (
	"encoding/gob"
	"fmt"
	"reflect"
)

// FieldError is a type that cannot cross between processes without losing
// data: CBOR encodes a struct's exported fields only, so an unexported field
// would arrive zeroed. Path says where the field is, from the outer type.
type FieldError struct {
	Type  reflect.Type // the type checked
	Inner reflect.Type // the struct type that holds the field
	Field string
	Path  string // the way from Type to the field, such as "[].Point.x"
}

// Error names the type and the field and says how to make it travel.
func (e *FieldError) Error() string {
	where := ""
	if e.Inner != e.Type {
		where = fmt.Sprintf(" (at %s, in %v)", e.Path, e.Inner)
	}
	return fmt.Sprintf("codec: values of %v cannot travel between processes: field %q of %v is unexported, and only exported fields are encoded, so it would arrive zeroed%s; export the field, or give %v a MarshalBinary method (encoding.BinaryMarshaler, on the value) and an UnmarshalBinary method (encoding.BinaryUnmarshaler, on the pointer), which the codec then uses",
		e.Type, e.Field, e.Inner, where, e.Inner)
}

// CheckTravels reports whether values of type t cross between processes
// whole: it returns a *FieldError for a struct (anywhere inside t) with an
// unexported field, unless that struct encodes itself (encoding.
// BinaryMarshaler or gob.GobEncoder with the matching decoder on its
// pointer, cbor.Marshaler, time.Time, big.Int), and an
// *UnsupportedTypeError for functions, channels, unsafe pointers, uintptr
// and complex numbers. Interface types are not looked into: what they
// hold is known only at run time, when Encode checks it.
func CheckTravels(t reflect.Type) error {
	return checkTravels(t, t, "", map[reflect.Type]bool{})
}

func checkTravels(top, t reflect.Type, path string, seen map[reflect.Type]bool) error {
	if seen[t] {
		return nil
	}
	seen[t] = true
	if encodesItself(t) {
		return nil
	}
	switch t.Kind() {
	case reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Uintptr, reflect.Complex64, reflect.Complex128:
		return &UnsupportedTypeError{Type: top, Inner: t}
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return checkTravels(top, t.Elem(), path+"[]", seen)
	case reflect.Map:
		if err := checkTravels(top, t.Key(), path+"[key]", seen); err != nil {
			return err
		}
		return checkTravels(top, t.Elem(), path+"[]", seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Name == "_" {
				continue // padding
			}
			if !f.IsExported() && !(f.Anonymous && f.Type.Kind() == reflect.Struct) {
				return &FieldError{Type: top, Inner: t, Field: f.Name, Path: path + "." + f.Name}
			}
			if err := checkTravels(top, f.Type, path+"."+f.Name, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// encodesItself reports whether the codec encodes t through t's own
// methods, or as a value it knows, rather than field by field.
func encodesItself(t reflect.Type) bool {
	if t == timeType || t == bigIntType || t.Implements(cborMarshalerType) {
		return true
	}
	p := t
	if p.Kind() != reflect.Pointer {
		p = reflect.PointerTo(t)
	}
	// Encode calls the encoding method on the value it is given: it must be
	// in t's own method set (a value receiver for a struct).
	return t.Implements(reflect.TypeFor[gob.GobEncoder]()) && p.Implements(gobDecoderType) ||
		t.Implements(binaryMarshaler) && p.Implements(binaryUnmarshalerType)
}
