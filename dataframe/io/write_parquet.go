package io

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// WriteSpec tells a writing task where and how to write its partition.
type WriteSpec struct {
	Dir         string // the temporary directory of the job
	Name        string // the part's file name
	Compression string
	RowGroup    int64
	Cats        string   // the categories as JSON, kept in the file's metadata
	PartitionOn []string // Hive partitioning: the columns naming directories
}

// Written is what a writing task reports: its file, rows and, for
// Parquet, the file's footer.
type Written struct {
	Name   string
	Rows   int64
	Footer []byte
}

// ParquetCompression returns the Parquet codec named name: "snappy" (or
// ""), "zstd" or "none".
func ParquetCompression(name string) (compress.Compression, error) {
	switch strings.ToLower(name) {
	case "snappy", "":
		return compress.Codecs.Snappy, nil
	case "zstd":
		return compress.Codecs.Zstd, nil
	case "none", "uncompressed":
		return compress.Codecs.Uncompressed, nil
	}
	return 0, fmt.Errorf("compression %q: want snappy, zstd or none", name)
}

// duckWritable reports whether DuckDB writes rec's columns as arrow-go
// would (integers, floats, booleans, strings, dates and categorical
// strings, whose categories the file's metadata keeps) in row groups of
// the size asked for (a multiple of DuckDB's 2048-row vectors; DuckDB
// cuts row groups at vector boundaries).
func duckWritable(s *arrow.Schema, spec WriteSpec) bool {
	if spec.RowGroup <= 0 || spec.RowGroup%2048 != 0 {
		return false
	}
	for _, f := range s.Fields() {
		switch f.Type.ID() {
		case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
			arrow.FLOAT32, arrow.FLOAT64, arrow.BOOL, arrow.STRING, arrow.DATE32:
		case arrow.DICTIONARY:
			if !arrow.TypeEqual(f.Type, kernels.CategoryType) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// dictionaryLimit is the most distinct values DuckDB collects for a
// column's dictionary in a row group of a part of rows rows, before it
// gives the dictionary up and writes the values plain: a 20th of the rows
// the row group holds, at least minDictionaryLimit. DuckDB's own default
// (about 52,000 entries in 1.5, whatever the row group's size) makes it
// build a dictionary that large for every column of mostly distinct
// values before giving up; for a partition of 250,000 rows that was a
// sixth of the COPY's time, and such a dictionary would hardly have paid
// (DuckDB keeps one only when it shrinks the column enough).
func dictionaryLimit(rows, rowGroup int64) int64 {
	n := min(rows, rowGroup) / 20
	return max(n, minDictionaryLimit)
}

// minDictionaryLimit is the least dictionaryLimit: small dictionaries
// cost little to try.
const minDictionaryLimit = 1024

// writeParquetDuck writes rec as the Parquet file part with DuckDB's
// writer (COPY ... TO), categorical columns as strings with the
// categories in the file's key-value metadata.
func writeParquetDuck(ctx context.Context, rec arrow.RecordBatch, spec WriteSpec, part string) error {
	e, err := engine.For(ctx)
	if err != nil {
		return err
	}
	comp := strings.ToLower(spec.Compression)
	switch comp {
	case "", "snappy":
		comp = "snappy"
	case "none":
		comp = "uncompressed"
	}
	opts := fmt.Sprintf("FORMAT parquet, COMPRESSION %s, ROW_GROUP_SIZE %d, DICTIONARY_SIZE_LIMIT %d", comp, spec.RowGroup, dictionaryLimit(rec.NumRows(), spec.RowGroup))
	if spec.Cats != "" {
		opts += fmt.Sprintf(", KV_METADATA {%s: %s}", engine.SQLString(categoriesKey), engine.SQLString(spec.Cats))
	}
	cols := make([]string, rec.NumCols())
	for i, f := range rec.Schema().Fields() {
		cols[i] = engine.QuoteIdent(f.Name)
		if f.Type.ID() == arrow.DICTIONARY {
			cols[i] = fmt.Sprintf("%s::VARCHAR AS %s", cols[i], cols[i])
		}
	}
	sel := engine.WithCTE("part", engine.ScanView(engine.ViewIn), fmt.Sprintf("SELECT %s FROM part", strings.Join(cols, ", ")))
	q := fmt.Sprintf("COPY (%s) TO %s (%s)", sel, engine.SQLString(part), opts)
	out, err := e.QueryAt(ctx, []string{filepath.Dir(part)}, q, engine.Input{Name: engine.ViewIn, Rec: rec})
	if err != nil {
		return err
	}
	out.Release()
	return nil
}

// footerOf returns the serialized footer of the Parquet file at path.
func footerOf(ctx context.Context, path string) ([]byte, error) {
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.MetaData().Serialize(ctx)
}

// WriteParquetPart writes one partition as a Parquet file: to a temporary
// name, renamed when complete. DuckDB writes it when it writes the
// columns as arrow-go would (see duckWritable): its writer is faster.
func WriteParquetPart(ctx context.Context, rec arrow.RecordBatch, spec WriteSpec) (Written, error) {
	codec, err := ParquetCompression(spec.Compression)
	if err != nil {
		return Written{}, err
	}
	path := filepath.Join(spec.Dir, spec.Name)
	part := filepath.Join(spec.Dir, "."+spec.Name+".tmp")
	if duckWritable(rec.Schema(), spec) {
		defer os.Remove(part)
		if err := writeParquetDuck(ctx, rec, spec, part); err != nil {
			return Written{}, fmt.Errorf("to_parquet: writing %s: %w", spec.Name, err)
		}
		footer, err := footerOf(ctx, part)
		if err != nil {
			return Written{}, fmt.Errorf("to_parquet: reading back %s: %w", spec.Name, err)
		}
		if err := writeChecksums(part, path); err != nil {
			return Written{}, fmt.Errorf("to_parquet: checksums of %s: %w", spec.Name, err)
		}
		if err := os.Rename(part, path); err != nil {
			return Written{}, fmt.Errorf("to_parquet: %w", err)
		}
		return Written{Name: spec.Name, Rows: rec.NumRows(), Footer: footer}, nil
	}
	f, err := os.Create(part)
	if err != nil {
		return Written{}, fmt.Errorf("to_parquet: %w", err)
	}
	defer os.Remove(part)
	// Dictionary encoding pays for strings; for numbers it is mostly tried
	// and given up, at a cost.
	wopts := []parquet.WriterProperty{parquet.WithCompression(codec), parquet.WithMaxRowGroupLength(spec.RowGroup),
		parquet.WithDictionaryDefault(false), parquet.WithStats(true)}
	for _, f := range rec.Schema().Fields() {
		if id := f.Type.ID(); id == arrow.STRING || id == arrow.DICTIONARY || id == arrow.LARGE_STRING {
			wopts = append(wopts, parquet.WithDictionaryFor(f.Name, true))
		}
	}
	props := parquet.NewWriterProperties(wopts...)
	w, err := pqarrow.NewFileWriter(rec.Schema(), f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		f.Close()
		return Written{}, fmt.Errorf("to_parquet: %s: %w", spec.Name, err)
	}
	if spec.Cats != "" {
		if err := w.AppendKeyValueMetadata(categoriesKey, spec.Cats); err != nil {
			f.Close()
			return Written{}, err
		}
	}
	if err := w.Write(rec); err != nil {
		w.Close()
		return Written{}, fmt.Errorf("to_parquet: writing %s: %w", spec.Name, err)
	}
	if err := w.Close(); err != nil { // closes f too
		return Written{}, fmt.Errorf("to_parquet: finishing %s: %w", spec.Name, err)
	}
	md, err := w.FileMetadata()
	if err != nil {
		return Written{}, err
	}
	footer, err := md.Serialize(ctx)
	if err != nil {
		return Written{}, err
	}
	if err := writeChecksums(part, path); err != nil {
		return Written{}, fmt.Errorf("to_parquet: checksums of %s: %w", spec.Name, err)
	}
	if err := os.Rename(part, path); err != nil {
		return Written{}, fmt.Errorf("to_parquet: %w", err)
	}
	return Written{Name: spec.Name, Rows: rec.NumRows(), Footer: footer}, nil
}

// WriteMetadataFile writes _metadata: a Parquet file with no data whose
// footer lists the row groups of all parts, each with its file's path.
func WriteMetadataFile(path string, ws []Written) error {
	var all *metadata.FileMetaData
	for _, w := range ws {
		md, err := metadata.NewFileMetaData(w.Footer, nil)
		if err != nil {
			return fmt.Errorf("reading the footer of %s: %w", w.Name, err)
		}
		md.SetFilePath(w.Name)
		if all == nil {
			all = md
			continue
		}
		if err := all.AppendRowGroups(md); err != nil {
			return fmt.Errorf("joining the footer of %s: %w", w.Name, err)
		}
	}
	if all == nil {
		return nil
	}
	var buf bytes.Buffer
	buf.WriteString("PAR1")
	n, err := all.WriteTo(&buf, nil)
	if err != nil {
		return err
	}
	var l [4]byte
	binary.LittleEndian.PutUint32(l[:], uint32(n))
	buf.Write(l[:])
	buf.WriteString("PAR1")
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
