package dataframe

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
)

// Rows borrowed from neighbouring partitions ("halos"), for the steps whose
// result at a partition's edge depends on rows of the partitions around it
// (Rolling, MapOverlap, Resample). A halo is built by a chain of small
// tasks, one per partition, each carrying what the next partition needs
// from all the partitions before it (or after it), so that a window may
// span any number of small or empty partitions.

// The columns a halo step adds to the rows it hands to DuckDB: the row's
// position in the extended partition, and whether the row is the
// partition's own (not borrowed).
const (
	haloPosColumn = "__dusk_halo_pos"
	haloOwnColumn = "__dusk_halo_own"
)

var (
	fnTailRows  = dusk.Register("dataframe.tail-rows", tailRows)
	fnHeadRows  = dusk.Register("dataframe.head-rows", headRows)
	fnRowsFrom  = dusk.Register("dataframe.rows-from", rowsFrom)
	fnRowsUntil = dusk.Register("dataframe.rows-until", rowsUntil)
	fnHaloSQL   = dusk.Register("dataframe.halo-sql", haloSQL)
	fnTrimRows  = dusk.Register("dataframe.trim-rows", trimRows)
	fnJoinThree = dusk.Register("dataframe.concat-three", concatThree)
)

// rowsBefore returns, for each partition, the last k rows of all the
// partitions before it (fewer when they have fewer).
func rowsBefore(parts []part, k int) []part {
	out := make([]part, len(parts))
	for i := range parts {
		if i == 0 || k == 0 {
			out[i] = dusk.Call[arrow.RecordBatch](fnTailRows, partList(parts[i:i+1]), 0)
			continue
		}
		out[i] = dusk.Call[arrow.RecordBatch](fnTailRows, partList([]part{out[i-1], parts[i-1]}), k)
	}
	return out
}

// rowsAfter returns, for each partition, the first k rows of all the
// partitions after it.
func rowsAfter(parts []part, k int) []part {
	out := make([]part, len(parts))
	for i := len(parts) - 1; i >= 0; i-- {
		if i == len(parts)-1 || k == 0 {
			out[i] = dusk.Call[arrow.RecordBatch](fnHeadRows, partList(parts[i:i+1]), 0)
			continue
		}
		out[i] = dusk.Call[arrow.RecordBatch](fnHeadRows, partList([]part{parts[i+1], out[i+1]}), k)
	}
	return out
}

// rowsSince returns, for each partition i, the rows of the partitions
// before it whose value of col (an integer or timestamp column the data is
// sorted on) is at least cuts[i]; cuts ascend.
func rowsSince(parts []part, col string, cuts []int64) []part {
	out := make([]part, len(parts))
	for i := range parts {
		if i == 0 {
			out[i] = dusk.Call[arrow.RecordBatch](fnTailRows, partList(parts[:1]), 0)
			continue
		}
		out[i] = dusk.Call[arrow.RecordBatch](fnRowsFrom, partList([]part{out[i-1], parts[i-1]}), col, cuts[i])
	}
	return out
}

// rowsUpTo returns, for each partition i, the rows of the partitions after
// it whose value of col (sorted on) is at most cuts[i]; cuts ascend.
func rowsUpTo(parts []part, col string, cuts []int64) []part {
	out := make([]part, len(parts))
	for i := len(parts) - 1; i >= 0; i-- {
		if i == len(parts)-1 {
			out[i] = dusk.Call[arrow.RecordBatch](fnTailRows, partList(parts[i:]), 0)
			continue
		}
		out[i] = dusk.Call[arrow.RecordBatch](fnRowsUntil, partList([]part{parts[i+1], out[i+1]}), col, cuts[i])
	}
	return out
}

