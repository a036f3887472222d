package kernels

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// BenchmarkAggPartial is the partial aggregate of a partition of 250,000
// rows as the bench's (id of 100,000 values, k of 100 strings, x and y).
func BenchmarkAggPartial(b *testing.B) {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "y", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(mem, s)
	defer rb.Release()
	for i := range 250000 {
		v := uint64(i) * 0x9E3779B97F4A7C15
		rb.Field(0).(*array.Int64Builder).Append(int64(v>>20) % 100000)
		rb.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("key%03d", (v>>40)%100))
		rb.Field(2).(*array.Float64Builder).Append(float64(v>>11) / (1 << 53))
		rb.Field(3).(*array.Float64Builder).Append(float64(v>>12) / (1 << 52))
	}
	rec := rb.NewRecordBatch()
	for _, c := range []struct {
		key  string
		aggs []AggSpec
	}{
		{"k", []AggSpec{{Fn: "sum", Col: "x", Name: "x_sum"}, {Fn: "mean", Col: "x", Name: "x_mean"}, {Fn: "max", Col: "y", Name: "y_max"}}},
		{"id", []AggSpec{{Fn: "sum", Col: "x", Name: "x_sum"}}},
	} {
		g := NewAggPlan([]string{c.key}, c.aggs, s, nil)
		b.Run(c.key, func(b *testing.B) {
			for b.Loop() {
				if _, err := AggPartial(rec, *g); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The pivot's partial: (id % 10, k) with k categorical, sum x.
	cats := make([]string, 100)
	for i := range cats {
		cats[i] = fmt.Sprintf("key%03d", i)
	}
	bs := arrow.NewSchema(append(s.Fields(), arrow.Field{Name: "b", Type: arrow.PrimitiveTypes.Int64, Nullable: true}), nil)
	fs := bs.Fields()
	fs[1].Type = CategoryType
	g := NewAggPlan([]string{"b", "k"}, []AggSpec{{Fn: "sum", Col: "x", Name: "x_sum"}}, arrow.NewSchema(fs, nil), map[string][]string{"k": cats})
	g.Pre = []Computed{{Name: "b", SQL: "id % 10", Expr: Arith{Op: "%", Args: []Arith{{Op: "col", Col: "id"}, {Op: "int", Int: 10}}}}}
	b.Run("id%10,k", func(b *testing.B) {
		for b.Loop() {
			if _, err := AggPartial(rec, *g); err != nil {
				b.Fatal(err)
			}
		}
	})
}
