//go:build duckdb_arrow

package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The benchmark's data: rows of id int64 in [0, 100000), k one of 100
// strings, x and y float64 in [0, 1), the same rows as files CSV files and
// as as many Parquet files (row groups of rowGroup rows). Generated once
// per size into dir, deterministically.

const (
	nIDs     = 100000
	nKeys    = 100
	rowGroup = 250000
)

var schema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "y", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

func keyName(i int) string { return fmt.Sprintf("key%03d", i) }

// generate writes the data unless a complete copy is there.
func generate(dir string, rows, files int) error {
	done := filepath.Join(dir, fmt.Sprintf(".done-%d-%d", rows, files))
	if _, err := os.Stat(done); err == nil {
		return nil
	}
	os.RemoveAll(dir)
	for _, sub := range []string{"csv", "parquet"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	per := rows / files
	var wg sync.WaitGroup
	errs := make(chan error, files)
	sem := make(chan struct{}, 2)
	for f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := genFile(dir, f, per); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return os.WriteFile(done, nil, 0o644)
}

func genFile(dir string, f, n int) error {
	r := rand.New(rand.NewPCG(uint64(f), 42))
	ids := make([]int64, n)
	ks := make([]string, n)
	xs := make([]float64, n)
	ys := make([]float64, n)
	for i := range n {
		ids[i] = r.Int64N(nIDs)
		ks[i] = keyName(r.IntN(nKeys))
		xs[i] = r.Float64()
		ys[i] = r.Float64()
	}
	err := writeCSV(filepath.Join(dir, "csv", fmt.Sprintf("part-%02d.csv", f)), "id,k,x,y", n, func(buf []byte, i int) []byte {
		buf = strconv.AppendInt(buf, ids[i], 10)
		buf = append(buf, ',')
		buf = append(buf, ks[i]...)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, xs[i], 'g', -1, 64)
		buf = append(buf, ',')
		return strconv.AppendFloat(buf, ys[i], 'g', -1, 64)
	})
	if err != nil {
		return err
	}
	// Parquet, snappy, row groups of rowGroup rows.
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues(ids, nil)
	b.Field(1).(*array.StringBuilder).AppendValues(ks, nil)
	b.Field(2).(*array.Float64Builder).AppendValues(xs, nil)
	b.Field(3).(*array.Float64Builder).AppendValues(ys, nil)
	return writeParquet(filepath.Join(dir, "parquet", fmt.Sprintf("part-%02d.parquet", f)), b.NewRecordBatch())
}

// writeCSV writes a CSV file: the header, then n lines, line appending row
// i's fields to buf.
func writeCSV(path, header string, n int, line func(buf []byte, i int) []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(header + "\n")
	var buf []byte
	for i := range n {
		buf = append(line(buf[:0], i), '\n')
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
