package dataframe

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
)

// DataFrame is a table split into partitions, each an Arrow record, that
// live on the cluster. Operations are lazy: they build a plan, checked as
// it is built (columns, expressions, types), that Compute, Persist or a
// writer optimizes and runs. A DataFrame is immutable and safe for
// concurrent use; a mistake in an operation is kept and returned by the
// first method that runs the plan (or by Err), with the file and line of
// the call that made it.
type DataFrame struct {
	c   *dusk.Client
	n   node
	err error
}

// Divisions are the boundaries of a DataFrame sorted on a column:
// partition i holds the rows whose column value v has Bounds[i] <= v <
// Bounds[i+1], the last partition also v == Bounds[n]. Bounds are int64,
// float64 or string values, one more than the partitions.
type Divisions struct {
	Column string
	Bounds []any
	// tied is set when neighbouring partitions may share a value (data
	// marked Sorted whose partitions meet on one): a value is then not in
	// one partition only, which aligned joins, placing one side by the
	// other's divisions and group-bys without a shuffle rely on.
	tied bool
}

// meta is what the plan knows of a DataFrame without running it.
type meta struct {
	schema *arrow.Schema
	nparts int
	// divs is set when the data is sorted on a column with known
	// boundaries (SetIndex, Sorted).
	divs *Divisions
	// hashed is set when rows are placed by a hash of these columns into
	// nparts partitions (a hash shuffle).
	hashed []string
	// bytes estimates the total size in memory; -1 when unknown.
	bytes int64
	// cats holds the categories of categorical (dictionary) columns.
	cats map[string][]string
}

func (m *meta) clone() *meta {
	c := *m
	return &c
}

// node is one step of a plan.
type node interface {
	meta() *meta
	children() []node
	// label describes the step for Explain.
	label() string
	// lower turns the step into one lazy value per output partition.
	lower(lw *lowering) ([]part, error)
}

// part is one partition in a graph: a *dusk.Delayed[arrow.RecordBatch] or
// a future of a persisted partition.
type part = any

func (df *DataFrame) derive(n node) *DataFrame { return &DataFrame{c: df.c, n: n} }

func (df *DataFrame) fail(op string, err error) *DataFrame {
	return &DataFrame{c: df.c, n: df.n, err: opError(op, err)}
}

// Err returns the first mistake made building the DataFrame, or nil.
func (df *DataFrame) Err() error { return df.err }

// Schema returns the schema every partition has.
func (df *DataFrame) Schema() *arrow.Schema {
	if df.n == nil {
		return arrow.NewSchema(nil, nil)
	}
	return df.n.meta().schema
}

// Columns returns the column names.
func (df *DataFrame) Columns() []string { return fieldNames(df.Schema()) }

// NPartitions returns the number of partitions.
func (df *DataFrame) NPartitions() int {
	if df.n == nil {
		return 0
	}
	return df.n.meta().nparts
}

// Divisions returns the boundaries of partitions sorted on a column, or
// nil when they are not known.
func (df *DataFrame) Divisions() *Divisions {
	if df.n == nil || df.n.meta().divs == nil {
		return nil
	}
	d := *df.n.meta().divs
	d.Bounds = append([]any(nil), d.Bounds...)
	return &d
}

// Categories returns the categories of a categorical column (see
// Categorize), or nil.
func (df *DataFrame) Categories(col string) []string {
	if df.n == nil {
		return nil
	}
	return append([]string(nil), df.n.meta().cats[col]...)
}

// String describes the DataFrame: its partitions and columns.
func (df *DataFrame) String() string {
	if df.err != nil {
		return "DataFrame(error: " + df.err.Error() + ")"
	}
	return fmt.Sprintf("DataFrame(%d partitions; %s)", df.NPartitions(), schemaString(df.Schema()))
}

func schemaString(s *arrow.Schema) string {
	out := ""
	for i, f := range s.Fields() {
		if i > 0 {
			out += ", "
		}
		out += f.Name + " " + typeName(f.Type)
	}
	return out
}

func typeName(t arrow.DataType) string {
	if d, ok := t.(*arrow.DictionaryType); ok {
		return "category(" + d.ValueType.String() + ")"
	}
	return t.String()
}

// copyCats returns a copy of the categories restricted to columns in s.
func copyCats(cats map[string][]string, s *arrow.Schema) map[string][]string {
	if len(cats) == 0 {
		return nil
	}
	out := map[string][]string{}
	for name, c := range cats {
		if idx := s.FieldIndices(name); len(idx) > 0 {
			if _, ok := s.Field(idx[0]).Type.(*arrow.DictionaryType); ok {
				out[name] = c
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// setting returns the byte size the client's configuration sets under
// key, or def without a client (or a configuration).
func setting(c *dusk.Client, key string, def int64) int64 {
	if c == nil || c.Config() == nil {
		return def
	}
	if n := c.Config().Bytes(key); n > 0 {
		return n
	}
	return def
}
