package io

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/dusk-go/dusk/dataframe/kernels"
)

var mem = memory.DefaultAllocator

// categoriesKey is the Parquet key-value metadata entry where ToParquet
// keeps the categories of categorical columns.
const categoriesKey = "dusk.categories"

// ParquetPiece is one partition of a Parquet dataset: a run of
// consecutive row groups of a file.
type ParquetPiece struct {
	Path     string
	RowGroup int   // the first row group read
	Count    int   // the row groups read, from RowGroup on (0: one)
	Columns  []int // leaf column indices to read (nil: all)
}

// groups returns the row groups p reads.
func (p ParquetPiece) groups() []int {
	out := []int{p.RowGroup}
	for g := p.RowGroup + 1; g < p.RowGroup+p.Count; g++ {
		out = append(out, g)
	}
	return out
}

// RowGroup is what a file's footer says of one of its row groups.
type RowGroup struct {
	Path  string
	Index int
	First int64 // the file's row number of the group's first row
	Rows  int64
	Total int64 // the file's rows
	Bytes int64
	Stats []ColumnStats // by column
}

// ColumnStats are a column chunk's minimum and maximum, when written.
type ColumnStats struct {
	OK       bool
	Min, Max any // int64, float64 or string
}

// ParquetFile is what a Parquet file's footer says.
type ParquetFile struct {
	Path      string
	Schema    *arrow.Schema // every column nullable
	RowGroups []RowGroup
	cats      *string // the categories ToParquet kept, as JSON
}

// ReadParquetFooter reads the footer of the Parquet file at path.
func ReadParquetFooter(path string) (*ParquetFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parquetFooter(path, f)
}

// parquetFooter reads the footer of the Parquet file in src, named path.
func parquetFooter(path string, src parquet.ReaderAtSeeker) (_ *ParquetFile, err error) {
	defer survive(path, &err)
	r, err := file.NewParquetReader(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer r.Close()
	md := r.MetaData()
	fr, err := pqarrow.NewFileReader(r, pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s, err := fr.Schema()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f := &ParquetFile{Path: path, Schema: kernels.NullableSchema(s), cats: md.KeyValueMetadata().FindValue(categoriesKey)}
	var first int64
	for g := range md.NumRowGroups() {
		rg := md.RowGroup(g)
		info := RowGroup{Path: path, Index: g, First: first, Rows: rg.NumRows(), Bytes: rg.TotalByteSize(), Stats: make([]ColumnStats, rg.NumColumns())}
		first += rg.NumRows()
		for c := range rg.NumColumns() {
			info.Stats[c] = chunkStats(rg, c)
		}
		f.RowGroups = append(f.RowGroups, info)
	}
	for i := range f.RowGroups {
		f.RowGroups[i].Total = first
	}
	return f, nil
}

// Categories returns the categories of categorical columns that ToParquet
// kept in the file's metadata, or nil.
func (f *ParquetFile) Categories() (map[string][]string, error) {
	if f.cats == nil {
		return nil, nil
	}
	var cats map[string][]string
	if err := json.Unmarshal([]byte(*f.cats), &cats); err != nil {
		return nil, fmt.Errorf("%s: the %s metadata does not decode: %w", f.Path, categoriesKey, err)
	}
	return cats, nil
}

// ParquetFiles lists the files a path names: a directory's *.parquet
// files, a file, or the files matching a glob pattern; files whose names
// start with "_" or "." are left out. Numbers in names order by value
// (part.2 before part.10).
func ParquetFiles(path string) ([]string, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "*.parquet")
	}
	files, err := filepath.Glob(path)
	if err != nil {
		return nil, fmt.Errorf("bad pattern %q: %w", path, err)
	}
	files = slices.DeleteFunc(files, func(f string) bool {
		b := filepath.Base(f)
		return strings.HasPrefix(b, "_") || strings.HasPrefix(b, ".")
	})
	slices.SortFunc(files, comparePaths)
	if len(files) == 0 {
		return nil, fmt.Errorf("no Parquet file matches %q", path)
	}
	return files, nil
}

