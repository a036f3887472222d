//go:build duckdb_arrow

package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func testRecord(n int) arrow.RecordBatch {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	defer b.Release()
	for i := range n {
		b.Field(0).(*array.Int64Builder).Append(int64(i % 10))
		b.Field(1).(*array.StringBuilder).Append([]string{"a", "b", "c"}[i%3])
		b.Field(2).(*array.Float64Builder).Append(float64(i))
	}
	return b.NewRecordBatch()
}

func TestEngineReadsArrowCorrectly(t *testing.T) {
	e, err := Open(Settings{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	rec := testRecord(300000)
	q := func(query string) arrow.RecordBatch {
		t.Helper()
		out, err := e.Query(ctx, WithCTE("part", ScanView(ViewIn), query), Input{Name: ViewIn, Rec: rec})
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return out
	}
	// The same record many times (its buffers must survive each query),
	// a subset of columns (projection pushdown would read wrong columns),
	// a filter (filter pushdown would drop it), and a self-join (the
	// stream can be read once).
	for range 3 {
		out := q("SELECT max(x) AS m, count(*) FILTER (WHERE x >= 299990) AS n FROM part")
		if m := out.Column(0).(*array.Float64).Value(0); m != 299999 {
			t.Fatalf("max(x) = %v", m)
		}
		if n := out.Column(1).(*array.Int64).Value(0); n != 10 {
			t.Fatalf("filtered count = %v", n)
		}
	}
	out := q("SELECT count(*) FROM part WHERE x < 3")
	if n := out.Column(0).(*array.Int64).Value(0); n != 3 {
		t.Fatalf("WHERE x < 3 counted %d", n)
	}
	out = q("SELECT count(*) FROM part a JOIN (SELECT * FROM part WHERE x < 10) b USING (id)")
	if n := out.Column(0).(*array.Int64).Value(0); n != 300000 {
		t.Fatalf("self-join counted %d, want 300000", n)
	}
	// A window aggregate over groups without ORDER BY (DuckDB's
	// window_self_join would read the stream twice and return no rows).
	out = q("SELECT k, sum(x) OVER (PARTITION BY k) AS s FROM part")
	if out.NumRows() != 300000 {
		t.Fatalf("window over PARTITION BY k returned %d rows, want 300000", out.NumRows())
	}
	out = q("SELECT k, count(*) AS n FROM part GROUP BY k ORDER BY k")
	if out.NumRows() != 3 || out.Column(0).(*array.String).Value(2) != "c" {
		t.Fatalf("group by k = %v", out)
	}
}

func TestEngineConcurrentQueries(t *testing.T) {
	e, err := Open(Settings{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	recs := []arrow.RecordBatch{testRecord(1000), testRecord(2000), testRecord(3000), testRecord(4000)}
	errs := make(chan error, 40)
	for i := range 40 {
		go func() {
			rec := recs[i%4]
			out, err := e.Query(ctx, WithCTE("part", ScanView(ViewIn), "SELECT count(*) FROM part"), Input{Name: ViewIn, Rec: rec})
			if err == nil && out.Column(0).(*array.Int64).Value(0) != rec.NumRows() {
				err = fmt.Errorf("counted %d of %d", out.Column(0).(*array.Int64).Value(0), rec.NumRows())
			}
			errs <- err
		}()
	}
	for range 40 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
