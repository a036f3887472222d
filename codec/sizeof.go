package codec

import (
	"math/bits"
	"reflect"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

const (
	// sizeSample is how many elements of a slice, array or map SizeOf looks
	// at; it extrapolates from them to the rest.
	sizeSample = 64
	// sizeMaxDepth bounds how many pointers, interfaces and containers deep
	// SizeOf looks. Beyond it values count their inline size only.
	sizeMaxDepth = 16
	// sizeMaxVisits bounds how many values one SizeOf call looks into, so a
	// deeply nested value costs no more than a few microseconds.
	sizeMaxVisits = 4096
)

// SizeOf estimates the bytes v holds in memory: its own size plus what it
// references, counting slices by capacity and maps with Go's table overhead.
// It is exact and O(1) for scalars, strings, []byte, slices of fixed-size
// elements and Arrow records, tables and arrays (the sum of their buffer
// lengths; for a slice of a larger Arrow array, the bytes of its own
// rows, as it travels and is stored: a slice kept alone still keeps its
// parent's buffers alive, which a worker then sees as unmanaged memory,
// as Dask's sizeof does for NumPy views). Slices and maps of other
// elements are sampled: SizeOf looks at 64 elements at most and
// extrapolates. Structs are walked field by field to
// a bounded depth, so cyclic pointers end. Memory shared by several parts of
// v is counted once per reference.
func SizeOf(v any) int64 {
	switch x := v.(type) {
	case nil:
		return 0
	case []byte:
		return sliceHeader + allocSize(int64(cap(x)))
	case string:
		return stringHeader + allocSize(int64(len(x)))
	case bool, int8, uint8:
		return 1
	case int16, uint16:
		return 2
	case int32, uint32, float32:
		return 4
	case int, int64, uint, uint64, float64, uintptr:
		return 8
	case []float64:
		return sliceHeader + allocSize(8*int64(cap(x)))
	case []int64:
		return sliceHeader + allocSize(8*int64(cap(x)))
	case []int:
		return sliceHeader + allocSize(8*int64(cap(x)))
	case arrow.RecordBatch:
		return recordBytes(x)
	case arrow.Table:
		return tableBytes(x)
	case arrow.Array:
		return arrayBytes(x)
	}
	s := sizer{visits: sizeMaxVisits}
	return s.size(reflect.ValueOf(v), 0)
}

const (
	sliceHeader  = int64(unsafe.Sizeof([]byte(nil)))
	stringHeader = int64(unsafe.Sizeof(""))
)

// sizer walks one value for SizeOf.
type sizer struct {
	// visits is how many more values the walk may look into.
	visits int
}

// size returns the bytes v occupies inline plus those it references.
func (s *sizer) size(v reflect.Value, depth int) int64 {
	t := v.Type()
	inline := int64(t.Size())
	f := factsOf(t)
	if f.flat {
		return inline
	}
	return inline + s.held(v, f, depth)
}

// held returns the bytes v references outside its inline storage.
func (s *sizer) held(v reflect.Value, f *typeFacts, depth int) int64 {
	if depth >= sizeMaxDepth || s.visits <= 0 {
		return 0
	}
	s.visits--
	if f.arrow != notArrow && !v.IsNil() && v.CanInterface() {
		return arrowBytes(v.Interface())
	}
	switch v.Kind() {
	case reflect.String:
		return allocSize(int64(v.Len()))
	case reflect.Pointer:
		if v.IsNil() {
			return 0
		}
		e := v.Elem()
		inline := int64(e.Type().Size())
		return allocSize(inline) + s.size(e, depth+1) - inline
	case reflect.Interface:
		if v.IsNil() {
			return 0
		}
		e := v.Elem()
		inline := int64(e.Type().Size())
		return allocSize(inline) + s.size(e, depth+1) - inline
	case reflect.Slice:
		return s.sliceHeld(v, depth)
	case reflect.Array:
		es := int64(v.Type().Elem().Size())
		return s.sampled(v.Len(), func(i int) int64 { return s.size(v.Index(i), depth+1) - es })
	case reflect.Map:
		return s.mapHeld(v, depth)
	case reflect.Struct:
		var n int64
		for _, i := range f.deep {
			fv := v.Field(i)
			n += s.held(fv, factsOf(fv.Type()), depth+1)
		}
		return n
	}
	return 0
}

// allocSize rounds a heap allocation of n bytes up the way Go's allocator
// does: to multiples of 8 up to 32 bytes, of 16 up to 256, then to size
// classes about a sixteenth apart, and beyond 32 KiB to whole pages.
func allocSize(n int64) int64 {
	switch {
	case n == 0:
		return 0
	case n <= 32:
		return (n + 7) &^ 7
	case n <= 256:
		return (n + 15) &^ 15
	case n > 32<<10:
		return (n + 8191) &^ 8191 // large objects take whole 8 KiB pages
	}
	step := int64(1) << (bits.Len64(uint64(n-1)) - 4)
	return (n + step - 1) &^ (step - 1)
}

// sliceHeld returns the bytes of a slice's backing array (by capacity) and
// what its elements reference, sampled.
func (s *sizer) sliceHeld(v reflect.Value, depth int) int64 {
	et := v.Type().Elem()
	es := int64(et.Size())
	n := allocSize(es * int64(v.Cap()))
	if factsOf(et).flat {
		return n
	}
	return n + s.sampled(v.Len(), func(i int) int64 { return s.size(v.Index(i), depth+1) - es })
}

// mapHeld returns the bytes of a map's table, estimated from its length and
// entry size, and what its keys and values reference, sampled.
func (s *sizer) mapHeld(v reflect.Value, depth int) int64 {
	kt, et := v.Type().Key(), v.Type().Elem()
	n := v.Len()
	table := mapTableBytes(n, int64(kt.Size()), int64(et.Size()))
	kf, ef := factsOf(kt), factsOf(et)
	if n == 0 || (kf.flat && ef.flat) {
		return table
	}
	var sum int64
	seen := 0
	it := v.MapRange()
	for seen < sizeSample && it.Next() {
		if !kf.flat {
			sum += s.held(it.Key(), kf, depth+1)
		}
		if !ef.flat {
			sum += s.held(it.Value(), ef, depth+1)
		}
		seen++
	}
	return table + sum*int64(n)/int64(seen)
}

// mapTableBytes estimates the memory of a Go map with n entries of the given
// key and value sizes. Go's maps are swiss tables: groups of eight slots
// with a control byte each, at most 7/8 full, grown by doubling.
func mapTableBytes(n int, keySize, elemSize int64) int64 {
	const mapHeader = 48
	if n == 0 {
		return mapHeader
	}
	const maxInline = 128 // larger keys and values are stored behind pointers
	if keySize > maxInline {
		keySize = 8 + keySize
	}
	if elemSize > maxInline {
		elemSize = 8 + elemSize
	}
	slots := int64(8)
	for slots*7/8 < int64(n) {
		slots *= 2
	}
	return mapHeader + slots*(keySize+elemSize+1)
}

// sampled returns the sum of at(i) for i in [0, n), computed exactly for up
// to sizeSample elements and extrapolated from sizeSample evenly spaced
// ones beyond that.
func (s *sizer) sampled(n int, at func(i int) int64) int64 {
	if n <= sizeSample {
		var sum int64
		for i := range n {
			sum += at(i)
		}
		return sum
	}
	var sum int64
	for j := range sizeSample {
		sum += at(j * n / sizeSample)
	}
	return sum * int64(n) / sizeSample
}

// arrowBytes returns the buffer bytes of an Arrow record, table or array.
func arrowBytes(v any) int64 {
	switch x := v.(type) {
	case arrow.RecordBatch:
		return recordBytes(x)
	case arrow.Table:
		return tableBytes(x)
	case arrow.Array:
		return arrayBytes(x)
	}
	return 0
}

// recordBytes returns the sum of the buffer lengths of rec's columns.
func recordBytes(rec arrow.RecordBatch) int64 {
	if isNil(rec) {
		return 0
	}
	var n int64
	for _, col := range rec.Columns() {
		n += arrayBytes(col)
	}
	return n
}

// tableBytes returns the sum of the buffer lengths of tbl's chunks.
func tableBytes(tbl arrow.Table) int64 {
	if isNil(tbl) {
		return 0
	}
	var n int64
	for i := range int(tbl.NumCols()) {
		for _, chunk := range tbl.Column(i).Data().Chunks() {
			n += arrayBytes(chunk)
		}
	}
	return n
}

// arrayBytes returns the sum of arr's buffer lengths, children and
// dictionary included; for a slice of a larger array, the bytes of its own
// rows (see sliceBytes).
func arrayBytes(arr arrow.Array) int64 {
	if isNil(arr) {
		return 0
	}
	d := arr.Data()
	whole := int64(d.SizeInBytes())
	if own, ok := sliceBytes(d); ok && own < whole {
		return own
	}
	return whole
}

// sliceSlack is the padding a builder may add to each buffer (64 bytes),
// beyond which, with twice the bytes its rows need, an array that starts
// at its buffers' first row counts as a slice (see sliceBytes).
const sliceSlack = 64

// sliceBytes returns the bytes of d's own rows when d is a slice of a
// larger array (an offset into, or a length short of, buffers it shares
// with it), for fixed-width, binary, string, list, struct and dictionary
// arrays; false for other types and for arrays that are not slices (one
// that starts at its buffers' first row and uses at least half of them).
// A slice keeps its parent's buffers alive, but what it holds is its
// rows: a partition cut from a big record travels, and is stored by
// whoever receives it, at that size (the IPC writer truncates a slice's
// buffers). Counting the parent's buffers instead made every partition
// of FromRecords's 2,000 count as the whole 63 MB record, and the workers
// spilled what they did not hold.
func sliceBytes(d arrow.ArrayData) (int64, bool) {
	n, off := int64(d.Len()), int64(d.Offset())
	bufs := d.Buffers()
	bitmap := func() int64 {
		if len(bufs) > 0 && bufs[0] != nil && bufs[0].Len() > 0 {
			return (n + 7) / 8
		}
		return 0
	}
	var own, have int64
	for _, b := range bufs {
		if b != nil {
			have += int64(b.Len())
		}
	}
	switch t := d.DataType().(type) {
	case *arrow.DictionaryType:
		idx, ok := fixedBytes(t.IndexType, n)
		if !ok {
			return 0, false
		}
		own = bitmap() + idx
		if dict := d.Dictionary(); dict != nil {
			dictBytes := int64(dict.SizeInBytes())
			own += dictBytes
			have += dictBytes
		}
	case *arrow.StringType, *arrow.BinaryType:
		if len(bufs) < 3 || bufs[1] == nil || int64(bufs[1].Len()) < 4*(off+n+1) {
			return 0, false
		}
		offs := arrow.Int32Traits.CastFromBytes(bufs[1].Bytes())
		own = bitmap() + 4*(n+1) + int64(offs[off+n]-offs[off])
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		if len(bufs) < 3 || bufs[1] == nil || int64(bufs[1].Len()) < 8*(off+n+1) {
			return 0, false
		}
		offs := arrow.Int64Traits.CastFromBytes(bufs[1].Bytes())
		own = bitmap() + 8*(n+1) + offs[off+n] - offs[off]
	case *arrow.ListType:
		if len(bufs) < 2 || bufs[1] == nil || int64(bufs[1].Len()) < 4*(off+n+1) || len(d.Children()) != 1 {
			return 0, false
		}
		offs := arrow.Int32Traits.CastFromBytes(bufs[1].Bytes())
		child := d.Children()[0]
		childHave := int64(child.SizeInBytes())
		own = bitmap() + 4*(n+1) + rowsBytes(child, int64(offs[off]), int64(offs[off+n]))
		have += childHave
	case *arrow.StructType:
		own = bitmap()
		for _, c := range d.Children() {
			own += rowsBytes(c, off, off+n)
			have += int64(c.SizeInBytes())
		}
	default:
		if len(d.Children()) > 0 {
			return 0, false
		}
		b, ok := fixedBytes(t, n)
		if !ok {
			return 0, false
		}
		own = bitmap() + b
	}
	if off == 0 && have <= 2*own+sliceSlack*int64(len(bufs)) {
		// Its buffers are its own (a builder grows them up to twice
		// what they hold, and pads them): count them, as allocated.
		return 0, false
	}
	return own, true
}

// rowsBytes returns the bytes of rows [from, to) of d.
func rowsBytes(d arrow.ArrayData, from, to int64) int64 {
	if from == 0 && to == int64(d.Len()) {
		if own, ok := sliceBytes(d); ok {
			return own
		}
		return int64(d.SizeInBytes())
	}
	part := array.NewSliceData(d, from, to)
	defer part.Release()
	if own, ok := sliceBytes(part); ok {
		return own
	}
	return int64(part.SizeInBytes())
}

// fixedBytes returns the bytes n values of a fixed-width type t take.
func fixedBytes(t arrow.DataType, n int64) (int64, bool) {
	fw, ok := t.(arrow.FixedWidthDataType)
	if !ok {
		return 0, false
	}
	return (int64(fw.BitWidth())*n + 7) / 8, true
}