// tailRows returns the last k rows of the records joined (only those rows
// are copied).
func tailRows(recs []arrow.RecordBatch, k int) (arrow.RecordBatch, error) {
	if len(recs) > 0 {
		recs = tailSlices(recs, int64(k))
	}
	rec, err := concatRecords(recs)
	if err != nil {
		return nil, err
	}
	n := rec.NumRows()
	return rec.NewSlice(max(0, n-int64(k)), n), nil
}

// tailSlices returns the slices of recs' last k rows (each record's last
// rows, from the last record back until k are taken; at least the first
// record, maybe empty, so that the schema stays).
func tailSlices(recs []arrow.RecordBatch, k int64) []arrow.RecordBatch {
	var out []arrow.RecordBatch
	for i := len(recs) - 1; i >= 0; i-- {
		n := recs[i].NumRows()
		take := min(n, k)
		if take > 0 || (i == 0 && len(out) == 0) {
			out = append([]arrow.RecordBatch{recs[i].NewSlice(n-take, n)}, out...)
		}
		k -= take
		if k == 0 {
			break
		}
	}
	if len(out) == 0 {
		out = []arrow.RecordBatch{recs[0].NewSlice(0, 0)}
	}
	return out
}

// headRows returns the first k rows of the records joined.
func headRows(recs []arrow.RecordBatch, k int) (arrow.RecordBatch, error) {
	rec, err := concatRecords(recs)
	if err != nil {
		return nil, err
	}
	return rec.NewSlice(0, min(rec.NumRows(), int64(k))), nil
}

// rowsFrom returns the rows at the end of the records joined whose value of
// col is at least cut (the records are sorted on col).
func rowsFrom(recs []arrow.RecordBatch, col string, cut int64) (arrow.RecordBatch, error) {
	rec, err := concatRecords(recs)
	if err != nil {
		return nil, err
	}
	i, err := columnIndex(rec.Schema(), col, "rows-from")
	if err != nil {
		return nil, err
	}
	vals, err := int64Values(rec.Column(i))
	if err != nil {
		return nil, err
	}
	start := len(vals)
	for start > 0 && !rec.Column(i).IsNull(start-1) && vals[start-1] >= cut {
		start--
	}
	return rec.NewSlice(int64(start), rec.NumRows()), nil
}

// rowsUntil returns the rows at the start of the records joined whose
// value of col is at most cut (the records are sorted on col).
func rowsUntil(recs []arrow.RecordBatch, col string, cut int64) (arrow.RecordBatch, error) {
	rec, err := concatRecords(recs)
	if err != nil {
		return nil, err
	}
	i, err := columnIndex(rec.Schema(), col, "rows-until")
	if err != nil {
		return nil, err
	}
	vals, err := int64Values(rec.Column(i))
	if err != nil {
		return nil, err
	}
	end := 0
	for end < len(vals) && !rec.Column(i).IsNull(end) && vals[end] <= cut {
		end++
	}
	return rec.NewSlice(0, int64(end)), nil
}

// int64Values returns the raw values of an integer, date or timestamp
// array.
func int64Values(a arrow.Array) ([]int64, error) {
	out := make([]int64, a.Len())
	for i := range out {
		switch x := a.(type) {
		case *array.Int64:
			out[i] = x.Value(i)
		case *array.Int32:
			out[i] = int64(x.Value(i))
		case *array.Timestamp:
			out[i] = int64(x.Value(i))
		case *array.Date32:
			out[i] = int64(x.Value(i))
		default:
			return nil, fmt.Errorf("dataframe: column of type %s has no integer values", a.DataType())
		}
	}
	return out, nil
}

