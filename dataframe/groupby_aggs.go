package dataframe

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
)

// The aggregations beyond Sum, Mean, Min, Max, Count, Std and NUnique.
// Each is a chunk, a combine and a final SQL expression of the tree
// reduction of Agg (see reduction), and runs in DuckDB: the Go kernels do
// only the older ones.

// First is a column's first non-null value in the frame's order (as
// pandas' first): the partitions in order, and within a partition its rows
// in order (the order Compute returns them in). After a step that moves
// rows between partitions (a shuffle: SetIndex, SortValues, a hash Merge,
// SplitOut) the order is the one that step leaves.
func First(col string) Aggregation { return Aggregation{fn: "first", col: col} }

// Last is a column's last non-null value in the frame's order (see First).
func Last(col string) Aggregation { return Aggregation{fn: "last", col: col} }

// Median is the exact median of a column's non-null values (the mean of
// the two middle ones for an even count, a float64). Exact needs all of a
// group's values in one place: every partial carries the group's values,
// so the task that finishes a group holds all of them (the single final
// task of the tree, or with SplitOut the output the keys hash to).
func Median(col string) Aggregation { return Aggregation{fn: "median", col: col} }

// Var is the sample variance of a column's non-null values (ddof 1, as
// pandas; null for fewer than two values). Partials are counts, means and
// sums of squared deviations from the mean, combined with Chan's formula:
// no large sums of squares are subtracted.
func Var(col string) Aggregation { return Aggregation{fn: "var", col: col} }

// Prod multiplies a column's non-null values (null when there is none, as
// Sum). An integer column's product is an int64, exact: one that overflows
// is an error, not a rounded value. A float column's is a float64.
func Prod(col string) Aggregation { return Aggregation{fn: "prod", col: col} }

// Size counts the rows of each group, nulls included (Count(col) counts a
// column's non-null values). Its result column is named "size".
func Size() Aggregation { return Aggregation{fn: "size"} }

// posColumn is the column that holds a row's place in the frame for the
// partial steps of First and Last: the partition's index times 2^40 plus
// the row's index in the partition.
const posColumn = "__dusk_pos"

// posShift places the partition's index above the row's.
const posShift = 40

// fnSQLPositioned runs a query over a partition with its rows' places in
// the frame (posColumn).
var fnSQLPositioned = dusk.Register("dataframe.sql-positioned", sqlPositioned)

func sqlPositioned(ctx context.Context, rec arrow.RecordBatch, index int64, query string, cats map[string][]string) (arrow.RecordBatch, error) {
	withPos, err := addPositions(rec, index)
	if err != nil {
		return nil, err
	}
	return sqlPartition(ctx, withPos, query, cats)
}

// addPositions returns rec with posColumn appended: partition index's
// rows numbered in order.
func addPositions(rec arrow.RecordBatch, index int64) (arrow.RecordBatch, error) {
	n := rec.NumRows()
	if n >= 1<<posShift {
		return nil, fmt.Errorf("dataframe: a partition of %d rows is too large to number its rows (at most 2^%d)", n, posShift)
	}
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.Reserve(int(n))
	for r := range n {
		b.UnsafeAppend(index<<posShift | r)
	}
	pos := b.NewArray()
	defer pos.Release()
	fields := append(rec.Schema().Fields(), arrow.Field{Name: posColumn, Type: arrow.PrimitiveTypes.Int64, Nullable: true})
	cols := append(append([]arrow.Array(nil), rec.Columns()...), pos)
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, n), nil
}

// notReserved refuses an input with a column of the name dusk gives its
// rows' places.
func notReserved(s *arrow.Schema) error {
	if len(s.FieldIndices(posColumn)) > 0 {
		return fmt.Errorf("the input has a column %q: dusk numbers rows under that name here; rename it with Assign and Select first", posColumn)
	}
	return nil
}

// withPositions returns m's schema with posColumn appended.
func withPositions(m *meta) *meta {
	c := m.clone()
	c.schema = arrow.NewSchema(append(m.schema.Fields(), arrow.Field{Name: posColumn, Type: arrow.PrimitiveTypes.Int64, Nullable: true}), nil)
	return c
}

// aggSQL is one aggregation's parts in the reduction's queries.
type aggSQL struct {
	chunk, combine, final []string
	// ordered asks for the rows' places in the frame (posColumn) in the
	// chunk step.
	ordered bool
}

