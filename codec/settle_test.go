package codec

import (
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// lazyNulls returns a copy of a's data whose null count is not known yet,
// as kernels that build arrays from buffers leave it.
func lazyNulls(a arrow.Array) arrow.Array {
	d := a.Data()
	var kids []arrow.ArrayData
	for _, c := range d.Children() {
		kids = append(kids, lazyNulls(array.MakeFromData(c)).Data())
	}
	nd := array.NewData(d.DataType(), d.Len(), d.Buffers(), kids, array.UnknownNullCount, d.Offset())
	return array.MakeFromData(nd)
}

// After Settle every column of a record, nested children included, knows
// its null count, so that readers sharing the record only read it (under
// -race, the concurrent NullN calls below would race without it).
func TestSettleCountsNullsOnce(t *testing.T) {
	mem := memory.NewGoAllocator()
	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{1, 2, 3, 4}, []bool{true, false, true, false})
	ints := ib.NewArray()
	sb := array.NewStructBuilder(mem, arrow.StructOf(arrow.Field{Name: "f", Type: arrow.BinaryTypes.String, Nullable: true}))
	fb := sb.FieldBuilder(0).(*array.StringBuilder)
	for i := range 4 {
		sb.Append(true)
		if i == 1 {
			fb.AppendNull()
		} else {
			fb.Append("x")
		}
	}
	structs := sb.NewArray()
	schema := arrow.NewSchema([]arrow.Field{{Name: "i", Type: ints.DataType(), Nullable: true}, {Name: "s", Type: structs.DataType(), Nullable: true}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{lazyNulls(ints), lazyNulls(structs)}, 4)
	if rec.Column(0).Data().NullN() != array.UnknownNullCount || rec.Column(1).Data().Children()[0].NullN() != array.UnknownNullCount {
		t.Fatal("the test's arrays know their null counts already")
	}
	Settle(rec)
	if n := rec.Column(0).Data().NullN(); n != 2 {
		t.Fatalf("column i: %d nulls known, want 2", n)
	}
	if n := rec.Column(1).Data().Children()[0].NullN(); n != 1 {
		t.Fatalf("the struct's child: %d nulls known, want 1", n)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if rec.Column(0).NullN() != 2 {
				t.Error("a reader counts other nulls")
			}
		})
	}
	wg.Wait()
	Settle(nil)
	Settle(42)
}
