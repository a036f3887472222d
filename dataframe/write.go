//go:build duckdb_arrow

package dataframe

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

var (
	fnWriteParquet = dusk.Register("dataframe.write-parquet", writeParquetPart)
	fnWriteCSV     = dusk.Register("dataframe.write-csv", writeCSVPart)
)

// WriteOption configures ToParquet and ToCSV.
type WriteOption func(*writeOptions)

type writeOptions struct {
	compression string
	overwrite   bool
	rowGroup    int64
}

// Compression sets the Parquet compression: "snappy" (the default),
// "zstd" or "none".
func Compression(c string) WriteOption { return func(o *writeOptions) { o.compression = c } }

// Overwrite replaces the directory if it exists (by default that is an
// error). The old directory is removed only once the new one is complete.
func Overwrite() WriteOption { return func(o *writeOptions) { o.overwrite = true } }

// RowGroupRows sets the most rows of a Parquet row group (default
// 1,048,576); a partition with more rows is written as several. DuckDB
// writes the files when it is a multiple of 2048 (and the columns allow),
// arrow-go otherwise.
func RowGroupRows(n int64) WriteOption { return func(o *writeOptions) { o.rowGroup = n } }

// writeSpec tells a writing task where and how to write its partition.
type writeSpec struct {
	Dir         string // the temporary directory of the job
	Name        string // the part's file name
	Compression string
	RowGroup    int64
	Cats        string // the categories as JSON, kept in the file's metadata
}

// Written is what a writing task reports: its file, rows and, for
// Parquet, the file's footer.
type Written struct {
	Name   string
	Rows   int64
	Footer []byte
}

// ToParquet writes the DataFrame as a directory of Parquet files, one per
// partition (part.0.parquet, ...), plus _metadata, the footers of all of
// them in one file (as Dask and pyarrow write it). Compression is snappy
// unless Compression says otherwise; categorical columns stay dictionaries
// and keep their categories. Every file is written under a temporary
// directory beside dir, which is renamed to dir when all are complete: a
// failed job leaves nothing behind, and an existing dir is not touched
// unless Overwrite is given. The paths are the workers' as well as this
// process's (a shared or local file system).
func (df *DataFrame) ToParquet(ctx context.Context, dir string, opts ...WriteOption) error {
	o := writeOptions{compression: "snappy", rowGroup: 1 << 20}
	for _, f := range opts {
		f(&o)
	}
	if _, err := codecOf(o.compression); err != nil {
		return opError("ToParquet", err)
	}
	return df.write(ctx, "ToParquet", dir, o, fnWriteParquet, "parquet", func(tmp string, ws []Written) error {
		return writeMetadataFile(filepath.Join(tmp, "_metadata"), ws)
	})
}

// ToCSV writes the DataFrame as a directory of CSV files, one per
// partition (part.0.csv, ...), each with a header line. Nulls are empty
// fields; fields holding the delimiter, quotes or newlines are quoted.
// Like ToParquet, it writes to a temporary directory renamed at the end,
// and does not replace an existing dir unless Overwrite is given.
func (df *DataFrame) ToCSV(ctx context.Context, dir string, opts ...WriteOption) error {
	var o writeOptions
	for _, f := range opts {
		f(&o)
	}
	return df.write(ctx, "ToCSV", dir, o, fnWriteCSV, "csv", nil)
}

// write runs one writing task per partition into a temporary directory,
// then finishes the directory and renames it to dir.
func (df *DataFrame) write(ctx context.Context, op, dir string, o writeOptions, fn *dusk.Func, ext string, finish func(tmp string, ws []Written) error) error {
	if df.err != nil {
		return df.err
	}
	dir = filepath.Clean(dir)
	if _, err := os.Stat(dir); err == nil && !o.overwrite {
		return opError(op, fmt.Errorf("%s exists; pass dataframe.Overwrite() to replace it", dir))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return opError(op, err)
	}
	tmp := filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".dusk-tmp-"+shuffle.NewID())
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return opError(op, err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	cats := ""
	if m := df.n.meta().cats; len(m) > 0 {
		b, _ := json.Marshal(m)
		cats = string(b)
	}
	futs, forget, err := df.run(ctx, func(lw *lowering, parts []part) ([]part, error) {
		out := make([]part, len(parts))
		for i, p := range parts {
			spec := writeSpec{Dir: tmp, Name: fmt.Sprintf("part.%d.%s", i, ext), Compression: o.compression, RowGroup: o.rowGroup, Cats: cats}
			out[i] = dusk.Call[Written](fn, p, spec)
		}
		return out, nil
	})
	if err != nil {
		return err
	}
	defer forget()
	defer release(futs)
	vals, err := dusk.Gather(ctx, futs)
	if err != nil {
		return err
	}
	ws := make([]Written, len(vals))
	for i, v := range vals {
		w, err := asWritten(v)
		if err != nil {
			return err
		}
		ws[i] = w
	}
	if finish != nil {
		if err := finish(tmp, ws); err != nil {
			return opError(op, err)
		}
	}
	if err := replaceDir(tmp, dir, o.overwrite); err != nil {
		return opError(op, err)
	}
	ok = true
	return nil
}

