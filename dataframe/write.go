package dataframe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/io"
)

var (
	fnWriteParquet = dusk.Register("dataframe.write-parquet", io.WriteParquetTask)
	fnWriteCSV     = dusk.Register("dataframe.write-csv", io.WriteCSVTask)
)

// WriteOption configures ToParquet and ToCSV.
type WriteOption func(*writeOptions)

type writeOptions struct {
	compression string
	overwrite   bool
	rowGroup    int64
	partitionOn []string // see PartitionOn (hive.go)
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
	if _, err := io.ParquetCompression(o.compression); err != nil {
		return opError("ToParquet", err)
	}
	if len(o.partitionOn) > 0 {
		return df.toHiveParquet(ctx, dir, o)
	}
	return df.write(ctx, "ToParquet", dir, o, fnWriteParquet, "parquet", func(tmp string, ws []io.Written) error {
		return io.WriteMetadataFile(filepath.Join(tmp, "_metadata"), ws)
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
func (df *DataFrame) write(ctx context.Context, op, dir string, o writeOptions, fn *dusk.Func, ext string, finish func(tmp string, ws []io.Written) error) error {
	if df.err != nil {
		return df.err
	}
	dir = filepath.Clean(dir)
	if _, err := os.Stat(dir); err == nil && !o.overwrite {
		return opError(op, fmt.Errorf("%s exists; pass dataframe.Overwrite() to replace it", dir))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return opError(op, err)
	}
	job, err := io.StartJob(dir, slog.Default())
	if err != nil {
		return opError(op, err)
	}
	tmp := job.Dir
	ok := false
	defer func() {
		if !ok {
			job.Abort()
		}
	}()
	cats := ""
	if m := df.n.meta().cats; len(m) > 0 {
		b, _ := json.Marshal(m)
		cats = string(b)
	}
	// One file per partition, however many the run makes: the plan may
	// adapt (adaptive.go).
	futs, forget, err := df.runAdapting(ctx, func(lw *lowering, parts []part) ([]part, error) {
		out := make([]part, len(parts))
		for i, p := range parts {
			spec := io.WriteSpec{Dir: tmp, Name: fmt.Sprintf("part.%d.%s", i, ext), Compression: o.compression, RowGroup: o.rowGroup, Cats: cats, PartitionOn: o.partitionOn}
			out[i] = dusk.Call[io.Written](fn, p, spec)
		}
		return out, nil
	}, true)
	if err != nil {
		return err
	}
	defer forget()
	defer release(futs)
	vals, err := dusk.Gather(ctx, futs)
	if err != nil {
		return err
	}
	ws := make([]io.Written, len(vals))
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
	if err := job.Finish(dir, o.overwrite); err != nil {
		return opError(op, err)
	}
	ok = true
	return nil
}

// asWritten converts an io.Written decoded into an interface (a map).
func asWritten(v any) (io.Written, error) {
	if w, ok := v.(io.Written); ok {
		return w, nil
	}
	m, ok := v.(map[any]any)
	if !ok {
		return io.Written{}, fmt.Errorf("dataframe: a writer reported a %T", v)
	}
	var w io.Written
	w.Name, _ = m["Name"].(string)
	if r, err := toInt64(m["Rows"]); err == nil {
		w.Rows = r
	}
	w.Footer, _ = m["Footer"].([]byte)
	return w, nil
}
