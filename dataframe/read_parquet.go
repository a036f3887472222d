//go:build duckdb_arrow

package dataframe

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
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/dusk-go/dusk"
)

var (
	fnReadParquet = dusk.Register("dataframe.read-parquet", readParquetPiece)
	fnParquetSQL  = dusk.Register("dataframe.parquet-sql", parquetSQL)
)

// categoriesKey is the Parquet key-value metadata entry where ToParquet
// keeps the categories of categorical columns.
const categoriesKey = "dusk.categories"

// pqPiece is one partition of a Parquet dataset: one row group of a file.
type pqPiece struct {
	Path     string
	RowGroup int
	Columns  []int // leaf column indices to read (nil: all)
}

// rowGroupInfo is what planning knows of a row group.
type rowGroupInfo struct {
	path  string
	index int
	first int64 // the file's row number of the group's first row
	rows  int64
	total int64 // the file's rows
	bytes int64
	stats []colStats // by column
}

// colStats are a column chunk's minimum and maximum, when written.
type colStats struct {
	ok       bool
	min, max any // int64, float64 or string
}

// ReadParquet reads Parquet files as a DataFrame with one partition per
// row group. path is a directory (its *.parquet files, in name order), a
// file or a glob pattern. Only the columns the computation uses are read,
// and a Filter right after ReadParquet skips the row groups whose
// statistics show that no row passes (comparisons of a column with a
// constant, joined by AND); Explain shows both. Files written by ToParquet
// keep their categorical columns' categories.
//
// Mistakes are errors of the DataFrame (see Err): no file, or files whose
// schemas differ (naming both files).
func ReadParquet(c *dusk.Client, path string) *DataFrame {
	df := &DataFrame{c: c}
	n, err := planParquet(path)
	if err != nil {
		return df.fail("ReadParquet", err)
	}
	df.n = n
	return df
}

