package io

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
)

// HiveNull is the directory value of a null in a Hive-partitioned
// dataset (as Hive, Spark, pyarrow and DuckDB write it).
const HiveNull = "__HIVE_DEFAULT_PARTITION__"

// WriteHiveTask is WriteHivePart as a task (see WriteParquetTask).
func WriteHiveTask(ctx context.Context, rec arrow.RecordBatch, spec WriteSpec) (Written, error) {
	return jobTask(WriteHivePart)(ctx, rec, spec)
}

// WriteHivePart writes one partition as Parquet files in Hive's layout:
// the rows of each combination of values of the columns spec.PartitionOn
// go to spec.Dir/col=value/.../spec.Name, without those columns.
func WriteHivePart(ctx context.Context, rec arrow.RecordBatch, spec WriteSpec) (Written, error) {
	s := rec.Schema()
	var keyCols []arrow.Array
	var keep []int
	for i, f := range s.Fields() {
		if slices.Contains(spec.PartitionOn, f.Name) {
			continue
		}
		keep = append(keep, i)
	}
	var fmts []func(i int) string
	for _, name := range spec.PartitionOn {
		idx := s.FieldIndices(name)
		if len(idx) == 0 {
			return Written{}, fmt.Errorf("to_parquet: no column %q to partition on", name)
		}
		col := rec.Column(idx[0])
		f, err := HiveFormatter(col)
		if err != nil {
			return Written{}, fmt.Errorf("to_parquet: column %q: %w", name, err)
		}
		keyCols = append(keyCols, col)
		fmts = append(fmts, f)
	}
	// The rows of each directory, in order of first appearance.
	var dirs []string
	rows := map[string][]int64{}
	for i := range int(rec.NumRows()) {
		parts := make([]string, len(fmts))
		for j, f := range fmts {
			v := HiveNull
			if !keyCols[j].IsNull(i) {
				v = HiveEscape(f(i))
			}
			parts[j] = spec.PartitionOn[j] + "=" + v
		}
		d := filepath.Join(parts...)
		if _, ok := rows[d]; !ok {
			dirs = append(dirs, d)
		}
		rows[d] = append(rows[d], int64(i))
	}
	fields := make([]arrow.Field, len(keep))
	for i, c := range keep {
		fields[i] = s.Field(c)
	}
	out := arrow.NewSchema(fields, nil)
	var total int64
	for _, d := range dirs {
		idx := array.NewInt64Builder(mem)
		idx.AppendValues(rows[d], nil)
		ia := idx.NewArray()
		idx.Release()
		cols := make([]arrow.Array, len(keep))
		for i, c := range keep {
			a, err := compute.TakeArray(ctx, rec.Column(c), ia)
			if err != nil {
				ia.Release()
				return Written{}, fmt.Errorf("to_parquet: %w", err)
			}
			cols[i] = a
		}
		ia.Release()
		sub := array.NewRecordBatch(out, cols, int64(len(rows[d])))
		for _, a := range cols {
			a.Release()
		}
		if err := os.MkdirAll(filepath.Join(spec.Dir, d), 0o755); err != nil {
			sub.Release()
			return Written{}, fmt.Errorf("to_parquet: %w", err)
		}
		ds := spec
		ds.Dir = filepath.Join(spec.Dir, d)
		ds.PartitionOn = nil
		w, err := WriteParquetPart(ctx, sub, ds)
		sub.Release()
		if err != nil {
			return Written{}, err
		}
		total += w.Rows
	}
	return Written{Name: spec.Name, Rows: total}, nil
}

// HiveFormatter returns the function that writes row i of a column as a
// directory value (before escaping): integers, strings, bools, dates and
// categorical strings; another type is an error.
func HiveFormatter(a arrow.Array) (func(i int) string, error) {
	switch x := a.(type) {
	case *array.Int64:
		return func(i int) string { return strconv.FormatInt(x.Value(i), 10) }, nil
	case *array.Int32:
		return func(i int) string { return strconv.FormatInt(int64(x.Value(i)), 10) }, nil
	case *array.Int16:
		return func(i int) string { return strconv.FormatInt(int64(x.Value(i)), 10) }, nil
	case *array.Int8:
		return func(i int) string { return strconv.FormatInt(int64(x.Value(i)), 10) }, nil
	case *array.String:
		return x.Value, nil
	case *array.LargeString:
		return x.Value, nil
	case *array.Boolean:
		return func(i int) string { return strconv.FormatBool(x.Value(i)) }, nil
	case *array.Date32:
		return func(i int) string { return x.Value(i).FormattedString() }, nil
	case *array.Dictionary:
		inner, err := HiveFormatter(x.Dictionary())
		if err != nil {
			return nil, err
		}
		return func(i int) string { return inner(x.GetValueIndex(i)) }, nil
	}
	return nil, fmt.Errorf("a %s column cannot name directories; partition on integers, strings, bools or dates", a.DataType())
}

// HiveEscape escapes a directory value as Hive does: the characters a
// path or a "col=value" name cannot hold, as %XX.
func HiveEscape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte("\"#%'*/:=?\\{[]^", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// HiveUnescape undoes HiveEscape.
func HiveUnescape(v string) string {
	if !strings.Contains(v, "%") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && i+2 < len(v) {
			if n, err := strconv.ParseUint(v[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 2
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
