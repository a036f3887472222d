package registry

import (
	"fmt"
	"math"
	"reflect"
)

// Values cross from the caller to a task's parameters, and from one task's
// result to another's parameter, only where nothing is lost: a value is
// never converted lossily behind the user's back.
//
//   - Assignable types pass as they are (Go's assignability).
//   - At the level of types (a future's or delayed's result type, known
//     before any value exists), a number type converts only to one that
//     holds every value of it exactly: int32 to int64, uint8 to int,
//     float32 to float64, int16 to float32, int32 to float64, and so on.
//   - At the level of values (a literal argument), a number converts to
//     another number type when this value survives exactly: 3 or 3.0 for
//     an int, 2 for a float64; not 3.9 for an int, 1e30 for an int, 300
//     for an int8, -1 for a uint, NaN for an int, 2^53+1 for a float64 or
//     0.1 (a float64) for a float32.

// Assignable reports whether every value of type have can be given where
// want is expected: assignable in Go, nil (have == nil) for types that
// take nil, or a number type that want holds exactly (see above).
func Assignable(have, want reflect.Type) bool {
	if have == nil {
		switch want.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map, reflect.Func, reflect.Chan:
			return true
		}
		return false
	}
	return have.AssignableTo(want) || widens(have, want)
}

// widens reports whether number type have converts to number type want
// without loss for every value.
func widens(have, want reflect.Type) bool {
	if !isNumber(have) || !isNumber(want) {
		return false
	}
	hb, wb := have.Bits(), want.Bits()
	switch {
	case isInt(have) && isInt(want):
		return wb >= hb
	case isUint(have) && isUint(want):
		return wb >= hb
	case isUint(have) && isInt(want):
		return wb > hb
	case isFloat(have) && isFloat(want):
		return wb >= hb
	case (isInt(have) || isUint(have)) && isFloat(want):
		mantissa := 24 // float32
		if wb == 64 {
			mantissa = 53
		}
		if isInt(have) {
			return hb-1 < mantissa // the sign bit does not need the mantissa
		}
		return hb <= mantissa
	}
	return false
}

// ConvertValue returns v as a value of type want when that loses nothing
// (see above), or an error that names both types and the value.
func ConvertValue(v reflect.Value, want reflect.Type) (reflect.Value, error) {
	if !v.IsValid() {
		if Assignable(nil, want) {
			return reflect.Zero(want), nil
		}
		return reflect.Value{}, fmt.Errorf("have nil, want %s", want)
	}
	have := v.Type()
	if have == want {
		return v, nil
	}
	if have.AssignableTo(want) {
		nv := reflect.New(want).Elem()
		nv.Set(v)
		return nv, nil
	}
	if !isNumber(have) || !isNumber(want) {
		return reflect.Value{}, fmt.Errorf("have %s, want %s", have, want)
	}
	if !exact(v, want) {
		return reflect.Value{}, fmt.Errorf("have %s %v, want %s: the value does not fit %s exactly", have, v, want, want)
	}
	return v.Convert(want), nil
}

// exact reports whether the number v converts to number type want and
// back without changing.
func exact(v reflect.Value, want reflect.Type) bool {
	probe := reflect.New(want).Elem()
	switch {
	case isInt(v.Type()):
		x := v.Int()
		switch {
		case isInt(want):
			return !probe.OverflowInt(x)
		case isUint(want):
			return x >= 0 && !probe.OverflowUint(uint64(x))
		default:
			f := float64(x)
			if want.Bits() == 32 {
				f = float64(float32(x))
			}
			return f >= -(1<<63) && f < 1<<63 && int64(f) == x
		}
	case isUint(v.Type()):
		x := v.Uint()
		switch {
		case isInt(want):
			return x <= math.MaxInt64 && !probe.OverflowInt(int64(x))
		case isUint(want):
			return !probe.OverflowUint(x)
		default:
			f := float64(x)
			if want.Bits() == 32 {
				f = float64(float32(x))
			}
			return f < 1<<64 && uint64(f) == x
		}
	default: // a float
		f := v.Float()
		switch {
		case isInt(want):
			return f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 && !probe.OverflowInt(int64(f))
		case isUint(want):
			return f == math.Trunc(f) && f >= 0 && f < 1<<64 && !probe.OverflowUint(uint64(f))
		default:
			return want.Bits() == 64 || math.IsNaN(f) || float64(float32(f)) == f
		}
	}
}

// BothNumbers reports whether have and want are both number types (whose
// values ConvertValue converts where exact).
func BothNumbers(have, want reflect.Type) bool { return isNumber(have) && isNumber(want) }

func isNumber(t reflect.Type) bool { return isInt(t) || isUint(t) || isFloat(t) }

func isInt(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return true
	}
	return false
}

func isUint(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

func isFloat(t reflect.Type) bool { return t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64 }

func typeName(t reflect.Type) string {
	if t == nil {
		return "nil"
	}
	return t.String()
}