// parquetFiles lists the files a path names.
func parquetFiles(path string) ([]string, error) {
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

func planParquet(path string) (*parquetNode, error) {
	files, err := parquetFiles(path)
	if err != nil {
		return nil, err
	}
	var schema *arrow.Schema
	var first string
	var cats map[string][]string
	var groups []rowGroupInfo
	for _, f := range files {
		r, err := file.OpenParquetFile(f, false)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		md := r.MetaData()
		fr, err := pqarrow.NewFileReader(r, pqarrow.ArrowReadProperties{}, mem)
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		s, err := fr.Schema()
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		s = nullableSchema(s)
		if schema == nil {
			schema, first = s, f
			if v := md.KeyValueMetadata().FindValue(categoriesKey); v != nil {
				if err := json.Unmarshal([]byte(*v), &cats); err != nil {
					r.Close()
					return nil, fmt.Errorf("%s: the %s metadata does not decode: %w", f, categoriesKey, err)
				}
			}
		} else if !s.Equal(schema) {
			r.Close()
			return nil, fmt.Errorf("the schema of %s (%s) differs from that of %s (%s)", f, schemaString(s), first, schemaString(schema))
		}
		var first int64
		for g := range md.NumRowGroups() {
			rg := md.RowGroup(g)
			info := rowGroupInfo{path: f, index: g, first: first, rows: rg.NumRows(), bytes: rg.TotalByteSize(), stats: make([]colStats, rg.NumColumns())}
			first += rg.NumRows()
			for c := range rg.NumColumns() {
				info.stats[c] = chunkStats(rg, c)
			}
			groups = append(groups, info)
		}
		for i := len(groups) - md.NumRowGroups(); i < len(groups); i++ {
			groups[i].total = first
		}
		r.Close()
	}
	var total int64
	for _, g := range groups {
		total += g.bytes
	}
	if len(cats) > 0 {
		fields := schema.Fields()
		for i, f := range fields {
			if _, ok := cats[f.Name]; ok {
				fields[i].Type = catType
			}
		}
		schema = arrow.NewSchema(fields, nil)
	}
	n := &parquetNode{path: path, files: len(files), all: groups, groups: groups, full: schema,
		m: &meta{schema: schema, nparts: len(groups), bytes: total, cats: copyCats(cats, schema)}}
	if len(groups) == 0 {
		return nil, fmt.Errorf("the Parquet files of %q hold no row groups", path)
	}
	return n, nil
}

func chunkStats(rg *metadata.RowGroupMetaData, c int) colStats {
	cc, err := rg.ColumnChunk(c)
	if err != nil {
		return colStats{}
	}
	if ok, err := cc.StatsSet(); !ok || err != nil {
		return colStats{}
	}
	st, err := cc.Statistics()
	if err != nil || st == nil || !st.HasMinMax() {
		return colStats{}
	}
	switch s := st.(type) {
	case *metadata.Int64Statistics:
		return colStats{ok: true, min: s.Min(), max: s.Max()}
	case *metadata.Int32Statistics:
		return colStats{ok: true, min: int64(s.Min()), max: int64(s.Max())}
	case *metadata.Float64Statistics:
		return colStats{ok: true, min: s.Min(), max: s.Max()}
	case *metadata.Float32Statistics:
		return colStats{ok: true, min: float64(s.Min()), max: float64(s.Max())}
	case *metadata.ByteArrayStatistics:
		return colStats{ok: true, min: string(s.Min()), max: string(s.Max())}
	}
	return colStats{}
}

// parquetNode reads row groups.
type parquetNode struct {
	path   string
	files  int
	all    []rowGroupInfo // every row group
	groups []rowGroupInfo // the row groups read (after pruning)
	full   *arrow.Schema  // every column
	cols   []int          // leaf columns read (nil: all)
	preds  []predicate
	m      *meta
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
	out := make([]part, len(n.groups))
	for i, g := range n.groups {
		out[i] = dusk.Call[arrow.RecordBatch](fnReadParquet, pqPiece{Path: g.path, RowGroup: g.index, Columns: n.cols}, n.m.cats)
	}
	if len(out) == 0 {
		// Every row group was pruned: one empty partition keeps the plan
		// whole.
		out = append(out, dusk.Call[arrow.RecordBatch](fnReadParquet, pqPiece{Path: n.all[0].path, RowGroup: -1, Columns: n.cols}, n.m.cats))
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
		if strings.ContainsAny(g.path, "*?[]{}") {
			return false
		}
	}
	return true
}

// duckScan returns the query that reads the node's columns of row group
// g with DuckDB's own Parquet reader: the group's rows, picked by their
// row number in the file, which DuckDB checks against each row group's
// range, so that it reads only this one.
func (n *parquetNode) duckScan(g rowGroupInfo) string {
	return n.duckScanRows(g.path, g.first, g.first+g.rows, g.total)
}

// duckScanRows reads the rows [from, to) of a file of total rows.
func (n *parquetNode) duckScanRows(path string, from, to, total int64) string {
	cols := make([]string, n.m.schema.NumFields())
	for i, f := range n.m.schema.Fields() {
		cols[i] = quoteIdent(f.Name)
	}
	if from == 0 && to == total {
		return fmt.Sprintf("SELECT %s FROM read_parquet(%s, hive_partitioning = false)", strings.Join(cols, ", "), sqlString(path))
	}
	return fmt.Sprintf("SELECT %s FROM read_parquet(%s, file_row_number = true, hive_partitioning = false) WHERE file_row_number >= %d AND file_row_number < %d",
		strings.Join(cols, ", "), sqlString(path), from, to)
}

// Runs of row groups one query reads (see duckRuns) hold at most this many
// rows.
const maxRunRows = 4 << 20

// duckRuns returns queries that read the node's row groups in runs of
// neighbours of one file (at most maxRunRows rows each), for work that
// does not need a partition per row group (the partial aggregates of a
// reduction): fewer, larger queries, and a whole file read with no
// filter on row numbers. Whole files are read several to a query, as long
// as at least minRuns queries remain (a few per worker, for balance; 0:
// one query a file):
// DuckDB spends a few milliseconds on each query and file it opens (20
// queries of one file each took 15-20% more CPU than one query over the
// 20 files, with threads = 1: bench/dataframe -filecost).
func (n *parquetNode) duckRuns(minRuns int) []string {
	type fileRun struct {
		path            string
		from, to, total int64
	}
	var runs []fileRun
	whole := 0
	for i := 0; i < len(n.groups); {
		g := n.groups[i]
		from, to := g.first, g.first+g.rows
		j := i + 1
		for ; j < len(n.groups); j++ {
			h := n.groups[j]
			if h.path != g.path || h.first != to || h.first+h.rows-from > maxRunRows {
				break
			}
			to = h.first + h.rows
		}
		runs = append(runs, fileRun{g.path, from, to, g.total})
		if from == 0 && to == g.total {
			whole++
		}
		i = j
	}
	perQuery := 1
	if minRuns > 0 {
		perQuery = max(1, whole/minRuns)
	}
	var out, files []string
	flush := func() {
		if len(files) > 0 {
			out = append(out, n.duckScanFiles(files))
			files = nil
		}
	}
	for _, r := range runs {
		if r.from != 0 || r.to != r.total || perQuery == 1 {
			flush()
			out = append(out, n.duckScanRows(r.path, r.from, r.to, r.total))
			continue
		}
		files = append(files, r.path)
		if len(files) == perQuery {
			flush()
		}
	}
	flush()
	return out
}

// duckScanFiles reads whole files (of one schema) in one scan.
func (n *parquetNode) duckScanFiles(paths []string) string {
	cols := make([]string, n.m.schema.NumFields())
	for i, f := range n.m.schema.Fields() {
		cols[i] = quoteIdent(f.Name)
	}
	list := make([]string, len(paths))
	for i, p := range paths {
		list[i] = sqlString(p)
	}
	return fmt.Sprintf("SELECT %s FROM read_parquet([%s], hive_partitioning = false)", strings.Join(cols, ", "), strings.Join(list, ", "))
}

// parquetSQL runs a query that reads a row group through read_parquet
// (see duckScan) in the worker's DuckDB.
func parquetSQL(ctx context.Context, query string, cats map[string][]string) (arrow.RecordBatch, error) {
	e, err := engineFor(ctx)
	if err != nil {
		return nil, err
	}
	out, err := e.QueryFiles(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("read_parquet: %w", err)
	}
	return restoreCats(out, cats)
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
			if len(i) == 0 || i[0] >= len(g.stats) {
				continue
			}
			if !p.mayHold(g.stats[i[0]]) {
				keep = false
				break
			}
		}
		if keep {
			c.groups = append(c.groups, g)
			bytes += g.bytes
		}
	}
	c.m = n.m.clone()
	c.m.nparts = max(len(c.groups), 1)
	if n.m.bytes > 0 && len(n.groups) > 0 {
		c.m.bytes = bytes * n.m.bytes / max(1, totalBytes(n.groups))
	}
	return &c
}

