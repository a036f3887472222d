//go:build duckdb_arrow

package dataframe

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk"
)

// A partition is one arrow.RecordBatch: the unit every task reads and
// writes. The helpers here build, join, cut and normalize partitions.

var mem = memory.DefaultAllocator

// nullableSchema returns s with every field nullable and no metadata:
// partitions from different sources (DuckDB marks every column nullable)
// then share one schema.
func nullableSchema(s *arrow.Schema) *arrow.Schema {
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

// withSchema returns rec under schema s, which must have rec's column
// types; only nullability and metadata may differ.
func withSchema(rec arrow.RecordBatch, s *arrow.Schema) arrow.RecordBatch {
	if rec.Schema().Equal(s) {
		return rec
	}
	return array.NewRecordBatch(s, rec.Columns(), rec.NumRows())
}

// emptyRecord returns a record of schema s with no rows.
func emptyRecord(s *arrow.Schema) arrow.RecordBatch {
	cols := make([]arrow.Array, s.NumFields())
	for i, f := range s.Fields() {
		b := array.NewBuilder(mem, f.Type)
		cols[i] = b.NewArray()
		b.Release()
	}
	return array.NewRecordBatch(s, cols, 0)
}

// concatBatches joins batches of one schema into one record; with none it
// returns an empty record of the schema. A single batch is returned as it
// is unless copy is set (for batches whose buffers DuckDB owns).
func concatBatches(s *arrow.Schema, batches []arrow.RecordBatch, copy bool) (arrow.RecordBatch, error) {
	var keep []arrow.RecordBatch
	for _, b := range batches {
		if b.NumRows() > 0 {
			keep = append(keep, b)
		}
	}
	switch len(keep) {
	case 0:
		return emptyRecord(s), nil
	case 1:
		if !copy {
			keep[0].Retain()
			return withSchema(keep[0], s), nil
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

// concatRecords joins partitions that have one schema.
func concatRecords(recs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	if len(recs) == 0 {
		return nil, fmt.Errorf("dataframe: nothing to join")
	}
	s := recs[0].Schema()
	for i, r := range recs[1:] {
		if !r.Schema().Equal(s) {
			return nil, fmt.Errorf("dataframe: partition %d has schema %s, partition 0 has %s", i+1, r.Schema(), s)
		}
	}
	return concatBatches(s, recs, false)
}

// recordBytes is the size of a partition in memory.
func recordBytes(rec arrow.RecordBatch) int64 { return dusk.SizeOf(rec) }

// splitRows cuts rec into n pieces of nearly equal row counts (zero-copy).
func splitRows(rec arrow.RecordBatch, n int) []arrow.RecordBatch {
	rows := rec.NumRows()
	out := make([]arrow.RecordBatch, n)
	for i := range n {
		lo := rows * int64(i) / int64(n)
		hi := rows * int64(i+1) / int64(n)
		out[i] = rec.NewSlice(lo, hi)
	}
	return out
}

// columnIndex returns the index of the named column, or an error that
// names the column and the columns there are.
func columnIndex(s *arrow.Schema, name, where string) (int, error) {
	idx := s.FieldIndices(name)
	if len(idx) == 0 {
		return -1, &ColumnError{Column: name, Have: fieldNames(s), Where: where}
	}
	return idx[0], nil
}

func fieldNames(s *arrow.Schema) []string {
	out := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = f.Name
	}
	return out
}

// ColumnError is a column that is not there: it names the column and the
// columns there are.
type ColumnError struct {
	Column string
	Have   []string
	Where  string // the operation, such as "Select"
}

// Error names the column and the columns there are.
func (e *ColumnError) Error() string {
	return fmt.Sprintf("%s: no column %q; the columns are %s", e.Where, e.Column, quoteList(e.Have))
}

func quoteList(xs []string) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", x)
	}
	return "[" + s + "]"
}
