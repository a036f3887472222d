//go:build duckdb_arrow

package dataframe

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
)

// The functions the dataframe runs on workers, registered under stable
// names so that every worker binary that imports this package (the stock
// dusk worker does) knows them. The readers, writers, group-by and shuffle
// register theirs in their own files.
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

// The names under which kernels see their inputs.
const (
	viewIn    = "__dusk_in"
	viewLeft  = "__dusk_left"
	viewRight = "__dusk_right"
)

// sqlPartition runs a query over one partition (the view viewIn).
func sqlPartition(ctx context.Context, rec arrow.RecordBatch, query string, cats map[string][]string) (arrow.RecordBatch, error) {
	e, err := engineFor(ctx)
	if err != nil {
		return nil, err
	}
	out, err := e.Query(ctx, query, Input{Name: viewIn, Rec: rec})
	if err != nil {
		return nil, err
	}
	return restoreCats(out, cats)
}

// sqlPair runs a query over two partitions (viewLeft and viewRight).
func sqlPair(ctx context.Context, left, right arrow.RecordBatch, query string, cats map[string][]string) (arrow.RecordBatch, error) {
	e, err := engineFor(ctx)
	if err != nil {
		return nil, err
	}
	out, err := e.Query(ctx, query, Input{Name: viewLeft, Rec: left}, Input{Name: viewRight, Rec: right})
	if err != nil {
		return nil, err
	}
	return restoreCats(out, cats)
}

// sqlMany runs a query over partitions joined into one (the view viewIn).
func sqlMany(ctx context.Context, recs []arrow.RecordBatch, query string, cats map[string][]string) (arrow.RecordBatch, error) {
	rec, err := concatRecords(recs)
	if err != nil {
		return nil, err
	}
	return sqlPartition(ctx, rec, query, cats)
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

// restoreCats turns string columns named in cats back into dictionaries of
// their categories (DuckDB returns categorical columns as strings). A
// value outside the categories is an error that names the column.
func restoreCats(rec arrow.RecordBatch, cats map[string][]string) (arrow.RecordBatch, error) {
	if len(cats) == 0 {
		return rec, nil
	}
	s := rec.Schema()
	cols := rec.Columns()
	fields := s.Fields()
	changed := false
	for i, f := range fields {
		c, ok := cats[f.Name]
		if !ok {
			continue
		}
		arr, err := encodeCategories(cols[i], c, f.Name)
		if err != nil {
			return nil, err
		}
		if arr != cols[i] {
			cols = append([]arrow.Array(nil), cols...)
			cols[i] = arr
			fields[i] = arrow.Field{Name: f.Name, Type: arr.DataType(), Nullable: true}
			changed = true
		}
	}
	if !changed {
		return rec, nil
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, rec.NumRows()), nil
}

// catType is the type of a categorical column.
var catType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// encodeCategories returns a string column as a dictionary over the
// categories (in their order); a dictionary column with other values is
// re-encoded.
func encodeCategories(col arrow.Array, cats []string, name string) (arrow.Array, error) {
	var get func(i int) string
	switch a := col.(type) {
	case *array.String:
		get = a.Value
	case *array.LargeString:
		get = a.Value
	case *array.Dictionary:
		if d, ok := a.Dictionary().(*array.String); ok && sameStrings(d, cats) && arrow.TypeEqual(a.DataType(), catType) {
			return col, nil
		}
		d, ok := a.Dictionary().(*array.String)
		if !ok {
			return nil, fmt.Errorf("dataframe: categorical column %q holds %s values, not strings", name, a.Dictionary().DataType())
		}
		get = func(i int) string { return d.Value(a.GetValueIndex(i)) }
	default:
		return nil, fmt.Errorf("dataframe: categorical column %q is %s, not strings", name, col.DataType())
	}
	index := make(map[string]int32, len(cats))
	for i, c := range cats {
		index[c] = int32(i)
	}
	ib := array.NewInt32Builder(mem)
	defer ib.Release()
	ib.Reserve(col.Len())
	for i := range col.Len() {
		if col.IsNull(i) {
			ib.AppendNull()
			continue
		}
		v := get(i)
		k, ok := index[v]
		if !ok {
			return nil, fmt.Errorf("dataframe: categorical column %q has the value %q, which is not one of its %d categories; use another column name for a changed value, or Categorize again", name, v, len(cats))
		}
		ib.Append(k)
	}
	idx := ib.NewArray()
	defer idx.Release()
	db := array.NewStringBuilder(mem)
	db.AppendValues(cats, nil)
	dict := db.NewArray()
	db.Release()
	defer dict.Release()
	return array.NewDictionaryArray(catType, idx, dict), nil
}

func sameStrings(a *array.String, b []string) bool {
	if a.Len() != len(b) {
		return false
	}
	for i, s := range b {
		if a.Value(i) != s {
			return false
		}
	}
	return true
}
