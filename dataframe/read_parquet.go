package dataframe

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/io"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

var (
	fnReadParquet = dusk.Register("dataframe.read-parquet", io.ReadParquetPiece)
	fnParquetSQL  = dusk.Register("dataframe.parquet-sql", parquetSQL)
)

// ParquetOption configures ReadParquet.
type ParquetOption func(*parquetOptions)

type parquetOptions struct {
	blockSize int64
}

// ParquetBlockSize sets how much Parquet data one partition reads, counted
// as the row groups' uncompressed size (all columns, as the footers give
// it): consecutive row groups of a file are read as one partition as long
// as they add up to at most n bytes (default DefaultBlockSize, or the
// client's dataframe.partition-size). A row group larger than n is a
// partition alone; ParquetBlockSize(1) reads each row group as a partition.
// Row groups of different files are never one partition.
func ParquetBlockSize(n int64) ParquetOption {
	return func(o *parquetOptions) { o.blockSize = n }
}

// ReadParquet reads Parquet files as a DataFrame, each partition a run of
// consecutive row groups of one file (see ParquetBlockSize: by default up
// to 64 MiB of uncompressed data, so a file of small row groups is one
// partition, as Dask's blocksize groups them). path is a directory (its
// *.parquet files, in name order), a file or a glob pattern. Only the
// columns the computation uses are read,
// and a Filter right after ReadParquet skips the row groups whose
// statistics show that no row passes (comparisons of a column with a
// constant, joined by AND), before the row groups left are grouped into
// partitions; Explain shows both. Files written by ToParquet
// keep their categorical columns' categories.
//
// A directory whose files are in col=value directories (Hive's layout, as
// ToParquet with PartitionOn writes it) is read with those columns added
// after the files' columns, typed from their values (int64, bool, date32
// or string); a Filter on them skips whole directories, no task reading a
// file of theirs (Explain shows dirs=kept/all). As for any Parquet read,
// the footers of all files are read here, to plan.
//
// Mistakes are errors of the DataFrame (see Err): no file, or files whose
// schemas differ (naming both files).
func ReadParquet(c *dusk.Client, path string, opts ...ParquetOption) *DataFrame {
	def := setting(c, "dataframe.partition-size", DefaultBlockSize)
	o := parquetOptions{blockSize: def}
	for _, f := range opts {
		f(&o)
	}
	if o.blockSize <= 0 {
		o.blockSize = def
	}
	df := &DataFrame{c: c}
	if hv, ok, err := planHive(path, o.blockSize); err != nil {
		return df.fail("ReadParquet", err)
	} else if ok {
		df.n = hv
		return df
	}
	n, err := planParquet(path, o.blockSize)
	if err != nil {
		return df.fail("ReadParquet", err)
	}
	df.n = n
	return df
}

// planParquet reads the footers of the files path names and plans reading
// their row groups, in partitions of up to target bytes (see
// ParquetBlockSize): the files must share one schema; the categories are
// those the first file kept.
func planParquet(path string, target int64) (*parquetNode, error) {
	files, err := io.ParquetFiles(path)
	if err != nil {
		return nil, err
	}
	var schema *arrow.Schema
	var first string
	var cats map[string][]string
	var groups []io.RowGroup
	for _, f := range files {
		pf, err := io.ReadParquetFooter(f)
		if err != nil {
			return nil, err
		}
		if schema == nil {
			schema, first = pf.Schema, f
			if cats, err = pf.Categories(); err != nil {
				return nil, err
			}
		} else if !pf.Schema.Equal(schema) {
			return nil, fmt.Errorf("the schema of %s (%s) differs from that of %s (%s)", f, schemaString(pf.Schema), first, schemaString(schema))
		}
		groups = append(groups, pf.RowGroups...)
	}
	var total int64
	for _, g := range groups {
		total += g.Bytes
	}
	if len(cats) > 0 {
		fields := schema.Fields()
		for i, f := range fields {
			if _, ok := cats[f.Name]; ok {
				fields[i].Type = kernels.CategoryType
			}
		}
		schema = arrow.NewSchema(fields, nil)
	}
	n := &parquetNode{path: path, files: len(files), all: groups, groups: groups, full: schema, target: target,
		m: &meta{schema: schema, bytes: total, cats: copyCats(cats, schema)}}
	if len(groups) == 0 {
		return nil, fmt.Errorf("the Parquet files of %q hold no row groups", path)
	}
	n.m.nparts = len(n.parts())
	return n, nil
}

