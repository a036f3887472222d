//go:build duckdb_arrow

package engine

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// typesRecord returns n rows of a column of each type duckTypes spells,
// named after it.
func typesRecord(t *testing.T, n int) arrow.RecordBatch {
	t.Helper()
	types := []arrow.DataType{
		arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64,
		arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64,
		arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64, arrow.FixedWidthTypes.Boolean,
		arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.FixedWidthTypes.Date32,
	}
	fields := make([]arrow.Field, len(types))
	for i, tp := range types {
		if _, ok := duckTypes[tp.ID()]; !ok {
			t.Fatalf("%s is not in duckTypes", tp)
		}
		fields[i] = arrow.Field{Name: "c_" + tp.String(), Type: tp, Nullable: true}
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))
	defer b.Release()
	for range n {
		for i := range fields {
			b.Field(i).AppendNull()
		}
	}
	return b.NewRecordBatch()
}

// TestEmptyInputsGiveTheTypesOfRows: a query over inputs of no rows,
// which runs over empty relations of the columns' SQL types with no view
// registered (empty.go), gives the schema the same query gives over
// rows read from Arrow, for every type it spells, in projections,
// arithmetic, joins, aggregates and set operations.
func TestEmptyInputsGiveTheTypesOfRows(t *testing.T) {
	e, err := Open(Settings{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	empty, one := typesRecord(t, 0), typesRecord(t, 1)
	if _, ok := emptyInputs("SELECT 1", []Input{{Name: ViewIn, Rec: empty}}); !ok {
		t.Fatal("inputs of no rows are not given as empty relations")
	}
	if _, ok := emptyInputs("SELECT 1", []Input{{Name: ViewIn, Rec: one}}); ok {
		t.Fatal("an input with a row is given as an empty relation")
	}
	queries := []string{
		`SELECT * FROM part`,
		`SELECT "c_int8" + "c_int32" AS a, "c_uint64" * 2 AS b, "c_float32" / 3 AS c, upper("c_utf8") AS d, "c_large_utf8" || 'x' AS e, "c_date32" + 1 AS f, NOT "c_bool" AS g FROM part WHERE "c_int64" > 3`,
		`SELECT "c_utf8", sum("c_float64") AS s, count(*) AS n, max("c_date32") AS m, avg("c_int16") AS a FROM part GROUP BY "c_utf8"`,
		`SELECT l.*, r."c_uint8" AS u FROM part l JOIN part r USING ("c_int64")`,
		`SELECT "c_int32" FROM part UNION ALL SELECT "c_int64" FROM part`,
	}
	for _, q := range queries {
		full := WithCTE("part", ScanView(ViewIn), q)
		a, err := e.Query(ctx, full, Input{Name: ViewIn, Rec: empty})
		if err != nil {
			t.Fatalf("%s over no rows: %v", q, err)
		}
		b, err := e.Query(ctx, full, Input{Name: ViewIn, Rec: one})
		if err != nil {
			t.Fatalf("%s over a row: %v", q, err)
		}
		if a.NumRows() != 0 || !a.Schema().Equal(b.Schema()) {
			t.Fatalf("%s: over no rows %d rows of\n%s\nover a row\n%s", q, a.NumRows(), a.Schema(), b.Schema())
		}
	}
	// Two inputs of no rows (a join's sides), one of them as records.
	l, r := Input{Name: ViewLeft, Recs: []arrow.RecordBatch{empty, empty}}, Input{Name: ViewRight, Rec: empty}
	out, err := e.Query(ctx, `SELECT l."c_int64", r."c_utf8" FROM "__dusk_left" l JOIN "__dusk_right" r USING ("c_int64")`, l, r)
	if err != nil || out.NumRows() != 0 || out.NumCols() != 2 || out.Schema().Field(1).Type.ID() != arrow.STRING {
		t.Fatalf("a join of empty sides: %v, %v", out, err)
	}
	// A misspelt column is DuckDB's error, naming the query as written.
	if _, err := e.Query(ctx, WithCTE("part", ScanView(ViewIn), `SELECT nope FROM part`), Input{Name: ViewIn, Rec: empty}); err == nil {
		t.Fatal("a query over a column that is not there ran")
	}
}

// TestEmptyInputsPlannedOnce: a query over inputs of no rows that gives
// no rows is kept by the query with its inputs' columns spelt out, and
// asked again gives the same schema from there; one over other columns
// is another query, and one that gives a row (a count) is not kept.
func TestEmptyInputsPlannedOnce(t *testing.T) {
	e, err := Open(Settings{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	empty := typesRecord(t, 0)
	query := WithCTE("part", ScanView(ViewIn), `SELECT "c_int64" * 2 AS d, "c_utf8" FROM part WHERE "c_bool"`)
	in := Input{Name: ViewIn, Rec: empty}
	key, _ := emptyInputs(query, []Input{in})
	first, err := e.Query(ctx, query, in)
	if err != nil {
		t.Fatal(err)
	}
	kept := e.planned.get(key)
	if kept == nil || !kept.Equal(first.Schema()) {
		t.Fatalf("the schema of a query over no rows is not kept: %v", kept)
	}
	again, err := e.Query(ctx, query, in)
	if err != nil || again.NumRows() != 0 || !again.Schema().Equal(first.Schema()) {
		t.Fatalf("asked again: %v, %v; want %s", again, err, first.Schema())
	}
	// The same text over columns of other types is another query.
	other := Input{Name: ViewIn, Rec: testRecord(0)}
	if k, _ := emptyInputs(query, []Input{other}); k == key {
		t.Fatal("inputs of other columns make the same query")
	}
	count := WithCTE("part", ScanView(ViewIn), `SELECT count(*) AS n FROM part`)
	out, err := e.Query(ctx, count, in)
	if err != nil || out.NumRows() != 1 {
		t.Fatalf("count over no rows: %v, %v", out, err)
	}
	if k, _ := emptyInputs(count, []Input{in}); e.planned.get(k) != nil {
		t.Fatal("a query that gave a row over no rows is kept")
	}
	out, err = e.Query(ctx, count, in)
	if err != nil || out.NumRows() != 1 {
		t.Fatalf("count over no rows, again: %v, %v", out, err)
	}
}
