package io

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// WriteJSONTask is WriteJSONPart as a task (see WriteParquetTask).
func WriteJSONTask(ctx context.Context, rec arrow.RecordBatch, spec WriteSpec) (Written, error) {
	return jobTask(WriteJSONPart)(ctx, rec, spec)
}

// WriteJSONPart writes one partition as newline-delimited JSON, an object
// a line with every column as a key (a null as null): to a temporary
// name, renamed when complete. A float that JSON cannot hold (NaN, ±Inf)
// is an error naming the column and the row. A timestamp with a time zone
// is written as its instant in UTC (RFC 3339, "Z").
func WriteJSONPart(ctx context.Context, rec arrow.RecordBatch, spec WriteSpec) (Written, error) {
	path := filepath.Join(spec.Dir, spec.Name)
	part := filepath.Join(spec.Dir, "."+spec.Name+".tmp")
	cols := make([]func(buf []byte, i int) ([]byte, error), rec.NumCols())
	keys := make([][]byte, rec.NumCols())
	for c := range cols {
		fn, err := jsonFormatter(rec.Column(c))
		if err != nil {
			return Written{}, fmt.Errorf("to_json: column %q: %w", rec.ColumnName(c), err)
		}
		cols[c] = fn
		k, _ := json.Marshal(rec.ColumnName(c))
		keys[c] = append(k, ':')
	}
	f, err := os.Create(part)
	if err != nil {
		return Written{}, fmt.Errorf("to_json: %w", err)
	}
	defer os.Remove(part)
	w := bufio.NewWriterSize(f, 1<<20)
	var buf []byte
	for i := range int(rec.NumRows()) {
		if i%65536 == 0 && ctx.Err() != nil {
			f.Close()
			return Written{}, ctx.Err()
		}
		buf = append(buf[:0], '{')
		for c, fn := range cols {
			if c > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, keys[c]...)
			if rec.Column(c).IsNull(i) {
				buf = append(buf, "null"...)
				continue
			}
			if buf, err = fn(buf, i); err != nil {
				f.Close()
				return Written{}, fmt.Errorf("to_json: column %q, row %d of the partition: %w", rec.ColumnName(c), i, err)
			}
		}
		buf = append(buf, '}', '\n')
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return Written{}, fmt.Errorf("to_json: %w", err)
	}
	if err := f.Close(); err != nil {
		return Written{}, fmt.Errorf("to_json: %w", err)
	}
	if err := os.Rename(part, path); err != nil {
		return Written{}, fmt.Errorf("to_json: %w", err)
	}
	return Written{Name: spec.Name, Rows: rec.NumRows()}, nil
}

// jsonFormatter returns the function that appends the JSON of row i of a.
func jsonFormatter(a arrow.Array) (func(buf []byte, i int) ([]byte, error), error) {
	str := func(buf []byte, s string) []byte {
		b, _ := json.Marshal(s)
		return append(buf, b...)
	}
	switch x := a.(type) {
	case *array.Int64:
		return func(buf []byte, i int) ([]byte, error) { return strconv.AppendInt(buf, x.Value(i), 10), nil }, nil
	case *array.Int32:
		return func(buf []byte, i int) ([]byte, error) { return strconv.AppendInt(buf, int64(x.Value(i)), 10), nil }, nil
	case *array.Int16:
		return func(buf []byte, i int) ([]byte, error) { return strconv.AppendInt(buf, int64(x.Value(i)), 10), nil }, nil
	case *array.Int8:
		return func(buf []byte, i int) ([]byte, error) { return strconv.AppendInt(buf, int64(x.Value(i)), 10), nil }, nil
	case *array.Float64:
		return func(buf []byte, i int) ([]byte, error) { return appendJSONFloat(buf, x.Value(i)) }, nil
	case *array.Float32:
		return func(buf []byte, i int) ([]byte, error) { return appendJSONFloat(buf, float64(x.Value(i))) }, nil
	case *array.Boolean:
		return func(buf []byte, i int) ([]byte, error) { return strconv.AppendBool(buf, x.Value(i)), nil }, nil
	case *array.String:
		return func(buf []byte, i int) ([]byte, error) { return str(buf, x.Value(i)), nil }, nil
	case *array.LargeString:
		return func(buf []byte, i int) ([]byte, error) { return str(buf, x.Value(i)), nil }, nil
	case *array.Date32:
		return func(buf []byte, i int) ([]byte, error) {
			return str(buf, x.Value(i).ToTime().Format(time.DateOnly)), nil
		}, nil
	case *array.Timestamp:
		tt := x.DataType().(*arrow.TimestampType)
		toTime, err := tt.GetToTimeFunc()
		if err != nil {
			return nil, err
		}
		layout := "2006-01-02T15:04:05.999999999"
		if tt.TimeZone != "" {
			layout = time.RFC3339Nano
		}
		return func(buf []byte, i int) ([]byte, error) {
			return str(buf, toTime(x.Value(i)).UTC().Format(layout)), nil
		}, nil
	case *array.Dictionary:
		inner, err := jsonFormatter(x.Dictionary())
		if err != nil {
			return nil, err
		}
		return func(buf []byte, i int) ([]byte, error) { return inner(buf, x.GetValueIndex(i)) }, nil
	}
	return nil, fmt.Errorf("ToJSON does not write %s columns (integers, floats, bools, strings, dates, timestamps and categories); cast it first", a.DataType())
}

// appendJSONFloat writes a float so that it reads back as a float: with a
// decimal point or an exponent.
func appendJSONFloat(buf []byte, v float64) ([]byte, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return buf, fmt.Errorf("%v, which JSON cannot hold; replace it (Assign) or write Parquet", v)
	}
	start := len(buf)
	buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
	for _, c := range buf[start:] {
		if c == '.' || c == 'e' || c == 'n' || c == 'I' {
			return buf, nil
		}
	}
	return append(buf, '.', '0'), nil
}