func totalBytes(gs []rowGroupInfo) int64 {
	var t int64
	for _, g := range gs {
		t += g.bytes
	}
	return t
}

func readParquetPiece(ctx context.Context, p pqPiece, cats map[string][]string) (arrow.RecordBatch, error) {
	r, err := file.OpenParquetFile(p.Path, false)
	if err != nil {
		return nil, fmt.Errorf("read_parquet: %w", err)
	}
	defer r.Close()
	// One batch for the whole row group: its columns come back as single
	// chunks, and the partition is made without copying them again.
	batch := int64(64 << 10)
	if p.RowGroup >= 0 && p.RowGroup < r.NumRowGroups() {
		batch = max(batch, r.MetaData().RowGroup(p.RowGroup).NumRows())
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
	groups := []int{p.RowGroup}
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
		return restoreCats(emptyRecord(nullableSchema(arrow.NewSchema(fields, nil))), cats)
	}
	tbl, err = fr.ReadRowGroups(ctx, cols, groups)
	if err != nil {
		return nil, fmt.Errorf("read_parquet: %s row group %d: %w", p.Path, p.RowGroup, err)
	}
	defer tbl.Release()
	rec, err := tableToRecord(nullableSchema(tbl.Schema()), tbl)
	if err != nil {
		return nil, err
	}
	return restoreCats(rec, cats)
}

// predicate is "column op constant", from a Filter expression.
type predicate struct {
	col string
	op  string
	val any // int64, float64 or string
}

