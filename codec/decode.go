package codec

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Decoder decodes encoded values. Its zero value is ready to use; a Decoder
// is safe for concurrent use and cheap to copy.
type Decoder struct {
	// Allocator provides the buffers of decoded Arrow records and tables.
	// Nil means memory.DefaultAllocator.
	Allocator memory.Allocator
}

// Decode decodes b into a new value of type t with the zero Decoder; see
// Decoder.Decode.
func Decode(b []byte, t reflect.Type) (reflect.Value, error) {
	return Decoder{}.Decode(b, t)
}

// DecodeInto decodes b into the value ptr points to with the zero Decoder;
// see Decoder.DecodeInto.
func DecodeInto(b []byte, ptr any) error {
	return Decoder{}.DecodeInto(b, ptr)
}

// Decode decodes b into a new value of type t and returns it. t may be an
// interface type such as any: the value is then a []byte for Raw input, an
// arrow.RecordBatch or arrow.Table for Arrow input, and CBOR's default types
// for CBOR input (uint64 or int64, float64, string, []byte, []any,
// map[any]any, time.Time, big.Int, cbor.Tag). Gob input needs its concrete
// type. Raw input decoded into []byte or any shares b's memory.
func (d Decoder) Decode(b []byte, t reflect.Type) (reflect.Value, error) {
	if t == nil {
		return reflect.Value{}, &DecodeError{Err: errors.New("no target type")}
	}
	p := reflect.New(t)
	if err := d.DecodeInto(b, p.Interface()); err != nil {
		return reflect.Value{}, err
	}
	return p.Elem(), nil
}

// DecodeInto decodes b into the value ptr points to, which it overwrites.
// ptr must be a non-nil pointer. The rules of Decode apply. Errors are
// *DecodeError values; malformed input never panics.
func (d Decoder) DecodeInto(b []byte, ptr any) (err error) {
	k, err := Format(b)
	if err != nil {
		return &DecodeError{Target: targetType(ptr), Err: err}
	}
	defer func() {
		if r := recover(); r != nil {
			err = &DecodeError{Kind: k, Target: targetType(ptr), Err: fmt.Errorf("malformed input: %v", r)}
		}
	}()
	payload := b[1:]
	switch k {
	case CBOR:
		if decodeNumberSlice(payload, ptr) {
			return nil
		}
		if err := decMode.Unmarshal(payload, ptr); err != nil {
			return &DecodeError{Kind: k, Target: targetType(ptr), Err: err}
		}
		return nil
	case Raw:
		// The common targets, without reflection.
		if p, ok := ptr.(*[]byte); ok && p != nil {
			*p = payload[:len(payload):len(payload)]
			return nil
		}
		if p, ok := ptr.(*any); ok && p != nil {
			*p = payload[:len(payload):len(payload)]
			return nil
		}
	}
	pv := reflect.ValueOf(ptr)
	if pv.Kind() != reflect.Pointer || pv.IsNil() {
		return &DecodeError{Kind: k, Target: targetType(ptr), Err: errors.New("the target is not a non-nil pointer")}
	}
	dst := pv.Elem()
	switch k {
	case Raw:
		err = setRaw(dst, payload)
	case ArrowRecord, ArrowTable:
		err = d.setArrow(dst, k, payload)
	case Gob:
		err = setGob(dst, payload)
	}
	if err != nil {
		return &DecodeError{Kind: k, Target: dst.Type(), Err: err}
	}
	return nil
}

// targetType names what ptr points to, for error messages.
func targetType(ptr any) reflect.Type {
	t := reflect.TypeOf(ptr)
	if t != nil && t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}
