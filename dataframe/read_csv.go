//go:build duckdb_arrow

package dataframe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
)

var fnReadCSV = dusk.Register("dataframe.read-csv", readCSVSplit)

// DefaultBlockSize is the most bytes of a CSV file one partition reads
// (Dask's default).
const DefaultBlockSize = 64 << 20

// csvSampleBytes is how much of each file's start type inference reads.
const csvSampleBytes = 256 << 10

// CSVOption configures ReadCSV.
type CSVOption func(*csvOptions)

type csvOptions struct {
	blockSize int64
	schema    *arrow.Schema
	delim     byte
}

// BlockSize sets the most bytes of a file one partition reads: larger
// files are split (at row boundaries) into several partitions.
func BlockSize(n int64) CSVOption { return func(o *csvOptions) { o.blockSize = n } }

// CSVSchema gives the columns' names and types instead of inferring them.
// The header of every file must name the same columns.
func CSVSchema(s *arrow.Schema) CSVOption { return func(o *csvOptions) { o.schema = s } }

// Delimiter sets the field separator (default ',').
func Delimiter(d byte) CSVOption { return func(o *csvOptions) { o.delim = d } }

// ReadCSV reads the CSV files that match the glob pattern (in name order)
// as a DataFrame: one partition per block of each file (see BlockSize),
// each a record of the rows that start in its block. The first line of
// every file names the columns. Column types are inferred from the start of
// every file (integers, floats, bools, dates, timestamps, else strings),
// or given with CSVSchema; an empty field is null. Quoted fields may hold
// delimiters and doubled quotes; a quoted field holding a newline must not
// straddle a block boundary.
//
// Mistakes are errors of the DataFrame (see Err), found here: no file
// matching, headers or types that differ between files (naming both
// files). A row that cannot be read is an error of the computation that
// names its file, line and column.
func ReadCSV(c *dusk.Client, pattern string, opts ...CSVOption) *DataFrame {
	o := csvOptions{blockSize: DefaultBlockSize, delim: ','}
	for _, f := range opts {
		f(&o)
	}
	df := &DataFrame{c: c}
	n, err := planCSV(pattern, o)
	if err != nil {
		return df.fail("ReadCSV", err)
	}
	df.n = n
	return df
}

// csvNode reads CSV splits.
type csvNode struct {
	pattern string
	files   int
	splits  []csvSplit
	m       *meta
}

func (n *csvNode) meta() *meta      { return n.m }
func (n *csvNode) children() []node { return nil }
func (n *csvNode) label() string {
	cols := "all"
	if n.splits[0].Read != nil {
		cols = strings.Join(fieldNames(n.m.schema), ", ")
	}
	return fmt.Sprintf("ReadCSV %s files=%d partitions=%d columns=[%s]", n.pattern, n.files, n.m.nparts, cols)
}

func (n *csvNode) lower(lw *lowering) ([]part, error) {
	out := make([]part, len(n.splits))
	for i, sp := range n.splits {
		out[i] = dusk.Call[arrow.RecordBatch](fnReadCSV, sp)
	}
	return out, nil
}

// withColumns returns the node reading only the named columns.
func (n *csvNode) withColumns(need map[string]bool) node {
	sp0 := n.splits[0]
	var read []int
	var fields []arrow.Field
	for i, name := range sp0.Names {
		if need[name] {
			read = append(read, i)
			fields = append(fields, n.m.schema.Field(n.m.schema.FieldIndices(name)[0]))
		}
	}
	if len(read) == 0 || len(read) == len(sp0.Names) {
		return n
	}
	c := &csvNode{pattern: n.pattern, files: n.files, splits: make([]csvSplit, len(n.splits))}
	for i, sp := range n.splits {
		sp.Read = read
		c.splits[i] = sp
	}
	c.m = n.m.clone()
	c.m.schema = arrow.NewSchema(fields, nil)
	c.m.bytes = n.m.bytes * int64(len(read)) / int64(len(sp0.Names))
	return c
}

func readCSVSplit(ctx context.Context, sp csvSplit) (arrow.RecordBatch, error) {
	f, err := os.Open(sp.Path)
	if err != nil {
		return nil, fmt.Errorf("read_csv: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read_csv: %w", err)
	}
	data, off, err := readSplitBytes(f, st.Size(), &sp)
	if err != nil {
		return nil, fmt.Errorf("read_csv: reading %s: %w", sp.Path, err)
	}
	return parseCSV(&sp, data, off)
}

