package codec

import (
	"errors"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "price", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
}, nil)

// makeRecord builds a record of n rows starting at id from; the caller
// releases it.
func makeRecord(mem memory.Allocator, from, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, testSchema)
	defer b.Release()
	ids := b.Field(0).(*array.Int64Builder)
	prices := b.Field(1).(*array.Float64Builder)
	names := b.Field(2).(*array.StringBuilder)
	tags := b.Field(3).(*array.ListBuilder)
	tagVals := tags.ValueBuilder().(*array.StringBuilder)
	for i := from; i < from+n; i++ {
		ids.Append(int64(i))
		if i%7 == 0 {
			prices.AppendNull()
			names.AppendNull()
			tags.AppendNull()
			continue
		}
		prices.Append(float64(i) * 0.25)
		names.Append("item-" + string(rune('a'+i%26)))
		tags.Append(true)
		for j := range i % 3 {
			tagVals.Append(string(rune('x' + j)))
		}
	}
	return b.NewRecordBatch()
}

func TestArrowRecordRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	rec := makeRecord(mem, 0, 1000)
	defer rec.Release()
	b := mustEncode(t, rec)
	if k, _ := Format(b); k != ArrowRecord {
		t.Fatalf("format %v", k)
	}
	d := Decoder{Allocator: mem}
	for _, target := range []reflect.Type{reflect.TypeFor[arrow.RecordBatch](), reflect.TypeFor[any]()} {
		v, err := d.Decode(b, target)
		if err != nil {
			t.Fatalf("Decode into %v: %v", target, err)
		}
		got := v.Interface().(arrow.RecordBatch)
		if !array.RecordEqual(got, rec) {
			t.Errorf("into %v: records differ", target)
		}
		got.Release()
	}
	// A record decodes as a one-batch table too.
	var tbl arrow.Table
	if err := d.DecodeInto(b, &tbl); err != nil {
		t.Fatal(err)
	}
	if tbl.NumRows() != rec.NumRows() || tbl.NumCols() != rec.NumCols() {
		t.Errorf("record as table: %d x %d", tbl.NumRows(), tbl.NumCols())
	}
	tbl.Release()

	// A sliced record encodes its rows only.
	sl := rec.NewSlice(10, 20)
	defer sl.Release()
	var got arrow.RecordBatch
	if err := d.DecodeInto(mustEncode(t, sl), &got); err != nil {
		t.Fatal(err)
	}
	if !array.RecordEqual(got, sl) {
		t.Error("sliced record differs")
	}
	got.Release()
}

func TestArrowTableRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	r1, r2 := makeRecord(mem, 0, 100), makeRecord(mem, 100, 50)
	tbl := array.NewTableFromRecords(testSchema, []arrow.RecordBatch{r1, r2})
	r1.Release()
	r2.Release()
	defer tbl.Release()

	b := mustEncode(t, tbl)
	if k, _ := Format(b); k != ArrowTable {
		t.Fatalf("format %v", k)
	}
	d := Decoder{Allocator: mem}
	for _, target := range []reflect.Type{reflect.TypeFor[arrow.Table](), reflect.TypeFor[any]()} {
		v, err := d.Decode(b, target)
		if err != nil {
			t.Fatalf("Decode into %v: %v", target, err)
		}
		got := v.Interface().(arrow.Table)
		if !array.TableEqual(got, tbl) {
			t.Errorf("into %v: tables differ", target)
		}
		got.Release()
	}
	// A table does not fit a record.
	var rec arrow.RecordBatch
	err := d.DecodeInto(b, &rec)
	if de, ok := errors.AsType[*DecodeError](err); !ok || de.Kind != ArrowTable {
		t.Errorf("table into record: %v", err)
	}

	// An empty table (no batches) round-trips.
	empty := array.NewTableFromRecords(testSchema, nil)
	defer empty.Release()
	v, err := d.Decode(mustEncode(t, empty), reflect.TypeFor[arrow.Table]())
	if err != nil {
		t.Fatal(err)
	}
	gotEmpty := v.Interface().(arrow.Table)
	if gotEmpty.NumRows() != 0 || !gotEmpty.Schema().Equal(testSchema) {
		t.Errorf("empty table: %d rows, schema %v", gotEmpty.NumRows(), gotEmpty.Schema())
	}
	gotEmpty.Release()
}

