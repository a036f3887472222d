package dataframe

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/io"
)

var fnReadCSV = dusk.Register("dataframe.read-csv", io.ReadCSVSplit)

// DefaultBlockSize is the most bytes of a CSV file one partition reads
// (Dask's default).
const DefaultBlockSize = 64 << 20

// CSVOption configures ReadCSV.
type CSVOption func(*csvOptions)

type csvOptions = io.CSVOptions

// BlockSize sets the most bytes of a file one partition reads: larger
// files are split (at row boundaries) into several partitions.
func BlockSize(n int64) CSVOption { return func(o *csvOptions) { o.BlockSize = n } }

// CSVSchema gives the columns' names and types instead of inferring them.
// The header of every file must name the same columns.
func CSVSchema(s *arrow.Schema) CSVOption { return func(o *csvOptions) { o.Schema = s } }

// Delimiter sets the field separator (default ',').
func Delimiter(d byte) CSVOption { return func(o *csvOptions) { o.Delim = d } }

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
	def := setting(c, "dataframe.partition-size", DefaultBlockSize)
	o := csvOptions{BlockSize: def, Delim: ','}
	for _, f := range opts {
		f(&o)
	}
	if o.BlockSize <= 0 {
		o.BlockSize = def
	}
	df := &DataFrame{c: c}
	p, err := io.PlanCSV(pattern, o)
	if err != nil {
		return df.fail("ReadCSV", err)
	}
	df.n = &csvNode{pattern: pattern, files: p.Files, splits: p.Splits,
		m: &meta{schema: p.Schema, nparts: len(p.Splits), bytes: p.Bytes}}
	return df
}

// csvNode reads CSV splits.
type csvNode struct {
	pattern string
	files   int
	splits  []io.CSVSplit
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
	read, m := readColumns(n.splits[0].Names, n.m, need)
	if read == nil {
		return n
	}
	c := &csvNode{pattern: n.pattern, files: n.files, splits: make([]io.CSVSplit, len(n.splits)), m: m}
	for i, sp := range n.splits {
		sp.Read = read
		c.splits[i] = sp
	}
	return c
}

// readColumns returns, for a text reader whose files hold the columns
// names (m's schema, in that order), the indexes of the columns need asks
// for and the reader's meta when it reads only those; nil when it should
// read them all (none or every one asked for).
func readColumns(names []string, m *meta, need map[string]bool) ([]int, *meta) {
	var read []int
	var fields []arrow.Field
	for i, name := range names {
		if need[name] {
			read = append(read, i)
			fields = append(fields, m.schema.Field(m.schema.FieldIndices(name)[0]))
		}
	}
	if len(read) == 0 || len(read) == len(names) {
		return nil, nil
	}
	c := m.clone()
	c.schema = arrow.NewSchema(fields, nil)
	c.bytes = m.bytes * int64(len(read)) / int64(len(names))
	return read, c
}
