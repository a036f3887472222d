package io

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// WriteCSVPart writes one partition as a CSV file with a header: to a
// temporary name, renamed when complete.
func WriteCSVPart(ctx context.Context, rec arrow.RecordBatch, spec WriteSpec) (Written, error) {
	path := filepath.Join(spec.Dir, spec.Name)
	part := filepath.Join(spec.Dir, "."+spec.Name+".tmp")
	f, err := os.Create(part)
	if err != nil {
		return Written{}, fmt.Errorf("to_csv: %w", err)
	}
	defer os.Remove(part)
	w := bufio.NewWriterSize(f, 1<<20)
	for i, fl := range rec.Schema().Fields() {
		if i > 0 {
			w.WriteByte(',')
		}
		writeCSVField(w, []byte(fl.Name))
	}
	w.WriteByte('\n')
	cols := make([]func(buf []byte, i int) []byte, rec.NumCols())
	for c := range cols {
		fn, err := csvFormatter(rec.Column(c))
		if err != nil {
			f.Close()
			return Written{}, fmt.Errorf("to_csv: column %q: %w", rec.ColumnName(c), err)
		}
		cols[c] = fn
	}
	var buf []byte
	for i := range int(rec.NumRows()) {
		if i%65536 == 0 && ctx.Err() != nil {
			f.Close()
			return Written{}, ctx.Err()
		}
		for c, fn := range cols {
			if c > 0 {
				w.WriteByte(',')
			}
			if rec.Column(c).IsNull(i) {
				continue
			}
			buf = fn(buf[:0], i)
			w.Write(buf)
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return Written{}, fmt.Errorf("to_csv: %w", err)
	}
	if err := f.Close(); err != nil {
		return Written{}, fmt.Errorf("to_csv: %w", err)
	}
	if err := os.Rename(part, path); err != nil {
		return Written{}, fmt.Errorf("to_csv: %w", err)
	}
	return Written{Name: spec.Name, Rows: rec.NumRows()}, nil
}

// writeCSVField writes a field, quoted when it must be.
func writeCSVField(w *bufio.Writer, b []byte) {
	if !bytes.ContainsAny(b, ",\"\n\r") && (len(b) == 0 || (b[0] != ' ' && b[len(b)-1] != ' ')) {
		w.Write(b)
		return
	}
	w.WriteByte('"')
	for _, c := range b {
		if c == '"' {
			w.WriteByte('"')
		}
		w.WriteByte(c)
	}
	w.WriteByte('"')
}

// quoteCSV appends a field, quoted when it must be; an empty string is
// written as "" so that it reads back as a string, not a null.
func quoteCSV(buf []byte, s string) []byte {
	need := s == ""
	for i := 0; i < len(s) && !need; i++ {
		switch s[i] {
		case ',', '"', '\n', '\r':
			need = true
		}
	}
	if !need && s[0] != ' ' && s[len(s)-1] != ' ' {
		return append(buf, s...)
	}
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			buf = append(buf, '"')
		}
		buf = append(buf, s[i])
	}
	return append(buf, '"')
}

// csvFormatter returns a function that appends value i of a column.
func csvFormatter(a arrow.Array) (func(buf []byte, i int) []byte, error) {
	switch x := a.(type) {
	case *array.Int64:
		return func(b []byte, i int) []byte { return strconv.AppendInt(b, x.Value(i), 10) }, nil
	case *array.Int32:
		return func(b []byte, i int) []byte { return strconv.AppendInt(b, int64(x.Value(i)), 10) }, nil
	case *array.Int16:
		return func(b []byte, i int) []byte { return strconv.AppendInt(b, int64(x.Value(i)), 10) }, nil
	case *array.Int8:
		return func(b []byte, i int) []byte { return strconv.AppendInt(b, int64(x.Value(i)), 10) }, nil
	case *array.Uint64:
		return func(b []byte, i int) []byte { return strconv.AppendUint(b, x.Value(i), 10) }, nil
	case *array.Uint32:
		return func(b []byte, i int) []byte { return strconv.AppendUint(b, uint64(x.Value(i)), 10) }, nil
	case *array.Uint16:
		return func(b []byte, i int) []byte { return strconv.AppendUint(b, uint64(x.Value(i)), 10) }, nil
	case *array.Uint8:
		return func(b []byte, i int) []byte { return strconv.AppendUint(b, uint64(x.Value(i)), 10) }, nil
	case *array.Float64:
		return func(b []byte, i int) []byte { return strconv.AppendFloat(b, x.Value(i), 'g', -1, 64) }, nil
	case *array.Float32:
		return func(b []byte, i int) []byte { return strconv.AppendFloat(b, float64(x.Value(i)), 'g', -1, 32) }, nil
	case *array.Boolean:
		return func(b []byte, i int) []byte { return strconv.AppendBool(b, x.Value(i)) }, nil
	case *array.String:
		return func(b []byte, i int) []byte { return quoteCSV(b, x.Value(i)) }, nil
	case *array.LargeString:
		return func(b []byte, i int) []byte { return quoteCSV(b, x.Value(i)) }, nil
	case *array.Date32:
		return func(b []byte, i int) []byte { return x.Value(i).ToTime().AppendFormat(b, "2006-01-02") }, nil
	case *array.Timestamp:
		unit := x.DataType().(*arrow.TimestampType).Unit
		return func(b []byte, i int) []byte {
			return x.Value(i).ToTime(unit).UTC().AppendFormat(b, "2006-01-02 15:04:05.999999999")
		}, nil
	case *array.Dictionary:
		inner, err := csvFormatter(x.Dictionary())
		if err != nil {
			return nil, err
		}
		return func(b []byte, i int) []byte { return inner(b, x.GetValueIndex(i)) }, nil
	}
	return nil, fmt.Errorf("CSV cannot hold %s values", a.DataType())
}