// comparePaths orders paths by name, numbers in them by value (part.2
// before part.10).
func comparePaths(a, b string) int {
	for a != "" && b != "" {
		da, db := digitsPrefix(a), digitsPrefix(b)
		if da != "" && db != "" {
			x, _ := strconv.ParseUint(da, 10, 64)
			y, _ := strconv.ParseUint(db, 10, 64)
			if x != y {
				if x < y {
					return -1
				}
				return 1
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digitsPrefix(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

func chunkStats(rg *metadata.RowGroupMetaData, c int) ColumnStats {
	cc, err := rg.ColumnChunk(c)
	if err != nil {
		return ColumnStats{}
	}
	if ok, err := cc.StatsSet(); !ok || err != nil {
		return ColumnStats{}
	}
	st, err := cc.Statistics()
	if err != nil || st == nil || !st.HasMinMax() {
		return ColumnStats{}
	}
	switch s := st.(type) {
	case *metadata.Int64Statistics:
		return ColumnStats{OK: true, Min: s.Min(), Max: s.Max()}
	case *metadata.Int32Statistics:
		return ColumnStats{OK: true, Min: int64(s.Min()), Max: int64(s.Max())}
	case *metadata.Float64Statistics:
		return ColumnStats{OK: true, Min: s.Min(), Max: s.Max()}
	case *metadata.Float32Statistics:
		return ColumnStats{OK: true, Min: float64(s.Min()), Max: float64(s.Max())}
	case *metadata.ByteArrayStatistics:
		return ColumnStats{OK: true, Min: string(s.Min()), Max: string(s.Max())}
	}
	return ColumnStats{}
}

// ReadParquetPiece reads a run of row groups of a file (the columns
// p.Columns, or all) into one record, its categorical columns (cats) as
// dictionaries. A RowGroup of -1 reads no rows: an empty record of the
// columns.
func ReadParquetPiece(ctx context.Context, p ParquetPiece, cats map[string][]string) (_ arrow.RecordBatch, err error) {
	defer survive(p.Path, &err)
	if p.RowGroup >= 0 {
		if err := VerifyRowGroups(p.Path, p.groups(), p.Columns); err != nil {
			return nil, err
		}
	}
	r, err := file.OpenParquetFile(p.Path, false)
	if err != nil {
		return nil, fmt.Errorf("read_parquet: %w", err)
	}
	defer r.Close()
	// One batch for a row group: its columns come back as single chunks,
	// and a partition of one row group is made without copying them again.
	batch := int64(64 << 10)
	if p.RowGroup >= 0 {
		for _, g := range p.groups() {
			if g < r.NumRowGroups() {
				batch = max(batch, r.MetaData().RowGroup(g).NumRows())
			}
		}
	}
	fr, err := pqarrow.NewFileReader(r, pqarrow.ArrowReadProperties{Parallel: false, BatchSize: batch}, mem)
	if err != nil {
		return nil, fmt.Errorf("read_parquet: %s: %w", p.Path, err)
	}
	cols := p.Columns
	if cols == nil {
		cols = make([]int, r.MetaData().Schema.NumColumns())
		for i := range cols {
			cols[i] = i
		}
	}
	groups := p.groups()
	if p.RowGroup < 0 {
		groups = nil
	}
	var tbl arrow.Table
	if groups == nil {
		s, err := fr.Schema()
		if err != nil {
			return nil, err
		}
		fields := make([]arrow.Field, len(cols))
		for i, c := range cols {
			fields[i] = s.Field(c)
		}
		return kernels.RestoreCategories(kernels.EmptyRecord(kernels.NullableSchema(arrow.NewSchema(fields, nil))), cats)
	}
	tbl, err = fr.ReadRowGroups(ctx, cols, groups)
	if err != nil {
		return nil, fmt.Errorf("read_parquet: %s row groups %v: %w", p.Path, groups, err)
	}
	defer tbl.Release()
	rec, err := kernels.TableToRecord(kernels.NullableSchema(tbl.Schema()), tbl)
	if err != nil {
		return nil, err
	}
	return kernels.RestoreCategories(rec, cats)
}
