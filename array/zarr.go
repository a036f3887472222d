package array

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/dusk-go/dusk"
)

// Zarr version 2 stores in a directory: a ".zarray" file of JSON metadata
// and one file per chunk, named by its grid index ("0.1"), holding the
// chunk's elements in C order, whole even at the array's edges,
// compressed by the store's compressor.

var (
	fnZarrRead  = dusk.Register("array.zarr-read", zarrRead)
	fnZarrWrite = dusk.Register("array.zarr-write", zarrWrite)
)

// zarrMeta is a ".zarray" file.
type zarrMeta struct {
	ZarrFormat         int             `json:"zarr_format"`
	Shape              []int           `json:"shape"`
	Chunks             []int           `json:"chunks"`
	DType              string          `json:"dtype"`
	Compressor         *zarrCompressor `json:"compressor"`
	FillValue          any             `json:"fill_value"`
	Order              string          `json:"order"`
	Filters            []any           `json:"filters"`
	DimensionSeparator string          `json:"dimension_separator,omitempty"`
}

// zarrCompressor is a store's compressor: dusk reads and writes zlib, and
// reads gzip, Blosc (Python zarr's default; blosc.go) and stores without
// one.
type zarrCompressor struct {
	ID    string `json:"id"`
	Level int    `json:"level"`
}

// ZarrOptions configure ToZarr.
type ZarrOptions struct {
	// Level is the zlib compression level, 1 (fast, the default) to 9;
	// -1 stores the chunks uncompressed.
	Level int
}

// readZarrMeta reads and checks a store's metadata.
func readZarrMeta(dir string) (zarrMeta, DType, error) {
	var m zarrMeta
	b, err := os.ReadFile(filepath.Join(dir, ".zarray"))
	if err != nil {
		return m, 0, fmt.Errorf("array: %s is not a Zarr v2 array: %w", dir, err)
	}
	bad := func(format string, args ...any) (zarrMeta, DType, error) {
		return m, 0, fmt.Errorf("array: the Zarr array %s: %s", dir, fmt.Sprintf(format, args...))
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return bad(".zarray is not valid JSON: %v", err)
	}
	if m.ZarrFormat != 2 {
		return bad("zarr_format %d; dusk reads version 2", m.ZarrFormat)
	}
	if len(m.Shape) != len(m.Chunks) {
		return bad("shape %v and chunks %v have different numbers of axes", m.Shape, m.Chunks)
	}
	for i, c := range m.Chunks {
		if c <= 0 || m.Shape[i] < 0 {
			return bad("shape %v with chunks %v", m.Shape, m.Chunks)
		}
	}
	if m.Order != "C" {
		return bad("order %q; dusk reads C order", m.Order)
	}
	if len(m.Filters) > 0 {
		return bad("filters %v; dusk reads stores without filters", m.Filters)
	}
	if c := m.Compressor; c != nil && c.ID != "zlib" && c.ID != "gzip" && c.ID != "blosc" {
		return bad("its chunks are compressed with %q; dusk reads blosc, zlib, gzip or no compressor (in Python: zarr.open(..., compressor=numcodecs.Zlib(level=1)))", c.ID)
	}
	if m.DimensionSeparator != "" && m.DimensionSeparator != "." && m.DimensionSeparator != "/" {
		return bad("dimension_separator %q", m.DimensionSeparator)
	}
	dt, ok := dtypeOfDescr(m.DType)
	if !ok {
		return bad("dtype %q; dusk reads <f8, <f4, <i8, <i4 and |b1", m.DType)
	}
	return m, dt, nil
}

// chunkKey names a chunk's file.
func chunkKey(idx []int, sep string) string {
	if sep == "" {
		sep = "."
	}
	parts := make([]string, len(idx))
	for i, x := range idx {
		parts[i] = strconv.Itoa(x)
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, sep)
}

// FromZarr returns the array in a Zarr v2 store (a directory the workers
// see), one block per chunk of the store, read on the workers. The
// metadata is checked here; a chunk that is missing or damaged fails the
// computation with an error naming its file.
func FromZarr(c *dusk.Client, dir string) (*Array, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	m, dt, err := readZarrMeta(abs)
	if err != nil {
		return nil, err
	}
	return newArray(c, m.Shape, By(m.Chunks...), dt, func(idx, s, _ []int, _ int) *dusk.Delayed[*Block] {
		file := filepath.Join(abs, chunkKey(idx, m.DimensionSeparator))
		id := ""
		if m.Compressor != nil {
			id = m.Compressor.ID
		}
		return dusk.Call[*Block](fnZarrRead, file, id, dt, m.Chunks, s)
	})
}

// zarrRead reads one chunk file (whole chunk of shape full) and crops it
// to the block's shape s.
func zarrRead(file, compressor string, dt DType, full, s []int) (*Block, error) {
	raw, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("array: the Zarr chunk %s is missing (a store written with write_empty_chunks=False leaves out chunks of the fill value; write it with write_empty_chunks=True)", file)
	}
	if err != nil {
		return nil, err
	}
	if compressor == "blosc" {
		b := newBlock(dt, full)
		if err := bloscDecode(raw, b.data); err != nil {
			return nil, fmt.Errorf("array: the Zarr chunk %s of a %s chunk of %v: %w", file, dt, full, err)
		}
		if slices.Equal(full, s) {
			return b, nil
		}
		return sliceBlock(b, make([]int, len(s)), ones(len(s)), s, nil), nil
	}
	var r io.Reader = bytes.NewReader(raw)
	switch compressor {
	case "zlib":
		zr, err := zlib.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("array: the Zarr chunk %s is not zlib data: %w", file, err)
		}
		r = zr
	case "gzip":
		gr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("array: the Zarr chunk %s is not gzip data: %w", file, err)
		}
		r = gr
	}
	b := newBlock(dt, full)
	if _, err := io.ReadFull(r, b.data); err != nil {
		return nil, fmt.Errorf("array: the Zarr chunk %s holds fewer than the %d bytes of a %s chunk of %v: %w", file, len(b.data), dt, full, err)
	}
	if n, _ := io.Copy(io.Discard, io.LimitReader(r, 1)); n > 0 {
		return nil, fmt.Errorf("array: the Zarr chunk %s holds more than the %d bytes of a %s chunk of %v", file, len(b.data), dt, full)
	}
	if slices.Equal(full, s) {
		return b, nil
	}
	return sliceBlock(b, make([]int, len(s)), ones(len(s)), s, nil), nil
}

// zarrWrite writes block b as the chunk file (padded with zeros to the
// whole chunk of shape full), compressed with zlib at level (or not, for
// -1), and returns its size.
func zarrWrite(file string, level int, full []int, b *Block) (int64, error) {
	if !slices.Equal(full, b.Shape) {
		whole := newBlock(b.DType, full)
		place(whole, b, make([]int, len(full)))
		b = whole
	}
	var buf bytes.Buffer
	if level < 0 {
		buf.Write(b.data)
	} else {
		zw, err := zlib.NewWriterLevel(&buf, level)
		if err != nil {
			return 0, err
		}
		zw.Write(b.data)
		if err := zw.Close(); err != nil {
			return 0, err
		}
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		return 0, fmt.Errorf("array: writing the Zarr chunk %s: %w", file, err)
	}
	return int64(buf.Len()), nil
}

// ToZarr writes the array as a Zarr v2 store in dir (which must not
// exist; the workers must see it), one chunk per block, compressed with
// zlib. The array's chunks must be regular (all of one length along each
// axis but the last); Rechunk first otherwise. The store is written under
// a temporary name beside dir and renamed once whole: on an error nothing
// is left.
func (a *Array) ToZarr(ctx context.Context, dir string, o ZarrOptions) (err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("array: writing the Zarr store %s: it exists already", dir)
	}
	level := o.Level
	if level == 0 {
		level = 1
	}
	if level > 9 || level < -1 {
		return fmt.Errorf("array: zlib level %d: give 1 to 9, or -1 for none", level)
	}
	full := make([]int, len(a.shape))
	for i, cs := range a.chunks {
		full[i] = max(cs[0], 1)
		for j, c := range cs[:len(cs)-1] {
			if c != cs[0] || j == len(cs)-2 && cs[len(cs)-1] > cs[0] {
				return fmt.Errorf("array: writing %s to Zarr: axis %d has chunks %v, not all of one length (but the last, which may be shorter); Rechunk(By(...)) first", a, i, cs)
			}
		}
	}
	tmp, err := os.MkdirTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.tmp")
	if err != nil {
		return fmt.Errorf("array: writing the Zarr store %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	m := zarrMeta{ZarrFormat: 2, Shape: a.Shape(), Chunks: full, DType: npyDescr(a.dtype), FillValue: zarrFill(a.dtype), Order: "C"}
	if len(m.Shape) == 0 {
		m.Shape, m.Chunks = []int{}, []int{}
	}
	if level >= 0 {
		m.Compressor = &zarrCompressor{ID: "zlib", Level: level}
	}
	meta, err := json.MarshalIndent(m, "", "    ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, ".zarray"), meta, 0o644); err != nil {
		return fmt.Errorf("array: writing the Zarr store %s: %w", dir, err)
	}
	writes := make([]dusk.Lazy, len(a.blocks))
	gridIndexes(a.grid(), func(idx []int, i int) {
		writes[i] = dusk.Call[int64](fnZarrWrite, filepath.Join(tmp, chunkKey(idx, ".")), level, full, a.blockList()[i])
	})
	if _, err := dusk.ComputeAll(ctx, a.c, writes, computeOpts(nil)...); err != nil {
		return err
	}
	if err := os.Rename(tmp, abs); err != nil {
		return fmt.Errorf("array: writing the Zarr store %s: %w", dir, err)
	}
	return nil
}

func zarrFill(dt DType) any {
	switch dt {
	case Bool:
		return false
	case Float64, Float32:
		return 0.0
	}
	return 0
}
