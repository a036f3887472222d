package dataframe

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// The functions the dataframe runs on workers, registered under stable
// names so that every worker binary that imports this package (the stock
// dusk worker does) knows them. The readers and writers (package io) and
// the Go kernels (package kernels) are registered in the files of the plan
// steps that lower to them; the shuffle registers its own.
var (
	fnSQL     = dusk.Register("dataframe.sql", sqlPartition)
	fnSQL2    = dusk.Register("dataframe.sql2", sqlPair)
	fnSQLMany = dusk.Register("dataframe.sql-many", sqlMany)
	fnSize    = dusk.Register("dataframe.size", partitionSize)
	fnConcat  = dusk.Register("dataframe.concat", concatPartitions)
	fnSlice   = dusk.Register("dataframe.slice", slicePartition)
	fnLen     = dusk.Register("dataframe.len", partitionLen)
	fnSum     = dusk.Register("dataframe.sum-ints", sumInts)
	fnSame    = dusk.Register("dataframe.identity", func(rec arrow.RecordBatch) arrow.RecordBatch { return rec })
)

// partList returns parts as a slice a task takes as one argument (a list
// of its inputs): all futures, or all lazy values (a future among lazy
// values is read through an identity task).
func partList(parts []part) any {
	futs := make([]*dusk.AnyFuture, 0, len(parts))
	for _, p := range parts {
		if f, ok := p.(*dusk.AnyFuture); ok {
			futs = append(futs, f)
		}
	}
	if len(futs) == len(parts) {
		return futs
	}
	out := make([]*dusk.Delayed[arrow.RecordBatch], len(parts))
	for i, p := range parts {
		switch x := p.(type) {
		case *dusk.Delayed[arrow.RecordBatch]:
			out[i] = x
		default:
			out[i] = dusk.Call[arrow.RecordBatch](fnSame, p)
		}
	}
	return out
}

// sqlPartition runs a query over one partition (the view engine.ViewIn).
func sqlPartition(ctx context.Context, rec arrow.RecordBatch, query string, cats map[string][]string) (arrow.RecordBatch, error) {
	e, err := engine.For(ctx)
	if err != nil {
		return nil, err
	}
	out, err := e.Query(ctx, query, engine.Input{Name: engine.ViewIn, Rec: rec})
	if err != nil {
		return nil, err
	}
	return kernels.RestoreCategories(out, cats)
}

// sqlPair runs a query over two partitions (the views engine.ViewLeft and
// engine.ViewRight).
func sqlPair(ctx context.Context, left, right arrow.RecordBatch, query string, cats map[string][]string) (arrow.RecordBatch, error) {
	e, err := engine.For(ctx)
	if err != nil {
		return nil, err
	}
	out, err := e.Query(ctx, query, engine.Input{Name: engine.ViewLeft, Rec: left}, engine.Input{Name: engine.ViewRight, Rec: right})
	if err != nil {
		return nil, err
	}
	return kernels.RestoreCategories(out, cats)
}

// sqlMany runs a query over partitions read as one table (the view
// engine.ViewIn), in their order; they are not copied into one first.
func sqlMany(ctx context.Context, recs []arrow.RecordBatch, query string, cats map[string][]string) (arrow.RecordBatch, error) {
	if len(recs) == 0 {
		return nil, fmt.Errorf("dataframe: a query over no partitions: %s", firstLine(query))
	}
	e, err := engine.For(ctx)
	if err != nil {
		return nil, err
	}
	out, err := e.Query(ctx, query, engine.Input{Name: engine.ViewIn, Recs: recs})
	if err != nil {
		return nil, err
	}
	return kernels.RestoreCategories(out, cats)
}

// partitionSize returns a one-row record: the partition's rows and bytes.
func partitionSize(rec arrow.RecordBatch) arrow.RecordBatch {
	s := arrow.NewSchema([]arrow.Field{{Name: "rows", Type: arrow.PrimitiveTypes.Int64}, {Name: "bytes", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).Append(rec.NumRows())
	b.Field(1).(*array.Int64Builder).Append(recordBytes(rec))
	return b.NewRecordBatch()
}

func concatPartitions(recs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	return concatRecords(recs)
}

// slicePartition returns piece i of n of rec, cut by rows.
func slicePartition(rec arrow.RecordBatch, i, n int) (arrow.RecordBatch, error) {
	if n <= 0 || i < 0 || i >= n {
		return nil, fmt.Errorf("dataframe: piece %d of %d", i, n)
	}
	return splitRows(rec, n)[i], nil
}

func partitionLen(rec arrow.RecordBatch) int64 { return rec.NumRows() }

func sumInts(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}
