package codec

import (
	"errors"
	"fmt"
	"reflect"
)

// ErrFormat reports bytes that do not start with a known format byte. Decode
// and Format wrap it; test with errors.Is.
var ErrFormat = errors.New("codec: not an encoded value")

// ErrCorrupt reports a compressed or packed blob that is truncated, damaged
// or inconsistent with its header. Decompress and Unpack wrap it; test with
// errors.Is.
var ErrCorrupt = errors.New("codec: corrupt compressed data")

// UnsupportedTypeError is returned by Encode for a value whose type, or a
// type inside it, has no portable encoding: functions, channels, unsafe
// pointers, uintptr and complex numbers.
type UnsupportedTypeError struct {
	// Type is the type of the value given to Encode.
	Type reflect.Type
	// Inner is the offending type inside Type; it equals Type when the value
	// itself is unsupported.
	Inner reflect.Type
}

// Error names both types and says what to do instead.
func (e *UnsupportedTypeError) Error() string {
	hint := "return a plain struct of exported fields, a []byte or an Arrow record instead"
	if e.Inner != nil && (e.Inner.Kind() == reflect.Complex64 || e.Inner.Kind() == reflect.Complex128) {
		hint = "store the real and imaginary parts as two floats, or return a []byte or an Arrow record"
	}
	if e.Inner == nil || e.Inner == e.Type {
		return fmt.Sprintf("codec: cannot encode a value of type %v: %s values cannot leave the process; %s",
			e.Type, kindNoun(e.Type), hint)
	}
	return fmt.Sprintf("codec: cannot encode a value of type %v: it holds a %v, and %s values cannot leave the process; %s",
		e.Type, e.Inner, kindNoun(e.Inner), hint)
}

func kindNoun(t reflect.Type) string {
	if t == nil {
		return "nil-typed"
	}
	switch t.Kind() {
	case reflect.Func:
		return "function"
	case reflect.Chan:
		return "channel"
	case reflect.UnsafePointer:
		return "unsafe pointer"
	case reflect.Complex64, reflect.Complex128:
		return "complex"
	case reflect.Uintptr:
		return "uintptr (an address)"
	}
	return t.Kind().String()
}

// DepthError is returned by Encode for a value that nests more than MaxDepth
// containers deep, which Decode would refuse. A cyclic pointer structure is
// infinitely deep and is reported the same way.
type DepthError struct {
	// Type is the type of the value given to Encode.
	Type reflect.Type
}

// Error names the type and the limit.
func (e *DepthError) Error() string {
	return fmt.Sprintf("codec: cannot encode a value of type %v: it nests more than %d levels deep "+
		"(is there a pointer cycle?); flatten it, or return a []byte or an Arrow record", e.Type, MaxDepth)
}

// DecodeError is returned by Decode and DecodeInto for input that does not
// decode into the requested type. It names the format, the target and the
// cause, which Unwrap returns.
type DecodeError struct {
	// Kind is the input's format; zero when the format byte itself is bad.
	Kind Kind
	// Target is the type decoding was asked to produce.
	Target reflect.Type
	// Err is the cause.
	Err error
}

// Error reads "codec: cannot decode <format> into <type>: <cause>".
func (e *DecodeError) Error() string {
	format := "input"
	if e.Kind.valid() {
		format = e.Kind.String()
	}
	return fmt.Sprintf("codec: cannot decode %s into %v: %v", format, e.Target, e.Err)
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }
