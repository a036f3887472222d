package codec

import (
	"errors"
	"reflect"
)

var errRawTarget = errors.New("raw bytes decode only into []byte (or a named byte slice), string, or an interface such as any")

// appendRaw appends the Raw encoding of b to dst: the format byte, then b.
func appendRaw(dst, b []byte) []byte {
	dst = append(dst, byte(Raw))
	return append(dst, b...)
}

// setRaw stores the raw payload in dst. Byte slices and interfaces receive
// payload itself, not a copy; its capacity is clipped so that appending to
// the result cannot overwrite bytes that follow it.
func setRaw(dst reflect.Value, payload []byte) error {
	payload = payload[:len(payload):len(payload)]
	switch dst.Kind() {
	case reflect.Slice:
		if dst.Type().Elem().Kind() == reflect.Uint8 {
			dst.SetBytes(payload)
			return nil
		}
	case reflect.String:
		dst.SetString(string(payload))
		return nil
	case reflect.Interface:
		if dst.NumMethod() == 0 {
			dst.Set(reflect.ValueOf(payload))
			return nil
		}
	case reflect.Pointer:
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		return setRaw(dst.Elem(), payload)
	}
	return errRawTarget
}
