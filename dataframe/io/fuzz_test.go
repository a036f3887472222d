package io

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// FuzzReadCSV: any bytes read as a CSV file (planned, inferred, parsed)
// give rows or an error, never a panic, and an error is a *CSVError or
// names the file.
func FuzzReadCSV(f *testing.F) {
	for _, seed := range []string{
		"a,b\n1,2\n3,4\n",
		"id,k,x\n1,\"q,u\"\"o\",1.5\n2,,-3e10\n",
		"d,t\n2026-01-02,2026-01-02T03:04:05Z\n",
		"a\n\"unclosed\n",
		"a,b\n1\n1,2,3\n",
		"",
		"x\ntrue\nfalse\nmaybe\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		plan, err := PlanCSV(path, CSVOptions{BlockSize: 64, Delim: ','})
		if err != nil {
			return
		}
		for _, sp := range plan.Splits {
			rec, err := ReadCSVSplit(context.Background(), sp)
			if err != nil {
				var ce *CSVError
				if !errors.As(err, &ce) && !bytes.Contains([]byte(err.Error()), []byte("f.csv")) {
					t.Fatalf("an error that names neither the row nor the file: %v", err)
				}
				continue
			}
			rec.Release()
		}
	})
}

// FuzzReadParquetFooter: any bytes read as a Parquet file's footer give
// its row groups or an error, never a panic.
func FuzzReadParquetFooter(f *testing.F) {
	s := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	for i := range 100 {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
	}
	rec := b.NewRecordBatch()
	var buf bytes.Buffer
	if err := pqarrow.WriteTable(array.NewTableFromRecords(s, []arrow.RecordBatch{rec}), &buf, 50, nil, pqarrow.DefaultWriterProps()); err != nil {
		f.Fatal(err)
	}
	good := buf.Bytes()
	f.Add(good)
	f.Add(good[len(good)-64:])
	f.Add([]byte("PAR1PAR1"))
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"))
	// In memory (ReadParquetFooter opens the file and reads it the same
	// way): a file per input makes the fuzzer too slow to minimize.
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := parquetFooter("f.parquet", bytes.NewReader(data)); err != nil && !bytes.Contains([]byte(err.Error()), []byte("f.parquet")) {
			t.Fatalf("an error that does not name the file: %v", err)
		}
	})
}