func TestArrowDecodeErrors(t *testing.T) {
	rec := makeRecord(memory.DefaultAllocator, 0, 100)
	defer rec.Release()
	b := mustEncode(t, rec)

	// Wrong targets.
	for _, target := range []reflect.Type{reflect.TypeFor[int](), reflect.TypeFor[[]byte](), reflect.TypeFor[arrow.Array]()} {
		_, err := Decode(b, target)
		if de, ok := errors.AsType[*DecodeError](err); !ok || de.Kind != ArrowRecord || de.Target != target {
			t.Errorf("record into %v: %v", target, err)
		}
	}
	// Every truncation fails cleanly.
	for n := 1; n < len(b)-8; n += 1 + n/8 { // the last 8 bytes are the optional end marker
		v, err := Decode(b[:n], reflect.TypeFor[any]())
		if err == nil {
			v.Interface().(arrow.RecordBatch).Release()
			t.Errorf("truncated to %d of %d bytes: decoded", n, len(b))
		}
	}
	// A stream of two batches is not a record.
	two := []byte{byte(ArrowRecord)}
	w := &appendWriter{b: two}
	iw := ipc.NewWriter(w, ipc.WithSchema(rec.Schema()))
	_ = iw.Write(rec)
	_ = iw.Write(rec)
	_ = iw.Close()
	if _, err := Decode(w.b, reflect.TypeFor[arrow.RecordBatch]()); err == nil {
		t.Error("two batches decoded as a record")
	}
	// Nil records and tables are refused at encoding.
	if _, err := Encode(arrow.RecordBatch((*nilRecord)(nil))); err == nil {
		t.Error("nil record encoded")
	}
}

// nilRecord is an arrow.RecordBatch implementation used only as a typed nil.
type nilRecord struct{ arrow.RecordBatch }

func TestArrowCompressedStreamIsReadableAndBounded(t *testing.T) {
	rec := makeRecord(memory.DefaultAllocator, 0, 5000)
	defer rec.Release()
	w := &appendWriter{b: []byte{byte(ArrowRecord)}}
	iw := ipc.NewWriter(w, ipc.WithSchema(rec.Schema()), ipc.WithZstd())
	if err := iw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := iw.Close(); err != nil {
		t.Fatal(err)
	}
	v, err := Decode(w.b, reflect.TypeFor[arrow.RecordBatch]())
	if err != nil {
		t.Fatalf("compressed IPC from another writer: %v", err)
	}
	got := v.Interface().(arrow.RecordBatch)
	if !array.RecordEqual(got, rec) {
		t.Error("compressed record differs")
	}
	got.Release()

	// The bounded allocator refuses what a lying header would ask for.
	a := newBoundedAllocator(memory.DefaultAllocator, 100)
	func() {
		defer func() {
			if r := recover(); r != errAllocBudget {
				t.Errorf("over budget: recovered %v", r)
			}
		}()
		a.Allocate(101)
	}()
	a.lift()
	a.Free(a.Allocate(1 << 20))
}

// A slice of a large record (a partition cut from a table) is encoded into
// a buffer the size of its rows, not of the whole buffers it shares:
// cutting a table into p partitions used to allocate the whole table p
// times. Its rows come back whole.
func TestArrowSliceEncodesItsRowsOnly(t *testing.T) {
	mem := memory.NewGoAllocator()
	rec := makeRecord(mem, 0, 100_000)
	defer rec.Release()
	whole, err := Encode(rec)
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range []int64{0, 50_000, 99_000} {
		part := rec.NewSlice(from, from+1000)
		b, err := Encode(part)
		if err != nil {
			t.Fatal(err)
		}
		if cap(b) > len(whole)/20 {
			t.Errorf("a slice of 1%% of the rows at %d: a buffer of %d bytes (the whole record encodes to %d)", from, cap(b), len(whole))
		}
		back, err := Decode(b, reflect.TypeFor[arrow.RecordBatch]())
		if err != nil {
			t.Fatal(err)
		}
		got := back.Interface().(arrow.RecordBatch)
		if !array.RecordEqual(got, part) {
			t.Errorf("the slice at %d did not come back whole", from)
		}
		got.Release()
		part.Release()
	}
}
