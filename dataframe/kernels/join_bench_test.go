package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// benchJoinSide returns rows like one partition of a hash shuffle of the
// dataframe benchmark's data on (id, k): a 40th of its 100,000 ids x 100
// short strings, and a float64.
func benchJoinSide(rows int, seed uint64, val string) arrow.RecordBatch {
	return benchJoinSideOf(rows, 2_500, seed, val)
}

// benchJoinSideOf is benchJoinSide with ids in [0, ids).
func benchJoinSideOf(rows int, ids int64, seed uint64, val string) arrow.RecordBatch {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: val, Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(mem, s)
	defer rb.Release()
	r := rand.New(rand.NewPCG(seed, 3))
	for range rows {
		rb.Field(0).(*array.Int64Builder).Append(r.Int64N(ids))
		rb.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("key%03d", r.IntN(100)))
		rb.Field(2).(*array.Float64Builder).Append(r.Float64())
	}
	return rb.NewRecordBatch()
}

// BenchmarkJoinInner joins one partition pair of the dataframe
// benchmark's hash merge (10M x 2M rows in 40 partitions) on (id, k).
func BenchmarkJoinInner(b *testing.B) {
	benchJoinInner(b, benchJoinSide(250_000, 1, "x"), benchJoinSide(50_000, 2, "y"))
}

// BenchmarkJoinInnerLarge joins a partition pair 4 times larger (a 10th
// of the ids): the hash merge's with a Parquet file (4 row groups) a
// partition.
func BenchmarkJoinInnerLarge(b *testing.B) {
	benchJoinInner(b, benchJoinSideOf(1_000_000, 10_000, 1, "x"), benchJoinSideOf(200_000, 10_000, 2, "y"))
}

// benchJoinInner times JoinInner of l (id, k, x) and r (id, k, y) on (id, k).
func benchJoinInner(b *testing.B, l, r arrow.RecordBatch) {
	p := JoinPlan{On: []string{"id", "k"}, Left: []string{"x"}, Right: []string{"y"}, Names: []string{"id", "k", "x", "y"}}
	b.ResetTimer()
	for b.Loop() {
		out, err := JoinInner(l, r, p)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}

// BenchmarkJoinBuildProbeDim joins the merge with dim's scan of one file
// (100,000 rows of id in [0, 100000) and x, in DuckDB's 2,048-row
// batches) with the filtered dimension (10,000 distinct ids, w) the way a
// Parquet scan task does (see JoinBuild): the dense table made once, each
// batch probed.
func BenchmarkJoinBuildProbeDim(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 3))
	ds := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "w", Type: arrow.PrimitiveTypes.Float64}}, nil)
	db := array.NewRecordBuilder(mem, ds)
	for _, id := range r.Perm(100_000)[:10_000] {
		db.Field(0).(*array.Int64Builder).Append(int64(id))
		db.Field(1).(*array.Float64Builder).Append(r.Float64())
	}
	dim := db.NewRecordBatch()
	fs := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil)
	fb := array.NewRecordBuilder(mem, fs)
	for range 100_000 {
		fb.Field(0).(*array.Int64Builder).Append(r.Int64N(100_000))
		fb.Field(1).(*array.Float64Builder).Append(r.Float64())
	}
	facts := fb.NewRecordBatch()
	var batches []arrow.RecordBatch
	for lo := int64(0); lo < facts.NumRows(); lo += 2048 {
		batches = append(batches, facts.NewSlice(lo, min(facts.NumRows(), lo+2048)))
	}
	p := JoinPlan{On: []string{"id"}, Left: []string{"x"}, Right: []string{"w"}, Names: []string{"id", "x", "w"}}
	b.ResetTimer()
	for b.Loop() {
		j, err := NewJoinBuild(dim, false, p)
		if err != nil {
			b.Fatal(err)
		}
		for _, in := range batches {
			out, err := j.Probe(in)
			if err != nil {
				b.Fatal(err)
			}
			out.Release()
		}
	}
}