// parquetNode reads row groups.
type parquetNode struct {
	path   string
	files  int
	all    []io.RowGroup // every row group
	groups []io.RowGroup // the row groups read (after pruning)
	full   *arrow.Schema // every column
	cols   []int         // leaf columns read (nil: all)
	preds  []predicate
	target int64 // bytes of row groups one partition reads at most (see ParquetBlockSize)
	m      *meta
}

// parts returns the row groups each partition reads: runs of consecutive
// row groups of one file (neighbours in the file, none pruned between
// them) whose sizes add up to at most n.target bytes, or a row group
// alone; none when every row group was pruned.
func (n *parquetNode) parts() [][]io.RowGroup {
	var out [][]io.RowGroup
	for i := 0; i < len(n.groups); {
		g := n.groups[i]
		size := g.Bytes
		j := i + 1
		for ; j < len(n.groups); j++ {
			h, prev := n.groups[j], n.groups[j-1]
			if h.Path != g.Path || h.Index != prev.Index+1 || size+h.Bytes > n.target {
				break
			}
			size += h.Bytes
		}
		out = append(out, n.groups[i:j:j])
		i = j
	}
	return out
}

// piece returns the task argument that reads the row groups of one
// partition (see parts).
func (n *parquetNode) piece(gs []io.RowGroup) io.ParquetPiece {
	return io.ParquetPiece{Path: gs[0].Path, RowGroup: gs[0].Index, Count: len(gs), Columns: n.cols}
}

