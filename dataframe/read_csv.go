package dataframe

import (
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
	df.n = &textNode[io.CSVSplit]{op: "ReadCSV", pattern: pattern, files: p.Files, names: p.Splits[0].Names, splits: p.Splits,
		fn: fnReadCSV, setRead: func(sp io.CSVSplit, read []int) io.CSVSplit { sp.Read = read; return sp },
		m: &meta{schema: p.Schema, nparts: len(p.Splits), bytes: p.Bytes}}
	return df
}