// planCSV finds the files, checks their headers, infers (or checks) the
// schema and cuts the files into splits.
func planCSV(pattern string, o csvOptions) (*csvNode, error) {
	files, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("bad pattern %q: %w", pattern, err)
	}
	slices.Sort(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("no file matches %q", pattern)
	}
	if o.blockSize <= 0 {
		o.blockSize = DefaultBlockSize
	}
	var names []string
	var kinds []string
	var dec []decided // where each kind was decided
	var headerFile string
	var total int64
	var splits []csvSplit
	for _, path := range files {
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		hdr, sample, err := csvSample(path, o.delim)
		if err != nil {
			return nil, err
		}
		if names == nil {
			names, headerFile = hdr, path
			kinds = make([]string, len(names))
			dec = make([]decided, len(names))
		} else if !slices.Equal(hdr, names) {
			return nil, fmt.Errorf("the header of %s (%s) differs from that of %s (%s)", path, quoteList(hdr), headerFile, quoteList(names))
		}
		if o.schema == nil {
			for i, col := range sample {
				if col.kind == "" {
					continue
				}
				k, ok := mergeKinds(kinds[i], col.kind)
				if !ok {
					d := dec[i]
					return nil, fmt.Errorf("column %q is %s in %s (line %d: %q) but %s in %s (line %d: %q); give the schema with dataframe.CSVSchema, or fix the files",
						names[i], kinds[i], d.path, d.line, d.value, col.kind, path, col.line, col.value)
				}
				if k != kinds[i] {
					kinds[i] = k
					dec[i] = decided{path: path, line: col.line, value: col.value}
				}
			}
		}
		total += st.Size()
		for start := int64(0); start < st.Size() || start == 0; start += o.blockSize {
			splits = append(splits, csvSplit{Path: path, Start: start, End: min(start+o.blockSize, st.Size()), Header: true, Delim: o.delim, BlockSize: o.blockSize})
			if st.Size() == 0 {
				break
			}
		}
	}
	fields := make([]arrow.Field, len(names))
	if o.schema != nil {
		if o.schema.NumFields() != len(names) {
			return nil, fmt.Errorf("the schema has %d columns (%s), the files %d (%s)", o.schema.NumFields(), quoteList(fieldNames(o.schema)), len(names), quoteList(names))
		}
		for i, f := range o.schema.Fields() {
			if f.Name != names[i] {
				return nil, fmt.Errorf("column %d is %q in the schema but %q in %s", i+1, f.Name, names[i], headerFile)
			}
			k, err := csvKindOf(f.Type)
			if err != nil {
				return nil, fmt.Errorf("column %q: %w", f.Name, err)
			}
			kinds[i] = k
		}
	}
	var from []string
	if o.schema == nil {
		from = make([]string, len(names))
		for i, d := range dec {
			from[i] = headerFile
			if d.path != "" {
				from[i] = fmt.Sprintf("%s (line %d: %q)", d.path, d.line, d.value)
			}
		}
	}
	for i := range names {
		if kinds[i] == "" {
			kinds[i] = kindString
		}
		fields[i] = arrow.Field{Name: names[i], Type: arrowTypeOfKind(kinds[i]), Nullable: true}
	}
	for i := range splits {
		splits[i].Names, splits[i].Kinds, splits[i].Inferred = names, kinds, from
	}
	return &csvNode{pattern: pattern, files: len(files), splits: splits,
		m: &meta{schema: arrow.NewSchema(fields, nil), nparts: len(splits), bytes: total}}, nil
}

// decided is the sampled value that decided a column's kind.
type decided struct {
	path  string
	line  int64
	value string
}

// sampleCol is what a file's sample says of one column: its kind, and the
// first value of that kind with its line.
type sampleCol struct {
	kind  string
	line  int64
	value string
}

// csvSample reads a file's header and infers its columns' kinds from the
// rows in its first csvSampleBytes.
func csvSample(path string, delim byte) ([]string, []sampleCol, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	buf := make([]byte, csvSampleBytes)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	buf = buf[:n]
	full := n < csvSampleBytes
	if !full {
		// Sample whole rows only.
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			buf = buf[:i+1]
		}
	}
	p := &csvRowParser{delim: delim}
	if len(buf) == 0 {
		return nil, nil, fmt.Errorf("read_csv: %s is empty; it needs at least a header line", path)
	}
	hdr, pos, _, err := p.row(buf, 0)
	if err != nil {
		return nil, nil, &CSVError{Path: path, Line: 1, Msg: err.Error()}
	}
	names := make([]string, len(hdr))
	for i, h := range hdr {
		names[i] = strings.TrimSpace(string(h))
		if names[i] == "" {
			names[i] = fmt.Sprintf("column%d", i)
		}
	}
	cols := make([]sampleCol, len(names))
	line := int64(2)
	for pos < len(buf) {
		fields, next, lines, err := p.row(buf, pos)
		if err != nil {
			if !full && next == 0 {
				break // a quoted field cut by the sample's end
			}
			return nil, nil, &CSVError{Path: path, Line: line, Msg: err.Error()}
		}
		pos = next
		if !(len(fields) == 1 && len(fields[0]) == 0) {
			if len(fields) != len(names) {
				return nil, nil, &CSVError{Path: path, Line: line, Msg: fmt.Sprintf("%d fields, but the header has %d (%s)", len(fields), len(names), quoteList(names))}
			}
			for i, v := range fields {
				if len(v) == 0 {
					continue
				}
				k := inferKind(v)
				m, _ := mergeKinds(cols[i].kind, k)
				if m != cols[i].kind {
					cols[i] = sampleCol{kind: m, line: line, value: string(v)}
				}
			}
		}
		line += lines
	}
	return names, cols, nil
}