// dirs returns the directories of the files the node reads: all its
// DuckDB queries may reach (see engine.QueryFiles).
func (n *parquetNode) dirs() []string {
	var out []string
	for _, g := range n.groups {
		if d := filepath.Dir(g.Path); !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

func (n *parquetNode) meta() *meta      { return n.m }
func (n *parquetNode) children() []node { return nil }
func (n *parquetNode) label() string {
	cols := "all"
	if n.cols != nil {
		cols = strings.Join(fieldNames(n.m.schema), ", ")
	}
	s := fmt.Sprintf("ReadParquet %s files=%d row-groups=%d/%d columns=[%s] partitions=%d", n.path, n.files, len(n.groups), len(n.all), cols, n.m.nparts)
	if len(n.preds) > 0 {
		ps := make([]string, len(n.preds))
		for i, p := range n.preds {
			ps[i] = p.String()
		}
		s += " pruned-by=[" + strings.Join(ps, " AND ") + "]"
	}
	return s
}

func (n *parquetNode) lower(lw *lowering) ([]part, error) {
	parts := n.parts()
	out := make([]part, len(parts))
	for i, gs := range parts {
		out[i] = dusk.Call[arrow.RecordBatch](fnReadParquet, n.piece(gs), n.m.cats)
	}
	if len(out) == 0 {
		// Every row group was pruned: one empty partition keeps the plan
		// whole.
		out = append(out, dusk.Call[arrow.RecordBatch](fnReadParquet, io.ParquetPiece{Path: n.all[0].Path, RowGroup: -1, Columns: n.cols}, n.m.cats))
	}
	return out, nil
}

// duckReadable reports whether DuckDB's own Parquet reader can read the
// node's partitions in place of arrow-go's (see duckScan): the columns read
// are of types both readers give DuckDB alike (integers, floats, booleans,
// strings, dates; not dictionaries, timestamps, binary or nested data), no
// column is named file_row_number (the reader's row number), and no path
// holds characters DuckDB would read as a glob pattern.
func (n *parquetNode) duckReadable() bool {
	if len(n.groups) == 0 || len(n.full.FieldIndices("file_row_number")) > 0 {
		return false
	}
	for _, f := range n.m.schema.Fields() {
		switch f.Type.ID() {
		case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.FLOAT32, arrow.FLOAT64,
			arrow.BOOL, arrow.STRING, arrow.DATE32:
		default:
			return false
		}
	}
	for _, g := range n.groups {
		if strings.ContainsAny(g.Path, "*?[]{}") {
			return false
		}
	}
	return true
}

// duckScan returns the query that reads the node's columns of one
// partition's row groups gs (see parts) with DuckDB's own Parquet reader:
// the groups' rows, picked by their row number in the file, which DuckDB
// checks against each row group's range, so that it reads only these.
func (n *parquetNode) duckScan(gs []io.RowGroup) string {
	last := gs[len(gs)-1]
	return n.duckScanRows(gs[0].Path, gs[0].First, last.First+last.Rows, last.Total)
}

// duckScanRows reads the rows [from, to) of a file of total rows.
func (n *parquetNode) duckScanRows(path string, from, to, total int64) string {
	cols := make([]string, n.m.schema.NumFields())
	for i, f := range n.m.schema.Fields() {
		cols[i] = engine.QuoteIdent(f.Name)
	}
	if from == 0 && to == total {
		return fmt.Sprintf("SELECT %s FROM read_parquet(%s, hive_partitioning = false)", strings.Join(cols, ", "), engine.SQLString(path))
	}
	return fmt.Sprintf("SELECT %s FROM read_parquet(%s, file_row_number = true, hive_partitioning = false) WHERE file_row_number >= %d AND file_row_number < %d",
		strings.Join(cols, ", "), engine.SQLString(path), from, to)
}

// Runs of row groups one query reads (see duckRuns) hold at most this many
// rows.
const maxRunRows = 4 << 20

// duckRuns returns queries that read the node's row groups in runs of
// neighbours of one file (at most maxRunRows rows each), for work that
// does not need the node's partitions (the partial aggregates of a
// reduction): fewer, larger queries, and a whole file read with no
// filter on row numbers. Whole files are read several to a query, as long
// as at least minRuns queries remain (a few per worker, for balance; 0:
// one query a file):
// DuckDB spends a few milliseconds on each query and file it opens (20
// queries of one file each took 15-20% more CPU than one query over the
// 20 files, with threads = 1: bench/dataframe -filecost).
func (n *parquetNode) duckRuns(minRuns int) []duckScan {
	type fileRun struct {
		path            string
		from, to, total int64
		groups          []io.RowGroup
	}
	var runs []fileRun
	whole := 0
	for i := 0; i < len(n.groups); {
		g := n.groups[i]
		from, to := g.First, g.First+g.Rows
		j := i + 1
		for ; j < len(n.groups); j++ {
			h := n.groups[j]
			if h.Path != g.Path || h.First != to || h.First+h.Rows-from > maxRunRows {
				break
			}
			to = h.First + h.Rows
		}
		runs = append(runs, fileRun{g.Path, from, to, g.Total, n.groups[i:j]})
		if from == 0 && to == g.Total {
			whole++
		}
		i = j
	}
	perQuery := 1
	if minRuns > 0 {
		perQuery = max(1, whole/minRuns)
	}
	var out []duckScan
	var files []string
	var groups []io.RowGroup
	flush := func() {
		if len(files) > 0 {
			out = append(out, duckScan{query: n.duckScanFiles(files), checks: n.checks(groups)})
			files, groups = nil, nil
		}
	}
	for _, r := range runs {
		if r.from != 0 || r.to != r.total || perQuery == 1 {
			flush()
			out = append(out, duckScan{query: n.duckScanRows(r.path, r.from, r.to, r.total), checks: n.checks(r.groups)})
			continue
		}
		files = append(files, r.path)
		groups = append(groups, r.groups...)
		if len(files) == perQuery {
			flush()
		}
	}
	flush()
	return out
}

// duckScan is a query that reads Parquet with DuckDB's reader, and the
// row groups it reads, whose checksums its task verifies first.
type duckScan struct {
	query  string
	checks []io.ParquetPiece
}

// checks returns the pieces of groups the node reads, to verify.
func (n *parquetNode) checks(groups []io.RowGroup) []io.ParquetPiece {
	out := make([]io.ParquetPiece, len(groups))
	for i, g := range groups {
		out[i] = io.ParquetPiece{Path: g.Path, RowGroup: g.Index, Columns: n.cols}
	}
	return out
}

// duckScanFiles reads whole files (of one schema) in one scan.
func (n *parquetNode) duckScanFiles(paths []string) string {
	cols := make([]string, n.m.schema.NumFields())
	for i, f := range n.m.schema.Fields() {
		cols[i] = engine.QuoteIdent(f.Name)
	}
	list := make([]string, len(paths))
	for i, p := range paths {
		list[i] = engine.SQLString(p)
	}
	return fmt.Sprintf("SELECT %s FROM read_parquet([%s], hive_partitioning = false)", strings.Join(cols, ", "), strings.Join(list, ", "))
}

// parquetSQL runs a query that reads a row group through read_parquet
// (see duckScan) in the worker's DuckDB, which may read files under dirs
// only, after verifying the checksums of the row groups it reads.
func parquetSQL(ctx context.Context, query string, dirs []string, checks []io.ParquetPiece, cats map[string][]string) (arrow.RecordBatch, error) {
	for _, p := range checks {
		if err := io.VerifyRowGroups(p.Path, []int{p.RowGroup}, p.Columns); err != nil {
			return nil, err
		}
	}
	e, err := engine.For(ctx)
	if err != nil {
		return nil, err
	}
	out, err := e.QueryFiles(ctx, dirs, query)
	if err != nil {
		return nil, fmt.Errorf("read_parquet: %w", err)
	}
	return kernels.RestoreCategories(out, cats)
}

// withColumns returns the node reading only the named columns.
func (n *parquetNode) withColumns(need map[string]bool) node {
	var cols []int
	var fields []arrow.Field
	for i, f := range n.full.Fields() {
		if need[f.Name] {
			cols = append(cols, i)
			fields = append(fields, n.m.schema.Field(n.m.schema.FieldIndices(f.Name)[0]))
		}
	}
	if len(cols) == 0 || len(cols) == n.full.NumFields() || len(cols) == len(n.cols) {
		return n
	}
	c := *n
	c.cols = cols
	c.m = n.m.clone()
	c.m.schema = arrow.NewSchema(fields, nil)
	c.m.cats = copyCats(n.m.cats, c.m.schema)
	if n.m.bytes > 0 {
		c.m.bytes = n.m.bytes * int64(len(cols)) / int64(n.full.NumFields())
	}
	return &c
}

// withPredicates returns the node without the row groups whose statistics
// show the predicates cannot hold.
func (n *parquetNode) withPredicates(preds []predicate) *parquetNode {
	c := *n
	c.preds = preds
	c.groups = nil
	var bytes int64
	for _, g := range n.groups {
		keep := true
		for _, p := range preds {
			i := n.full.FieldIndices(p.col)
			if len(i) == 0 || i[0] >= len(g.Stats) {
				continue
			}
			if !p.mayHold(g.Stats[i[0]]) {
				keep = false
				break
			}
		}
		if keep {
			c.groups = append(c.groups, g)
			bytes += g.Bytes
		}
	}
	c.m = n.m.clone()
	c.m.nparts = max(len(c.parts()), 1)
	if n.m.bytes > 0 && len(n.groups) > 0 {
		c.m.bytes = bytes * n.m.bytes / max(1, totalBytes(n.groups))
	}
	return &c
}

func totalBytes(gs []io.RowGroup) int64 {
	var t int64
	for _, g := range gs {
		t += g.Bytes
	}
	return t
}
