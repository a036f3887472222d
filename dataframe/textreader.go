package dataframe

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
)

// textNode reads the splits of a text format (CSV, newline-delimited
// JSON), one task a split, of every column or, once the optimizer has
// chosen, of only the columns the plan uses (withColumns).
type textNode[S any] struct {
	op      string // "ReadCSV", "ReadJSON": for Explain
	pattern string
	files   int
	names   []string // the files' columns, in order
	splits  []S      // as planned, each reading every column
	read    []int    // the indexes in names of the columns read; nil: all
	fn      *dusk.Func
	setRead func(S, []int) S // the split reading only those columns
	m       *meta
}

func (n *textNode[S]) meta() *meta      { return n.m }
func (n *textNode[S]) children() []node { return nil }
func (n *textNode[S]) label() string {
	cols := "all"
	if n.read != nil {
		cols = strings.Join(fieldNames(n.m.schema), ", ")
	}
	return fmt.Sprintf("%s %s files=%d partitions=%d columns=[%s]", n.op, n.pattern, n.files, n.m.nparts, cols)
}

// fingerprint says what the step reads, for ComputeAll's sharing.
func (n *textNode[S]) fingerprint() string {
	return fmt.Sprintf("%s %q %v %v", n.op, n.pattern, n.read, n.splits)
}

func (n *textNode[S]) lower(*lowering) ([]part, error) {
	out := make([]part, len(n.splits))
	for i, sp := range n.splits {
		if n.read != nil {
			sp = n.setRead(sp, n.read)
		}
		out[i] = dusk.Call[arrow.RecordBatch](n.fn, sp)
	}
	return out, nil
}

// withColumns returns the node reading only the named columns: the
// others' values are skipped, not parsed. It is n itself when none or
// every one is asked for.
func (n *textNode[S]) withColumns(need map[string]bool) node {
	var read []int
	var fields []arrow.Field
	for i, name := range n.names {
		if need[name] {
			read = append(read, i)
			fields = append(fields, n.m.schema.Field(n.m.schema.FieldIndices(name)[0]))
		}
	}
	if n.read != nil || len(read) == 0 || len(read) == len(n.names) {
		return n
	}
	c := *n
	c.read = read
	c.m = n.m.clone()
	c.m.schema = arrow.NewSchema(fields, nil)
	c.m.bytes = n.m.bytes * int64(len(read)) / int64(len(n.names))
	return &c
}
