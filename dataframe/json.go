package dataframe

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/io"
)

var (
	fnReadJSON  = dusk.Register("dataframe.read-json", io.ReadJSONSplit)
	fnWriteJSON = dusk.Register("dataframe.write-json", io.WriteJSONTask)
)

// JSONOption configures ReadJSON.
type JSONOption func(*jsonOptions)

type jsonOptions struct {
	schema    *arrow.Schema
	blockSize int64
}

// JSONSchema gives the columns' names and types instead of inferring them:
// int64, float64, bool, string, date32 or timestamp[us] (without a zone,
// or UTC).
func JSONSchema(s *arrow.Schema) JSONOption { return func(o *jsonOptions) { o.schema = s } }

// JSONBlockSize sets the most bytes of a file one partition reads (default
// DefaultBlockSize): larger files are split, at line boundaries, into
// several partitions.
func JSONBlockSize(n int64) JSONOption { return func(o *jsonOptions) { o.blockSize = n } }

// ReadJSON reads the newline-delimited JSON files that match the glob
// pattern (in name order) as a DataFrame: each line one object, its keys
// the columns; one partition per block of each file (see JSONBlockSize).
// The columns and their types are inferred from the first 1000 lines of
// every file, in the order keys first appear: integers (int64), other
// numbers (float64), bools, strings of the forms ToJSON writes dates
// ("2006-01-02") and timestamps in (date32; timestamp[us] for
// "2006-01-02T15:04:05.999999", and in UTC for RFC 3339 with a zone),
// other strings, and nested objects or arrays as their JSON text; or the
// schema is given with JSONSchema. A key missing from a line is null
// there.
//
// Mistakes are errors of the DataFrame (see Err), found here: no file, a
// key with values of different types (naming both places), a line of the
// sample that is not a JSON object. A line read later that is not one, or
// that holds a value that does not fit its column (no value is converted
// with a loss) or a key that is not a column, is an error of the
// computation that names the file, the line and the key.
func ReadJSON(c *dusk.Client, pattern string, opts ...JSONOption) *DataFrame {
	o := jsonOptions{blockSize: setting(c, "dataframe.partition-size", DefaultBlockSize)}
	for _, f := range opts {
		f(&o)
	}
	df := &DataFrame{c: c}
	if o.blockSize <= 0 {
		return df.fail("ReadJSON", fmt.Errorf("block size %d; give a positive number of bytes", o.blockSize))
	}
	p, err := io.PlanJSON(pattern, o.schema, o.blockSize)
	if err != nil {
		return df.fail("ReadJSON", err)
	}
	df.n = &textNode[io.JSONSplit]{op: "ReadJSON", pattern: pattern, files: p.Files, names: p.Splits[0].Names, splits: p.Splits,
		fn: fnReadJSON, setRead: func(sp io.JSONSplit, read []int) io.JSONSplit { sp.Read = read; return sp },
		m: &meta{schema: p.Schema, nparts: len(p.Splits), bytes: p.Bytes}}
	return df
}

// ToJSON writes the DataFrame as a directory of newline-delimited JSON
// files, one per partition (part.0.json, ...): an object a line, every
// column a key, nulls as null, dates and timestamps as the strings
// ReadJSON reads back as such, categorical columns as their strings.
// Floats that JSON cannot hold (NaN, ±Inf) and columns of other types are
// errors naming the column. Like ToParquet, it writes to a temporary
// directory renamed at the end, and does not replace an existing dir
// unless Overwrite is given.
func (df *DataFrame) ToJSON(ctx context.Context, dir string, opts ...WriteOption) error {
	var o writeOptions
	for _, f := range opts {
		f(&o)
	}
	return df.write(ctx, "ToJSON", dir, o, fnWriteJSON, "json", nil)
}
