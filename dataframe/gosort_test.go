//go:build duckdb_arrow

package dataframe

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// TestSortByColumnMatchesDuckDB sorts columns of every type the Go sort
// takes, with nulls, negatives, extremes, NaN and infinities, both ways,
// and compares the order of the values with DuckDB's ORDER BY; rows with
// equal values keep their order.
func TestSortByColumnMatchesDuckDB(t *testing.T) {
	ctx := context.Background()
	e, err := engineFor(ctx)
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
	b := array.NewRecordBuilder(mem, s)
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
			got, err := sortByColumn(rec, col, desc)
			if err != nil {
				t.Fatal(err)
			}
			dir := ""
			if desc {
				dir = " DESC"
			}
			want, err := e.Query(ctx, withCTE("part", scanView(viewIn), fmt.Sprintf("SELECT %s FROM part ORDER BY %s%s", col, col, dir)), Input{Name: viewIn, Rec: rec})
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
	if _, err := sortByColumn(rec, "s", false); err == nil || !strings.Contains(err.Error(), "cannot sort") {
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

// BenchmarkSortByColumn sorts one output partition of the dataframe
// benchmark's SetIndex (250,000 rows whose ids span a 80th of [0, 100000)).
func BenchmarkSortByColumn(b *testing.B) {
	rec := benchJoinSide(250_000, 5, "x")
	ids := rec.Column(0).(*array.Int64).Int64Values()
	for i := range ids {
		ids[i] = 50_000 + ids[i]%1250
	}
	b.ResetTimer()
	for b.Loop() {
		out, err := sortByColumn(rec, "id", false)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}

// TestRadixOrderIsAStableSort compares radixOrder with a stable sort, on
// keys of narrow and wide ranges, far from zero and with repeats.
func TestRadixOrderIsAStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	for _, span := range []uint64{0, 1, 7, 2047, 2048, 1 << 20, 1 << 40, math.MaxUint64} {
		for _, base := range []uint64{0, 1 << 63, math.MaxUint64 - span} {
			n := 1 + r.IntN(3000)
			keys := make([]uint64, n)
			for i := range keys {
				keys[i] = base + r.Uint64N(span/2+1)*2 // repeats when the span is narrow
				if span == math.MaxUint64 {
					keys[i] = r.Uint64()
				}
			}
			got := radixOrder(keys)
			want := make([]int64, n)
			for i := range want {
				want[i] = int64(i)
			}
			slices.SortStableFunc(want, func(a, b int64) int { return cmp.Compare(keys[a], keys[b]) })
			if !slices.Equal(got, want) {
				t.Fatalf("span %d from %d: radix order differs from a stable sort", span, base)
			}
		}
	}
}
