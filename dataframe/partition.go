package dataframe

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// A partition is one arrow.RecordBatch: the unit every task reads and
// writes. The helpers here build, join, cut and normalize partitions.

var mem = memory.DefaultAllocator

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
	return kernels.Concat(s, recs, false)
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
	have := make([]string, len(e.Have))
	for i, c := range e.Have {
		have[i] = strconv.Quote(c)
	}
	return fmt.Sprintf("%s: no column %q; the columns are [%s]", e.Where, e.Column, strings.Join(have, ", "))
}