// withHaloColumns joins before, own and after into one record and adds the
// columns haloPosColumn (0, 1, ...) and haloOwnColumn (true for own's rows).
func withHaloColumns(before, own, after arrow.RecordBatch) (arrow.RecordBatch, error) {
	rec, err := concatRecords([]arrow.RecordBatch{before, own, after})
	if err != nil {
		return nil, err
	}
	nb, no := before.NumRows(), own.NumRows()
	pb := array.NewInt64Builder(mem)
	defer pb.Release()
	ob := array.NewBooleanBuilder(mem)
	defer ob.Release()
	for r := range rec.NumRows() {
		pb.Append(r)
		ob.Append(r >= nb && r < nb+no)
	}
	cols := append(append([]arrow.Array(nil), rec.Columns()...), pb.NewArray(), ob.NewArray())
	s := haloSchema(rec.Schema())
	return array.NewRecordBatch(s, cols, rec.NumRows()), nil
}

// haloSchema is s with the columns withHaloColumns adds.
func haloSchema(s *arrow.Schema) *arrow.Schema {
	return arrow.NewSchema(append(append([]arrow.Field(nil), s.Fields()...),
		arrow.Field{Name: haloPosColumn, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		arrow.Field{Name: haloOwnColumn, Type: arrow.FixedWidthTypes.Boolean, Nullable: true}), nil)
}

// haloSQL runs a query over a partition extended with the rows before and
// after it (the table "part", with haloPosColumn and haloOwnColumn added).
func haloSQL(ctx context.Context, before, own, after arrow.RecordBatch, query string, cats map[string][]string) (arrow.RecordBatch, error) {
	rec, err := withHaloColumns(before, own, after)
	if err != nil {
		return nil, err
	}
	return sqlPartition(ctx, rec, query, cats)
}

// concatThree joins a partition with the rows before and after it.
func concatThree(before, own, after arrow.RecordBatch) (arrow.RecordBatch, error) {
	return concatRecords([]arrow.RecordBatch{before, own, after})
}

// trimRows takes off a result the rows that stand for the borrowed ones:
// res must have as many rows as before, own and after together.
func trimRows(res, before, own, after arrow.RecordBatch, fn string) (arrow.RecordBatch, error) {
	want := before.NumRows() + own.NumRows() + after.NumRows()
	if res.NumRows() != want {
		return nil, fmt.Errorf("dataframe: MapOverlap: %s returned %d rows for %d (%d borrowed before, %d own, %d borrowed after); it must return one row per row it gets, in order",
			fn, res.NumRows(), want, before.NumRows(), own.NumRows(), after.NumRows())
	}
	return res.NewSlice(before.NumRows(), before.NumRows()+own.NumRows()), nil
}

// planHaloSQL checks a query (over "part") on a partition extended by withHaloColumns,
// on no rows, and returns its result's schema and categories.
func planHaloSQL(in *meta, query string) (*arrow.Schema, map[string][]string, error) {
	m := in.clone()
	m.schema = haloSchema(in.schema)
	return planSQL(m, query)
}

// haloQuery is body over the table "part" read from the extended
// partition.
func haloQuery(body string) string {
	return engine.WithCTE("part", engine.ScanView(engine.ViewIn), body)
}

// checkReserved refuses a schema with a column named as one a halo step
// adds.
func checkReserved(s *arrow.Schema) error {
	for _, c := range []string{haloPosColumn, haloOwnColumn, bucketColumn} {
		if len(s.FieldIndices(c)) > 0 {
			return fmt.Errorf("column %q has a name dusk keeps for its own use here; rename it (Assign, then Select the others)", c)
		}
	}
	return nil
}

// needSorted returns the index column of a DataFrame sorted with known
// divisions, or an error telling the user to sort it first.
func needSorted(m *meta, op string) (string, error) {
	if m.divs == nil {
		return "", fmt.Errorf("%s needs a DataFrame sorted on its index with known divisions; call SetIndex first (or SetIndex with Sorted() for data already sorted)", op)
	}
	return m.divs.Column, nil
}

// noRows returns, for each partition, a record of its schema with no rows.
func noRows(parts []part) []part {
	out := make([]part, len(parts))
	for i := range parts {
		out[i] = dusk.Call[arrow.RecordBatch](fnTailRows, partList(parts[i:i+1]), 0)
	}
	return out
}
