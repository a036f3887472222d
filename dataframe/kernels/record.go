package kernels

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// A partition is one arrow.RecordBatch: the unit every task reads and
// writes. The helpers here build, join and normalize records.

var mem = memory.DefaultAllocator

// NullableSchema returns s with every field nullable and no metadata:
// partitions from different sources (DuckDB marks every column nullable)
// then share one schema.
func NullableSchema(s *arrow.Schema) *arrow.Schema {
	fs := make([]arrow.Field, s.NumFields())
	same := s.Metadata().Len() == 0
	for i, f := range s.Fields() {
		if !f.Nullable || f.HasMetadata() {
			same = false
		}
		fs[i] = arrow.Field{Name: f.Name, Type: f.Type, Nullable: true}
	}
	if same {
		return s
	}
	return arrow.NewSchema(fs, nil)
}

// WithSchema returns rec under schema s, which must have rec's column
// types; only nullability and metadata may differ.
func WithSchema(rec arrow.RecordBatch, s *arrow.Schema) arrow.RecordBatch {
	if rec.Schema().Equal(s) {
		return rec
	}
	return array.NewRecordBatch(s, rec.Columns(), rec.NumRows())
}

// EmptyRecord returns a record of schema s with no rows.
func EmptyRecord(s *arrow.Schema) arrow.RecordBatch {
	cols := make([]arrow.Array, s.NumFields())
	for i, f := range s.Fields() {
		b := array.NewBuilder(mem, f.Type)
		cols[i] = b.NewArray()
		b.Release()
	}
	return array.NewRecordBatch(s, cols, 0)
}

// Concat joins batches of one schema into one record; with none it
// returns an empty record of the schema. A single batch is returned as it
// is unless copy is set (for batches whose buffers DuckDB owns).
func Concat(s *arrow.Schema, batches []arrow.RecordBatch, copy bool) (arrow.RecordBatch, error) {
	var keep []arrow.RecordBatch
	for _, b := range batches {
		if b.NumRows() > 0 {
			keep = append(keep, b)
		}
	}
	switch len(keep) {
	case 0:
		return EmptyRecord(s), nil
	case 1:
		if !copy {
			keep[0].Retain()
			return WithSchema(keep[0], s), nil
		}
	}
	cols := make([]arrow.Array, s.NumFields())
	var rows int64
	for _, b := range keep {
		rows += b.NumRows()
	}
	parts := make([]arrow.Array, len(keep))
	for i := range cols {
		for j, b := range keep {
			parts[j] = b.Column(i)
		}
		c, err := array.Concatenate(parts, mem)
		if err != nil {
			return nil, fmt.Errorf("dataframe: joining batches of column %s: %w", s.Field(i).Name, err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(s, cols, rows), nil
}

// TableToRecord joins a table's chunks into one record of schema s.
func TableToRecord(s *arrow.Schema, tbl arrow.Table) (arrow.RecordBatch, error) {
	tr := array.NewTableReader(tbl, -1)
	defer tr.Release()
	var batches []arrow.RecordBatch
	for tr.Next() {
		b := tr.RecordBatch()
		b.Retain()
		batches = append(batches, WithSchema(b, s))
	}
	if err := tr.Err(); err != nil {
		return nil, err
	}
	return Concat(s, batches, len(batches) > 1)
}
