package dataframe_test

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk/dataframe"
)

// TestFromArrowChunkedTable scatters a table of several chunks into the
// partitions asked for: the same rows, in order; a nil table is an error
// naming the call.
func TestFromArrowChunkedTable(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	s := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "k", Type: arrow.BinaryTypes.String}}, nil)
	var recs []arrow.RecordBatch
	var want []string
	for ch := range 3 {
		b := array.NewRecordBuilder(memory.DefaultAllocator, s)
		for i := range 7 + ch {
			id := int64(100*ch + i)
			b.Field(0).(*array.Int64Builder).Append(id)
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("k%d", id%3))
			want = append(want, fmt.Sprintf("%d|k%d", id, id%3))
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
	}
	tbl := array.NewTableFromRecords(s, recs)
	df, err := dataframe.FromArrow(ctx, c, tbl, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	if df.NPartitions() != 4 {
		t.Fatalf("%d partitions, want 4", df.NPartitions())
	}
	if got := tableLines(t, mustCompute(t, ctx, df)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rows after FromArrow:\n%v\nwant\n%v", got, want)
	}
	_, err = dataframe.FromArrow(ctx, c, nil)
	wantErr(t, err, "FromArrow", "nil")
}
