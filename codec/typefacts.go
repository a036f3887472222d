package codec

import (
	"encoding"
	"math/big"
	"reflect"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/fxamacker/cbor/v2"
)

// unbounded is the depth of a type whose values can nest without limit: a
// recursive type, or one that holds an interface.
const unbounded = -1

// arrowKind tells which Arrow interface, if any, a type implements.
type arrowKind uint8

const (
	notArrow arrowKind = iota
	arrowRecordKind
	arrowTableKind
	arrowArrayKind
)

// typeFacts are what Encode and SizeOf need to know about a Go type; they are
// computed once per type and never change.
type typeFacts struct {
	// depth is the deepest CBOR nesting (maps, arrays, tags) a value of the
	// type can produce, or unbounded.
	depth int
	// flat reports that the type holds no pointers, strings, slices, maps or
	// interfaces: a value occupies exactly its Size() bytes.
	flat bool
	// opaque reports that CBOR encodes the type through its own method
	// (cbor.Marshaler or encoding.BinaryMarshaler) rather than its fields.
	opaque bool
	// arrow tells whether the type is an Arrow record, table or array.
	arrow arrowKind
	// encoded lists, for a struct, the fields that CBOR encodes: exported
	// ones and embedded ones (whose exported fields are promoted).
	encoded []int
	// deep lists, for a struct, the fields that are not flat: the ones SizeOf
	// must look into.
	deep []int
}

// factsMemo caches typeFacts by reflect.Type. It is a memo of immutable facts
// about types, like the type caches of encoding/json; it holds no settings.
var factsMemo sync.Map // reflect.Type -> *typeFacts

var (
	timeType          = reflect.TypeFor[time.Time]()
	bigIntType        = reflect.TypeFor[big.Int]()
	cborMarshalerType = reflect.TypeFor[cbor.Marshaler]()
	binaryMarshaler   = reflect.TypeFor[encoding.BinaryMarshaler]()
	recordBatchType   = reflect.TypeFor[arrow.RecordBatch]()
	tableType         = reflect.TypeFor[arrow.Table]()
	arrowArrayType    = reflect.TypeFor[arrow.Array]()
)

// factsOf returns the facts of t, computing and caching them on first use.
func factsOf(t reflect.Type) *typeFacts {
	if f, ok := factsMemo.Load(t); ok {
		return f.(*typeFacts)
	}
	f := computeFacts(t, map[reflect.Type]bool{})
	actual, _ := factsMemo.LoadOrStore(t, f)
	return actual.(*typeFacts)
}

// computeFacts works out the facts of t; inProgress holds the types whose
// computation encloses this one, so that recursive types end as unbounded.
func computeFacts(t reflect.Type, inProgress map[reflect.Type]bool) *typeFacts {
	if inProgress[t] {
		return &typeFacts{depth: unbounded}
	}
	if f, ok := factsMemo.Load(t); ok {
		return f.(*typeFacts)
	}
	inProgress[t] = true
	defer delete(inProgress, t)

	f := &typeFacts{arrow: arrowKindOf(t)}
	switch {
	case t == timeType:
		// A time is a tagged string in CBOR; its Location is shared, not held.
		f.depth, f.flat = 1, true
		return f
	case t == bigIntType:
		f.depth = 1
		return f
	case t.Implements(cborMarshalerType) || t.Implements(binaryMarshaler):
		f.opaque = true
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		f.flat = true
	case reflect.String, reflect.Func, reflect.Chan, reflect.UnsafePointer:
	case reflect.Interface:
		f.depth = unbounded
	case reflect.Pointer:
		f.depth = computeFacts(t.Elem(), inProgress).depth
	case reflect.Slice, reflect.Array:
		e := computeFacts(t.Elem(), inProgress)
		f.flat = t.Kind() == reflect.Array && e.flat
		if t.Elem().Kind() != reflect.Uint8 {
			f.depth = addLevel(e.depth)
		}
	case reflect.Map:
		f.depth = addLevel(max2(computeFacts(t.Key(), inProgress).depth, computeFacts(t.Elem(), inProgress).depth))
	case reflect.Struct:
		f.flat = true
		inner := 0
		for i := range t.NumField() {
			sf := t.Field(i)
			ff := computeFacts(sf.Type, inProgress)
			f.flat = f.flat && ff.flat
			if !ff.flat {
				f.deep = append(f.deep, i)
			}
			if sf.IsExported() || sf.Anonymous {
				f.encoded = append(f.encoded, i)
				inner = max2(inner, ff.depth)
			}
		}
		f.depth = addLevel(inner)
	}
	if f.opaque {
		f.depth = 0
	}
	return f
}

// addLevel returns the depth of a container whose contents reach depth d.
func addLevel(d int) int {
	if d == unbounded {
		return unbounded
	}
	return d + 1
}

// max2 returns the larger depth, where unbounded is larger than any number.
func max2(a, b int) int {
	if a == unbounded || b == unbounded {
		return unbounded
	}
	return max(a, b)
}

func arrowKindOf(t reflect.Type) arrowKind {
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		return notArrow
	}
	switch {
	case t.Implements(recordBatchType):
		return arrowRecordKind
	case t.Implements(tableType):
		return arrowTableKind
	case t.Implements(arrowArrayType):
		return arrowArrayKind
	}
	return notArrow
}