// asWritten converts a Written decoded into an interface (a map).
func asWritten(v any) (Written, error) {
	if w, ok := v.(Written); ok {
		return w, nil
	}
	m, ok := v.(map[any]any)
	if !ok {
		return Written{}, fmt.Errorf("dataframe: a writer reported a %T", v)
	}
	var w Written
	w.Name, _ = m["Name"].(string)
	if r, err := toInt64(m["Rows"]); err == nil {
		w.Rows = r
	}
	w.Footer, _ = m["Footer"].([]byte)
	return w, nil
}

// replaceDir renames tmp to dir; an existing dir (with overwrite) is moved
// aside first and removed last.
func replaceDir(tmp, dir string, overwrite bool) error {
	if _, err := os.Stat(dir); err == nil {
		if !overwrite {
			return fmt.Errorf("%s appeared while the job ran; pass dataframe.Overwrite() to replace it", dir)
		}
		old := tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return err
		}
		if err := os.Rename(tmp, dir); err != nil {
			os.Rename(old, dir)
			return err
		}
		return os.RemoveAll(old)
	}
	return os.Rename(tmp, dir)
}

func codecOf(name string) (compress.Compression, error) {
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
func duckWritable(s *arrow.Schema, spec writeSpec) bool {
	if spec.RowGroup <= 0 || spec.RowGroup%2048 != 0 {
		return false
	}
	for _, f := range s.Fields() {
		switch f.Type.ID() {
		case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
			arrow.FLOAT32, arrow.FLOAT64, arrow.BOOL, arrow.STRING, arrow.DATE32:
		case arrow.DICTIONARY:
			if !arrow.TypeEqual(f.Type, catType) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// writeParquetDuck writes rec as the Parquet file part with DuckDB's
// writer (COPY ... TO), categorical columns as strings with the
// categories in the file's key-value metadata.
func writeParquetDuck(ctx context.Context, rec arrow.RecordBatch, spec writeSpec, part string) error {
	e, err := engineFor(ctx)
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
	opts := fmt.Sprintf("FORMAT parquet, COMPRESSION %s, ROW_GROUP_SIZE %d", comp, spec.RowGroup)
	if spec.Cats != "" {
		opts += fmt.Sprintf(", KV_METADATA {%s: %s}", sqlString(categoriesKey), sqlString(spec.Cats))
	}
	cols := make([]string, rec.NumCols())
	for i, f := range rec.Schema().Fields() {
		cols[i] = quoteIdent(f.Name)
		if f.Type.ID() == arrow.DICTIONARY {
			cols[i] = fmt.Sprintf("%s::VARCHAR AS %s", cols[i], cols[i])
		}
	}
	sel := withCTE("part", scanView(viewIn), fmt.Sprintf("SELECT %s FROM part", strings.Join(cols, ", ")))
	q := fmt.Sprintf("COPY (%s) TO %s (%s)", sel, sqlString(part), opts)
	out, err := e.Query(ctx, q, Input{Name: viewIn, Rec: rec})
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

// writeParquetPart writes one partition as a Parquet file: to a temporary
// name, renamed when complete. DuckDB writes it when it writes the
// columns as arrow-go would (see duckWritable): its writer is faster.
func writeParquetPart(ctx context.Context, rec arrow.RecordBatch, spec writeSpec) (Written, error) {
	codec, err := codecOf(spec.Compression)
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
	if err := os.Rename(part, path); err != nil {
		return Written{}, fmt.Errorf("to_parquet: %w", err)
	}
	return Written{Name: spec.Name, Rows: rec.NumRows(), Footer: footer}, nil
}

// writeMetadataFile writes _metadata: a Parquet file with no data whose
// footer lists the row groups of all parts, each with its file's path.
func writeMetadataFile(path string, ws []Written) error {
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
