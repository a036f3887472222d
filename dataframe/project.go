package dataframe

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
)

var (
	fnPick    = dusk.Register("dataframe.pick-columns", pickColumns)
	fnSQLCols = dusk.Register("dataframe.sql-columns", sqlColumns)
	// fnPickNullable is a Select's or Drop's query done by picking the
	// columns (see picksAsQueryWould).
	fnPickNullable = dusk.Register("dataframe.pick-columns-nullable", pickColumnsNullable)
	// fnSQLColsMany is fnSQLCols over a run of partitions read as one.
	fnSQLColsMany = dusk.Register("dataframe.sql-columns-many", sqlColumnsMany)
)

// projectNode keeps some columns of partitions that are already in memory
// (a persisted DataFrame): the optimizer puts it where the steps above use
// fewer columns, so that DuckDB scans only those (it scans every column it
// is given; see package engine). Picking columns copies nothing.
type projectNode struct {
	child node
	cols  []string
	m     *meta
}

func (p *projectNode) meta() *meta      { return p.m }
func (p *projectNode) children() []node { return []node{p.child} }
func (p *projectNode) label() string {
	return fmt.Sprintf("columns [%s] (no copy)", strings.Join(p.cols, ", "))
}

func (p *projectNode) lower(lw *lowering) ([]part, error) {
	in, err := lw.parts(p.child)
	if err != nil {
		return nil, err
	}
	out := make([]part, len(in))
	for i, x := range in {
		out[i] = dusk.Call[arrow.RecordBatch](fnPick, x, p.cols)
	}
	return out, nil
}

// project returns a node of n's columns that need names, in n's order, or
// n itself when it needs them all.
func project(n node, need map[string]bool) node {
	s := n.meta().schema
	var cols []string
	var fields []arrow.Field
	for _, f := range s.Fields() {
		if need[f.Name] {
			cols = append(cols, f.Name)
			fields = append(fields, f)
		}
	}
	if len(cols) == 0 || len(cols) == s.NumFields() {
		return n
	}
	m := n.meta().clone()
	m.schema = arrow.NewSchema(fields, nil)
	m.cats = copyCats(m.cats, m.schema)
	if m.divs != nil && !need[m.divs.Column] {
		m.divs = nil
	}
	if m.bytes > 0 {
		m.bytes = m.bytes * int64(len(cols)) / int64(s.NumFields())
	}
	return &projectNode{child: n, cols: cols, m: m}
}

// pickColumns returns the named columns of rec (no copy).
func pickColumns(rec arrow.RecordBatch, cols []string) (arrow.RecordBatch, error) {
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		idx, err := columnIndex(rec.Schema(), c, "pick")
		if err != nil {
			return nil, err
		}
		fields[i] = rec.Schema().Field(idx)
		arrs[i] = rec.Column(idx)
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, rec.NumRows()), nil
}

// pickColumnsNullable returns the named columns of rec (no copy), every
// field nullable and without metadata, as a query's result has them.
func pickColumnsNullable(rec arrow.RecordBatch, cols []string) (arrow.RecordBatch, error) {
	p, err := pickColumns(rec, cols)
	if err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(cols))
	for i, f := range p.Schema().Fields() {
		fields[i] = arrow.Field{Name: f.Name, Type: f.Type, Nullable: true}
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), p.Columns(), p.NumRows()), nil
}

// picksAsQueryWould reports whether the step s only picks columns (a
// Select or a Drop: plainProjection) whose types DuckDB's query gives back
// as they are (its planned schema says so; categorical columns, which the
// query decodes and its task encodes again, excepted): picking them gives
// the rows and schema the query would.
func picksAsQueryWould(s *sqlNode) bool {
	if !plainProjection(s) || s.m.schema.NumFields() != len(s.uses) {
		return false
	}
	in := s.child.meta().schema
	for i, c := range s.uses {
		f := s.m.schema.Field(i)
		j := in.FieldIndices(c)
		if f.Name != c || len(j) != 1 || !f.Nullable || f.Type.ID() == arrow.DICTIONARY || !arrow.TypeEqual(in.Field(j[0]).Type, f.Type) {
			return false
		}
	}
	return true
}

// sqlColumns runs a query over some columns of a partition.
func sqlColumns(ctx context.Context, rec arrow.RecordBatch, cols []string, query string, cats map[string][]string) (arrow.RecordBatch, error) {
	p, err := pickColumns(rec, cols)
	if err != nil {
		return nil, err
	}
	return sqlPartition(ctx, p, query, cats)
}

// sqlColumnsMany runs a query over some columns of a run of partitions,
// read as one table in their order (no copy); no cols reads them all.
func sqlColumnsMany(ctx context.Context, recs []arrow.RecordBatch, cols []string, query string, cats map[string][]string) (arrow.RecordBatch, error) {
	if len(cols) == 0 {
		return sqlMany(ctx, recs, query, cats)
	}
	picked := make([]arrow.RecordBatch, len(recs))
	for i, r := range recs {
		p, err := pickColumns(r, cols)
		if err != nil {
			return nil, err
		}
		picked[i] = p
	}
	return sqlMany(ctx, picked, query, cats)
}
