package dataframe

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

var fnCategorize = dusk.Register("dataframe.categorize", kernels.RestoreCategories)

// Categorize turns string columns into categorical ones: Arrow dictionary
// columns whose categories (the sorted distinct values) are the same in
// every partition, found by a first pass over the data. Categorical
// columns take less memory, group and join faster, and stay dictionaries in
// the Parquet files ToParquet writes (with their categories).
func (df *DataFrame) Categorize(ctx context.Context, cols ...string) (*DataFrame, error) {
	if df.err != nil {
		return nil, df.err
	}
	s := df.Schema()
	if len(cols) == 0 {
		for _, f := range s.Fields() {
			if f.Type.ID() == arrow.STRING {
				cols = append(cols, f.Name)
			}
		}
		if len(cols) == 0 {
			return nil, opError("Categorize", errors.New("no string columns to categorize"))
		}
	}
	lists := make([]string, len(cols))
	for i, c := range cols {
		idx, err := columnIndex(s, c, "Categorize")
		if err != nil {
			return nil, opError("Categorize", err)
		}
		t := s.Field(idx).Type
		if t.ID() != arrow.STRING && !arrow.TypeEqual(t, kernels.CategoryType) {
			return nil, opError("Categorize", fmt.Errorf("column %q is %s; only string columns become categorical", c, t))
		}
		q := engine.QuoteIdent(c)
		lists[i] = fmt.Sprintf("list(DISTINCT %s::VARCHAR) FILTER (WHERE %s IS NOT NULL) AS %s", q, q, q)
	}
	query := engine.WithCTE("part", engine.ScanView(engine.ViewIn), "SELECT "+strings.Join(lists, ", ")+" FROM part")
	recs, err := df.collectPerPartition(ctx, query)
	if err != nil {
		return nil, opError("Categorize", err)
	}
	cats := map[string][]string{}
	maps.Copy(cats, df.n.meta().cats)
	for i, c := range cols {
		seen := map[string]bool{}
		for _, r := range recs {
			l, ok := r.Column(i).(*array.List)
			if !ok || l.IsNull(0) {
				continue
			}
			vals := l.ListValues().(*array.String)
			lo, hi := l.ValueOffsets(0)
			for j := lo; j < hi; j++ {
				seen[vals.Value(int(j))] = true
			}
		}
		cats[c] = slices.Sorted(maps.Keys(seen))
	}
	fields := s.Fields()
	for i, f := range fields {
		if _, ok := cats[f.Name]; ok {
			fields[i].Type = kernels.CategoryType
		}
	}
	m := df.n.meta().clone()
	m.schema = arrow.NewSchema(fields, nil)
	m.cats = cats
	return df.derive(&categorizeNode{child: df.n, cols: cols, m: m}), nil
}

// categorizeNode encodes columns with their categories.
type categorizeNode struct {
	child node
	cols  []string
	m     *meta
}

func (n *categorizeNode) meta() *meta      { return n.m }
func (n *categorizeNode) children() []node { return []node{n.child} }
func (n *categorizeNode) label() string {
	parts := make([]string, len(n.cols))
	for i, c := range n.cols {
		parts[i] = fmt.Sprintf("%s (%d categories)", c, len(n.m.cats[c]))
	}
	return fmt.Sprintf("Categorize %s partitions=%d", strings.Join(parts, ", "), n.m.nparts)
}

// over returns the step over a rewritten input (fewer columns, or fewer
// partitions): the categorical columns it still has keep their categories.
func (n *categorizeNode) over(child node) *categorizeNode {
	in := child.meta()
	fields := in.schema.Fields()
	for i, f := range fields {
		if _, ok := n.m.cats[f.Name]; ok {
			fields[i].Type = kernels.CategoryType
		}
	}
	m := in.clone()
	m.schema = arrow.NewSchema(fields, nil)
	m.cats = copyCats(n.m.cats, m.schema)
	var cols []string
	for _, c := range n.cols {
		if _, ok := m.cats[c]; ok {
			cols = append(cols, c)
		}
	}
	return &categorizeNode{child: child, cols: cols, m: m}
}

func (n *categorizeNode) lower(lw *lowering) ([]part, error) {
	in, err := lw.parts(n.child)
	if err != nil {
		return nil, err
	}
	out := make([]part, len(in))
	for i, p := range in {
		out[i] = dusk.Call[arrow.RecordBatch](fnCategorize, p, n.m.cats)
	}
	return out, nil
}
