package dataframe_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
)

// spanSum returns, for each row, the id and the sum of x over the row, the
// lo rows before it and the hi rows after it; null where the record does
// not hold them all.
func spanSum(rec arrow.RecordBatch, lo, hi int64) (arrow.RecordBatch, error) {
	ids := rec.Column(int(rec.Schema().FieldIndices("id")[0])).(*array.Int64)
	xs := rec.Column(int(rec.Schema().FieldIndices("x")[0])).(*array.Float64)
	s := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "s", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	defer b.Release()
	n := rec.NumRows()
	for i := range n {
		b.Field(0).(*array.Int64Builder).Append(ids.Value(int(i)))
		if i-lo < 0 || i+hi >= n {
			b.Field(1).AppendNull()
			continue
		}
		sum := 0.0
		for j := i - lo; j <= i+hi; j++ {
			sum += xs.Value(int(j))
		}
		b.Field(1).(*array.Float64Builder).Append(sum)
	}
	return b.NewRecordBatch(), nil
}

var (
	fnSpanSum = dusk.Register("dataframe_test.span-sum", spanSum)
	// fnDropFirst breaks MapOverlap's contract: it returns one row less.
	fnDropFirst = dusk.Register("dataframe_test.drop-first", func(rec arrow.RecordBatch) arrow.RecordBatch {
		if rec.NumRows() == 0 {
			return rec
		}
		return rec.NewSlice(1, rec.NumRows())
	})
)

func TestMapOverlapMatchesDuckDBAcrossEdges(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeTSRows(200)
	// 2 rows before and 3 after reach over several small and empty
	// partitions.
	si := sortedFrame(t, ctx, c, rows, "id", 10, keep200)
	db := openDuckDB(t)
	duckdbTable(t, db, "t", rows)
	keepRows(t, db, "t", keep200)
	for _, w := range [][2]int64{{2, 3}, {0, 1}, {4, 0}, {0, 0}} {
		out := si.MapOverlap(fnSpanSum, int(w[0]), int(w[1]), dataframe.Args(w[0], w[1]))
		if err := out.Err(); err != nil {
			t.Fatal(err)
		}
		if ex := out.Explain(); !strings.Contains(ex, fmt.Sprintf("MapOverlap dataframe_test.span-sum before=%d after=%d", w[0], w[1])) {
			t.Fatalf("Explain:\n%s", ex)
		}
		tbl := mustCompute(t, ctx, out)
		if got := fmt.Sprint(partitionRows(tbl)); got != keep200Layout {
			t.Fatalf("before %d, after %d: partitions of %s rows", w[0], w[1], got)
		}
		want := duckdbRows(t, db, fmt.Sprintf(`SELECT id, CASE WHEN count(x) OVER w = %d THEN sum(x) OVER w END
			FROM t WINDOW w AS (ORDER BY id ROWS BETWEEN %d PRECEDING AND %d FOLLOWING) ORDER BY id`, w[0]+w[1]+1, w[0], w[1]))
		sameRows(t, fmt.Sprintf("MapOverlap(before %d, after %d)", w[0], w[1]), windowLines(tbl), want)
	}
}

func TestMapOverlapErrors(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	df, err := dataframe.FromRecords(ctx, c, makeTSRows(30), dataframe.Partitions(3))
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, df.MapOverlap(fnSpanSum, -1, 0, dataframe.Args(int64(1), int64(0))).Err(), "overlap_test.go:", "MapOverlap", "before -1")
	wantErr(t, df.MapOverlap(fnSpanSum, 1, 1).Err(), "overlap_test.go:", "MapOverlap", "takes 2 argument(s)")
	// fn must return one row per row it gets.
	_, err = df.MapOverlap(fnDropFirst, 1, 1).Compute(ctx)
	wantErr(t, err, "MapOverlap", "dataframe_test.drop-first", "one row per row")
}
