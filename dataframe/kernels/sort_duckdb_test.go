//go:build duckdb_arrow

package kernels_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// TestSortByColumnMatchesDuckDB sorts columns of every type the Go sort
// takes, with nulls, negatives, extremes, NaN and infinities, both ways,
// and compares the order of the values with DuckDB's ORDER BY; rows with
// equal values keep their order.
func TestSortByColumnMatchesDuckDB(t *testing.T) {
	ctx := context.Background()
	e, err := engine.For(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := arrow.NewSchema([]arrow.Field{
		{Name: "row", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	defer b.Release()
	ints := []int64{math.MinInt64, math.MaxInt64, 0, -1, 1, 1 << 40, -(1 << 40), 12345, -12345}
	floats := []float64{math.Inf(1), math.Inf(-1), math.NaN(), 0, -2.5, 2.5, 1e300, -1e-300, 7}
	const rows = 5000
	for i := range rows {
		v := (i * 7919) % 1000
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if v%17 == 0 {
			for c := 1; c < len(s.Fields()); c++ {
				b.Field(c).AppendNull()
			}
			continue
		}
		iv := int64(v) - 500
		if v%10 == 0 {
			iv = ints[v%len(ints)]
		}
		fv := float64(v)/8 - 60
		if v%10 == 0 {
			fv = floats[v%len(floats)]
		}
		b.Field(1).(*array.Int64Builder).Append(iv)
		b.Field(2).(*array.Float64Builder).Append(fv)
		b.Field(3).(*array.Int32Builder).Append(int32(iv % (1 << 30)))
		b.Field(4).(*array.Float32Builder).Append(float32(fv))
		b.Field(5).(*array.Date32Builder).Append(arrow.Date32(v - 300))
		b.Field(6).(*array.TimestampBuilder).Append(arrow.Timestamp(iv / 2))
		b.Field(7).(*array.StringBuilder).Append(fmt.Sprint(v))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	for _, col := range []string{"i64", "f64", "i32", "f32", "d", "ts"} {
		for _, desc := range []bool{false, true} {
			got, err := kernels.SortByColumn(rec, col, desc)
			if err != nil {
				t.Fatal(err)
			}
			dir := ""
			if desc {
				dir = " DESC"
			}
			want, err := e.Query(ctx, engine.WithCTE("part", engine.ScanView(engine.ViewIn), fmt.Sprintf("SELECT %s FROM part ORDER BY %s%s", col, col, dir)), engine.Input{Name: engine.ViewIn, Rec: rec})
			if err != nil {
				t.Fatal(err)
			}
			ci := rec.Schema().FieldIndices(col)[0]
			g, w := got.Column(ci), want.Column(0)
			for i := range rows {
				if gs, ws := g.ValueStr(i), w.ValueStr(i); noNegZero(gs) != noNegZero(ws) {
					t.Fatalf("%s%s: row %d is %s, DuckDB's %s", col, dir, i, gs, ws)
				}
				if i > 0 && g.ValueStr(i) == g.ValueStr(i-1) {
					r := got.Column(0).(*array.Int64)
					if r.Value(i) < r.Value(i-1) {
						t.Fatalf("%s%s: equal values at rows %d and %d changed their order", col, dir, i-1, i)
					}
				}
			}
			// The other columns moved with their rows.
			for i := range rows {
				r := got.Column(0).(*array.Int64).Value(i)
				if got.Column(7).ValueStr(i) != rec.Column(7).ValueStr(int(r)) {
					t.Fatalf("%s%s: row %d's string is not the one of its row", col, dir, i)
				}
			}
		}
	}
	if _, err := kernels.SortByColumn(rec, "s", false); err == nil || !strings.Contains(err.Error(), "cannot sort") {
		t.Fatalf("sorting strings in Go gives %v", err)
	}
}

// noNegZero reads -0 as 0: they are equal, and DuckDB leaves the order of
// equal values undefined.
func noNegZero(s string) string {
	if s == "-0" {
		return "0"
	}
	return s
}
