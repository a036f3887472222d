package dataframe_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
)

// scaleX multiplies x by a factor: a Go function over a partition.
var scaleX = dusk.Register("dftest.scale-x", func(ctx context.Context, rec arrow.RecordBatch, f float64) (arrow.RecordBatch, error) {
	idx := rec.Schema().FieldIndices("x")
	if len(idx) == 0 {
		return nil, fmt.Errorf("no x")
	}
	xs := rec.Column(idx[0]).(*array.Float64)
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	for i := range xs.Len() {
		b.Append(xs.Value(i) * f)
	}
	s := arrow.NewSchema([]arrow.Field{{Name: "x2", Type: arrow.PrimitiveTypes.Float64}}, nil)
	return array.NewRecordBatch(s, []arrow.Array{b.NewArray()}, rec.NumRows()), nil
})

var notAPartitionFunc = dusk.Register("dftest.not-partition", func(x int) int { return x })

func TestMapPartitionsAndExplain(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(400, 10, 2)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	m := df.MapPartitions(scaleX, dataframe.Args(3.0))
	if m.Err() != nil {
		t.Fatal(m.Err())
	}
	if fmt.Sprint(m.Columns()) != "[x2]" {
		t.Fatalf("learned schema: %v", m.Columns())
	}
	got := tableLines(t, mustCompute(t, ctx, m))
	for i, r := range rows {
		if want := fmt.Sprintf("%.6g", r.X*3); got[i] != want {
			t.Fatalf("row %d = %s, want %s", i, got[i], want)
		}
	}
	wantErr(t, df.MapPartitions(notAPartitionFunc).Err(), "MapPartitions", "arrow.RecordBatch")
	wantErr(t, df.MapPartitions(scaleX).Err(), "MapPartitions", "takes 1 argument(s) after the partition", "0 given")

	// Explain: steps, partition counts, fused queries and strategies.
	plan := df.Filter("x > 1").Select("k", "x").GroupBy("k").Agg(dataframe.Sum("x")).Explain()
	for _, want := range []string{"GroupBy [k] Agg [sum(x)]: tree reduction 4 -> 1 partition", "Select k, x partitions=4", `Filter "x > 1" partitions=4`, "columns [k, x] (no copy)", "Persisted partitions=4"} {
		if !strings.Contains(plan, want) {
			t.Fatalf("plan\n%s\nlacks %q", plan, want)
		}
	}
}
