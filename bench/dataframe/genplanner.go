//go:build duckdb_arrow

package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// The planner workloads' extra data, beside the main rows:
//
//   - dim: one row per id (nIDs rows): id, cat one of nCats strings, w
//     float64 in [0, 1); a Parquet file and a CSV file.
//   - ts: a time series of tsRows(rows) rows, one a second from tsStart:
//     timestamp, x float64 in [0, 1); tsFiles Parquet files and as many
//     CSV files, in time order.

const (
	nCats   = 10
	tsFiles = 10
)

var tsStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// tsRows is the length of the time series for rows main rows.
func tsRows(rows int) int { return max(rows/4, tsFiles) }

func dimGlob() string        { return filepath.Join(*dataFlag, "dim", "*.parquet") }
func dimCSVGlob() string     { return filepath.Join(*dataFlag, "dim-csv", "*.csv") }
func tsGlob() string         { return filepath.Join(*dataFlag, "ts", "*.parquet") }
func tsCSVGlob() string      { return filepath.Join(*dataFlag, "ts-csv", "*.csv") }
func catName(i int64) string { return "c" + strconv.FormatInt(i, 10) }

// generatePlanner writes dim and ts under dir unless they are there.
func generatePlanner(dir string, rows int) error {
	done := filepath.Join(dir, fmt.Sprintf(".done-planner-%d", rows))
	if _, err := os.Stat(done); err == nil {
		return nil
	}
	for _, sub := range []string{"dim", "dim-csv", "ts", "ts-csv"} {
		os.RemoveAll(filepath.Join(dir, sub))
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	if err := genDim(dir); err != nil {
		return err
	}
	n := tsRows(rows)
	per := n / tsFiles
	for f := range tsFiles {
		if err := genTS(dir, f, f*per, per); err != nil {
			return err
		}
	}
	return os.WriteFile(done, nil, 0o644)
}

func genDim(dir string) error {
	r := rand.New(rand.NewPCG(7, 42))
	ids := make([]int64, nIDs)
	cats := make([]string, nIDs)
	ws := make([]float64, nIDs)
	for i := range nIDs {
		ids[i] = int64(i)
		cats[i] = catName(r.Int64N(nCats))
		ws[i] = r.Float64()
	}
	err := writeCSV(filepath.Join(dir, "dim-csv", "dim.csv"), "id,cat,w", nIDs, func(buf []byte, i int) []byte {
		buf = strconv.AppendInt(buf, ids[i], 10)
		buf = append(buf, ',')
		buf = append(buf, cats[i]...)
		buf = append(buf, ',')
		return strconv.AppendFloat(buf, ws[i], 'g', -1, 64)
	})
	if err != nil {
		return err
	}
	s := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "cat", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "w", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues(ids, nil)
	b.Field(1).(*array.StringBuilder).AppendValues(cats, nil)
	b.Field(2).(*array.Float64Builder).AppendValues(ws, nil)
	return writeParquet(filepath.Join(dir, "dim", "dim.parquet"), b.NewRecordBatch())
}

func genTS(dir string, f, first, n int) error {
	r := rand.New(rand.NewPCG(uint64(f), 99))
	ts := make([]arrow.Timestamp, n)
	xs := make([]float64, n)
	for i := range n {
		ts[i] = arrow.Timestamp(tsStart.Add(time.Duration(first+i) * time.Second).UnixMicro())
		xs[i] = r.Float64()
	}
	err := writeCSV(filepath.Join(dir, "ts-csv", fmt.Sprintf("part-%02d.csv", f)), "timestamp,x", n, func(buf []byte, i int) []byte {
		buf = ts[i].ToTime(arrow.Microsecond).UTC().AppendFormat(buf, "2006-01-02 15:04:05")
		buf = append(buf, ',')
		return strconv.AppendFloat(buf, xs[i], 'g', -1, 64)
	})
	if err != nil {
		return err
	}
	s := arrow.NewSchema([]arrow.Field{
		{Name: "timestamp", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	defer b.Release()
	b.Field(0).(*array.TimestampBuilder).AppendValues(ts, nil)
	b.Field(1).(*array.Float64Builder).AppendValues(xs, nil)
	return writeParquet(filepath.Join(dir, "ts", fmt.Sprintf("part-%02d.parquet", f)), b.NewRecordBatch())
}

// writeParquet writes rec to path with snappy, in row groups of rowGroup
// rows.
func writeParquet(path string, rec arrow.RecordBatch) error {
	defer rec.Release()
	pf, err := os.Create(path)
	if err != nil {
		return err
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithMaxRowGroupLength(rowGroup))
	pw, err := pqarrow.NewFileWriter(rec.Schema(), pf, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		pf.Close()
		return err
	}
	if err := pw.Write(rec); err != nil {
		pw.Close()
		return err
	}
	return pw.Close()
}