func (p predicate) String() string {
	if s, ok := p.val.(string); ok {
		return fmt.Sprintf("%s %s %s", p.col, p.op, sqlString(s))
	}
	return fmt.Sprintf("%s %s %v", p.col, p.op, p.val)
}

// mayHold reports whether some value in [st.min, st.max] satisfies p.
func (p predicate) mayHold(st colStats) bool {
	if !st.ok {
		return true
	}
	lo, hi := compareAny(p.val, st.min), compareAny(p.val, st.max)
	if !comparable(p.val, st.min) {
		return true
	}
	switch p.op {
	case "=":
		return lo >= 0 && hi <= 0
	case "<":
		return compareAny(st.min, p.val) < 0
	case "<=":
		return compareAny(st.min, p.val) <= 0
	case ">":
		return compareAny(st.max, p.val) > 0
	case ">=":
		return compareAny(st.max, p.val) >= 0
	}
	return true
}

func comparable(a, b any) bool {
	_, as := a.(string)
	_, bs := b.(string)
	return as == bs
}

// parsePredicates finds the conjuncts of a Filter expression of the form
// column op constant (or constant op column). Anything else is left to
// the filter itself.
func parsePredicates(expr string, s *arrow.Schema) []predicate {
	var out []predicate
	for _, part := range splitAnd(expr) {
		if p, ok := parseComparison(strings.TrimSpace(part), s); ok {
			out = append(out, p)
		}
	}
	return out
}

// splitAnd splits expr at top-level ANDs (outside parentheses and quotes).
func splitAnd(expr string) []string {
	var parts []string
	depth, start := 0, 0
	inQuote := false
	up := strings.ToUpper(expr)
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; {
		case c == '\'':
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && i+5 <= len(expr) && up[i:i+5] == " AND ":
			parts = append(parts, expr[start:i])
			start = i + 5
			i += 4
		}
	}
	parts = append(parts, expr[start:])
	// A whole expression in parentheses: look inside.
	if len(parts) == 1 {
		t := strings.TrimSpace(parts[0])
		if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") && balanced(t[1:len(t)-1]) {
			return splitAnd(t[1 : len(t)-1])
		}
	}
	return parts
}

func balanced(s string) bool {
	d := 0
	for _, c := range s {
		if c == '(' {
			d++
		} else if c == ')' {
			d--
			if d < 0 {
				return false
			}
		}
	}
	return d == 0
}

func parseComparison(e string, s *arrow.Schema) (predicate, bool) {
	for _, op := range []string{"<=", ">=", "<>", "!=", "=", "<", ">"} {
		i := strings.Index(e, op)
		if i <= 0 {
			continue
		}
		l, r := strings.TrimSpace(e[:i]), strings.TrimSpace(e[i+len(op):])
		if op == "<>" || op == "!=" {
			return predicate{}, false
		}
		if col, ok := columnName(l, s); ok {
			if v, ok := constant(r); ok {
				return predicate{col: col, op: op, val: v}, true
			}
		}
		if col, ok := columnName(r, s); ok {
			if v, ok := constant(l); ok {
				flip := map[string]string{"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "="}[op]
				return predicate{col: col, op: flip, val: v}, true
			}
		}
		return predicate{}, false
	}
	return predicate{}, false
}

func columnName(t string, s *arrow.Schema) (string, bool) {
	if strings.HasPrefix(t, `"`) && strings.HasSuffix(t, `"`) && len(t) > 1 {
		t = t[1 : len(t)-1]
	} else {
		for _, f := range s.Fields() {
			if strings.EqualFold(f.Name, t) {
				t = f.Name
			}
		}
	}
	idx := s.FieldIndices(t)
	if len(idx) == 0 {
		return "", false
	}
	switch s.Field(idx[0]).Type.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.FLOAT32, arrow.FLOAT64, arrow.STRING:
		return t, true
	}
	return "", false
}

func constant(t string) (any, bool) {
	if len(t) >= 2 && t[0] == '\'' && t[len(t)-1] == '\'' {
		return strings.ReplaceAll(t[1:len(t)-1], "''", "'"), true
	}
	if v, err := strconv.ParseInt(t, 10, 64); err == nil {
		return v, true
	}
	if v, err := strconv.ParseFloat(t, 64); err == nil {
		return v, true
	}
	return nil, false
}
