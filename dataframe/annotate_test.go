package dataframe_test

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
	"github.com/dusk-go/dusk/task"
)

var addrSchema = arrow.NewSchema([]arrow.Field{{Name: "addr", Type: arrow.BinaryTypes.String}}, nil)

// addrOf replaces each row of a partition by the address of the worker
// that runs it.
var addrOf = dusk.Register("dftest.addr-of", func(ctx context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	rt, ok := task.FromContext(ctx)
	if !ok {
		return nil, errors.New("addr-of: not in a task")
	}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	for range rec.NumRows() {
		b.Append(rt.Address())
	}
	return array.NewRecordBatch(addrSchema, []arrow.Array{b.NewArray()}, rec.NumRows()), nil
})

// The annotations of the ctx a DataFrame is computed with reach its
// tasks: under dusk.WithWorkers every partition runs on the named worker,
// for each worker in turn.
func TestAnnotationsReachDataFrameTasks(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	ws, err := c.Workers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	df, err := dataframe.FromRecords(ctx, c, makeRows(400, 10, 2), dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	m := df.Filter("x > 1").MapPartitions(addrOf, dataframe.Meta(addrSchema))
	if m.Err() != nil {
		t.Fatal(m.Err())
	}
	for _, w := range ws {
		lines := tableLines(t, mustCompute(t, dusk.WithWorkers(ctx, w.Address), m))
		if len(lines) == 0 {
			t.Fatal("no rows")
		}
		for _, a := range lines {
			if a != w.Address {
				t.Fatalf("under WithWorkers(%s) a partition ran on %s", w.Address, a)
			}
		}
	}
}