// moreAggSQL returns the SQL of the aggregations of this file: a of the
// column col (quoted) of type t, its partial columns named from p, its
// result named out (quoted).
func moreAggSQL(a Aggregation, t arrow.DataType, col, p, out string) (aggSQL, error) {
	isInt := arrow.IsInteger(t.ID())
	isNum := isInt || arrow.IsFloating(t.ID())
	needNum := func() error {
		if !isNum {
			return fmt.Errorf("%s of column %q: the column is %s; %s needs an integer or floating-point column (cast it with Assign first)", a.fn, a.col, typeName(t), a.fn)
		}
		return nil
	}
	var s aggSQL
	switch a.fn {
	case "size":
		s.chunk = []string{fmt.Sprintf("count(*) AS %s", p)}
		s.combine = []string{fmt.Sprintf("sum(%s)::BIGINT AS %s", p, p)}
		s.final = []string{fmt.Sprintf("%s AS %s", p, out)}
	case "first", "last":
		argFn, posFn := "arg_min", "min"
		if a.fn == "last" {
			argFn, posFn = "arg_max", "max"
		}
		pos := engine.QuoteIdent(posColumn)
		s.ordered = true
		s.chunk = []string{fmt.Sprintf("%s(%s, %s) FILTER (WHERE %s IS NOT NULL) AS %s, %s(%s) FILTER (WHERE %s IS NOT NULL) AS %s_o",
			argFn, col, pos, col, p, posFn, pos, col, p)}
		s.combine = []string{fmt.Sprintf("%s(%s, %s_o) AS %s, %s(%s_o) AS %s_o", argFn, p, p, p, posFn, p, p)}
		s.final = []string{fmt.Sprintf("%s AS %s", p, out)}
	case "median":
		if err := needNum(); err != nil {
			return s, err
		}
		s.chunk = []string{fmt.Sprintf("list(%s) FILTER (WHERE %s IS NOT NULL) AS %s", col, col, p)}
		s.combine = []string{fmt.Sprintf("flatten(list(%s) FILTER (WHERE %s IS NOT NULL)) AS %s", p, p, p)}
		s.final = []string{fmt.Sprintf("list_aggregate(%s, 'median')::DOUBLE AS %s", p, out)}
	case "var", "std":
		if err := needNum(); err != nil {
			return s, err
		}
		// Per partial: n, mean m and M2 = sum((x - m)^2) (var_pop * n,
		// computed stably by DuckDB). Partials are joined pairwise by
		// Chan's formula: n = na + nb, d = mb - ma, m = ma + d nb / n,
		// M2 = M2a + M2b + d^2 na nb / n.
		x := col + "::DOUBLE"
		s.chunk = []string{fmt.Sprintf("count(%s) AS %s_n, avg(%s) AS %s_m, coalesce(var_pop(%s) * count(%s), 0) AS %s_q", col, p, x, p, x, col, p)}
		join := fmt.Sprintf("list_reduce(list({'n': %s_n, 'm': %s_m, 'q': %s_q}) FILTER (WHERE %s_n > 0), "+
			"lambda __dusk_a, __dusk_b: {'n': __dusk_a.n + __dusk_b.n, "+
			"'m': __dusk_a.m + (__dusk_b.m - __dusk_a.m) * __dusk_b.n / (__dusk_a.n + __dusk_b.n), "+
			"'q': __dusk_a.q + __dusk_b.q + (__dusk_b.m - __dusk_a.m) * (__dusk_b.m - __dusk_a.m) * (__dusk_a.n::DOUBLE * __dusk_b.n / (__dusk_a.n + __dusk_b.n))})", p, p, p, p)
		s.combine = []string{fmt.Sprintf("sum(%s_n)::BIGINT AS %s_n, struct_extract(%s, 'm') AS %s_m, coalesce(struct_extract(%s, 'q'), 0) AS %s_q", p, p, join, p, join, p)}
		v := fmt.Sprintf("greatest(%s_q, 0) / (%s_n - 1)", p, p)
		if a.fn == "std" {
			v = "sqrt(" + v + ")"
		}
		s.final = []string{fmt.Sprintf("CASE WHEN %s_n < 2 THEN NULL ELSE %s END AS %s", p, v, out)}
	case "prod":
		if err := needNum(); err != nil {
			return s, err
		}
		if isInt {
			// Exact, in int64: DuckDB's product() is a double. An
			// overflow is DuckDB's error.
			s.chunk = []string{fmt.Sprintf("list_reduce(list(%s::BIGINT) FILTER (WHERE %s IS NOT NULL), lambda __dusk_a, __dusk_b: __dusk_a * __dusk_b) AS %s", col, col, p)}
			s.combine = []string{fmt.Sprintf("list_reduce(list(%s) FILTER (WHERE %s IS NOT NULL), lambda __dusk_a, __dusk_b: __dusk_a * __dusk_b) AS %s", p, p, p)}
		} else {
			s.chunk = []string{fmt.Sprintf("product(%s::DOUBLE) AS %s", col, p)}
			s.combine = []string{fmt.Sprintf("product(%s) AS %s", p, p)}
		}
		s.final = []string{fmt.Sprintf("%s AS %s", p, out)}
	default:
		return s, fmt.Errorf("unknown aggregation %q", a.fn)
	}
	return s, nil
}

// checkAggName refuses a result name that is empty or that the
// reduction uses for itself.
func checkAggName(a Aggregation) error {
	if a.named && a.name == "" {
		return fmt.Errorf("%s(%s).As(\"\"): a result column needs a name", a.fn, a.col)
	}
	if name := a.outName(); strings.HasPrefix(name, "__dusk") {
		return fmt.Errorf("result column %q: names starting with __dusk are dusk's own; choose another with As", name)
	}
	if a.fn != "size" && a.col == "" {
		return errors.New("an aggregation of no column; name the column, as in Sum(\"x\")")
	}
	return nil
}

// orderedPartials returns the partial aggregates of a reduction whose
// chunk reads the rows' places in the frame: each partition's partial in
// a task of its own that numbers the partition's rows.
func (n *reduceNode) orderedPartials(lw *lowering) ([]part, error) {
	in, err := lw.parts(n.child)
	if err != nil {
		return nil, err
	}
	chunk := engine.WithCTE("part", engine.ScanView(engine.ViewIn), n.r.chunk)
	out := make([]part, len(in))
	for i, p := range in {
		out[i] = dusk.Call[arrow.RecordBatch](fnSQLPositioned, p, int64(i), chunk, n.midCats)
	}
	return out, nil
}
