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

// float64Col returns the named float64 column of rec.
func float64Col(rec arrow.RecordBatch, name string) *array.Float64 {
	return rec.Column(rec.Schema().FieldIndices(name)[0]).(*array.Float64)
}

func int64Col(rec arrow.RecordBatch, name string) *array.Int64 {
	return rec.Column(rec.Schema().FieldIndices(name)[0]).(*array.Int64)
}

// The functions the tests call per group, registered as a program would.
var (
	// groupDemean returns x_dm = x - the mean of the group's x (null
	// where x is) and seq = the row's place in the group (0, 1, ...).
	groupDemean = dusk.Register("dataframe_test.demean", func(g arrow.RecordBatch) (arrow.RecordBatch, error) {
		x := float64Col(g, "x")
		var sum float64
		var n int
		for i := range x.Len() {
			if x.IsValid(i) {
				sum += x.Value(i)
				n++
			}
		}
		dm := array.NewFloat64Builder(memory.DefaultAllocator)
		seq := array.NewInt64Builder(memory.DefaultAllocator)
		for i := range x.Len() {
			if x.IsValid(i) {
				dm.Append(x.Value(i) - sum/float64(n))
			} else {
				dm.AppendNull()
			}
			seq.Append(int64(i))
		}
		s := arrow.NewSchema([]arrow.Field{{Name: "x_dm", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, {Name: "seq", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
		return array.NewRecordBatch(s, []arrow.Array{dm.NewArray(), seq.NewArray()}, int64(x.Len())), nil
	})
	// groupFirstRow returns the x of the group's first row: not a
	// transform.
	groupFirstRow = dusk.Register("dataframe_test.first-row", func(g arrow.RecordBatch) arrow.RecordBatch {
		x := g.Schema().FieldIndices("x")[0]
		n := min(1, g.NumRows())
		return array.NewRecordBatch(arrow.NewSchema([]arrow.Field{g.Schema().Field(x)}, nil), []arrow.Array{array.NewSlice(g.Column(x), 0, n)}, n)
	})
	// groupTopTwo returns the group's key and its two rows of largest
	// rn (or one), rn descending: any number of rows.
	groupTopTwo = dusk.Register("dataframe_test.top-two", func(g arrow.RecordBatch) arrow.RecordBatch {
		k := g.Column(g.Schema().FieldIndices("k")[0])
		rn := int64Col(g, "rn")
		kb := array.NewStringBuilder(memory.DefaultAllocator)
		rb := array.NewInt64Builder(memory.DefaultAllocator)
		for i := rn.Len() - 1; i >= max(0, rn.Len()-2); i-- {
			if k.IsNull(i) {
				kb.AppendNull()
			} else {
				kb.Append(k.(*array.String).Value(i))
			}
			rb.Append(rn.Value(i))
		}
		s := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "rn", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
		n := int64(rb.Len())
		return array.NewRecordBatch(s, []arrow.Array{kb.NewArray(), rb.NewArray()}, n)
	})
	// groupKeyOut returns the key column: a transform may not.
	groupKeyOut = dusk.Register("dataframe_test.key-out", func(g arrow.RecordBatch) arrow.RecordBatch {
		return array.NewRecordBatch(arrow.NewSchema([]arrow.Field{g.Schema().Field(g.Schema().FieldIndices("k")[0])}, nil),
			[]arrow.Array{g.Column(g.Schema().FieldIndices("k")[0])}, g.NumRows())
	})
	groupBadSig = dusk.Register("dataframe_test.bad-sig", func(x int) int { return x })
)

// TestGroupByTransformMatchesDuckDB demeans x per group and numbers the
// rows of each group, over 6 partitions (a shuffle by the key) and over
// one (no shuffle, rows in place), against DuckDB's window functions.
func TestGroupByTransformMatchesDuckDB(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rec := nullyData(t, 400)
	want := rowsOf(t, duckTable(t, `SELECT *, x - avg(x) OVER (PARTITION BY k) AS x_dm,
		row_number() OVER (PARTITION BY k ORDER BY rn) - 1 AS seq FROM part`, rec))
	df := fromRecord(t, ctx, c, rec, 6)
	tr := df.GroupBy("k").Transform(groupDemean)
	if tr.Err() != nil {
		t.Fatal(tr.Err())
	}
	if got := strings.Join(tr.Columns(), " "); got != "rn k b i x s f x_dm seq" {
		t.Fatalf("columns = %s", got)
	}
	if !strings.Contains(tr.Explain(), "hash shuffle 6 -> 6 partitions") {
		t.Fatalf("no shuffle in\n%s", tr.Explain())
	}
	if got := rowsOf(t, mustCompute(t, ctx, tr)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Transform: got\n%s\nwant\n%s", strings.Join(got[:8], "\n"), strings.Join(want[:8], "\n"))
	}
	// One partition: groups are whole, no shuffle, and the rows stay in
	// their order.
	one := fromRecord(t, ctx, c, rec, 1).GroupBy("k").Transform(groupDemean)
	if strings.Contains(one.Explain(), "shuffle") {
		t.Fatalf("a shuffle of one partition:\n%s", one.Explain())
	}
	inOrder := tableLines(t, duckTable(t, `SELECT *, x - avg(x) OVER (PARTITION BY k) AS x_dm,
		row_number() OVER (PARTITION BY k ORDER BY rn) - 1 AS seq FROM part ORDER BY rn`, rec))
	if got := tableLines(t, mustCompute(t, ctx, one)); fmt.Sprint(got) != fmt.Sprint(inOrder) {
		t.Fatalf("Transform of one partition: got\n%s\nwant\n%s", strings.Join(got[:8], "\n"), strings.Join(inOrder[:8], "\n"))
	}
	// Two keys, one with nulls.
	want2 := rowsOf(t, duckTable(t, `SELECT *, x - avg(x) OVER (PARTITION BY k, b) AS x_dm,
		row_number() OVER (PARTITION BY k, b ORDER BY rn) - 1 AS seq FROM part`, rec))
	if got := rowsOf(t, mustCompute(t, ctx, df.GroupBy("k", "b").Transform(groupDemean))); fmt.Sprint(got) != fmt.Sprint(want2) {
		t.Fatalf("Transform by two keys: got\n%s\nwant\n%s", strings.Join(got[:8], "\n"), strings.Join(want2[:8], "\n"))
	}

	// 40 tiny partitions: coalesced before the shuffle, the same rows
	// and order within groups.
	many := fromRecord(t, ctx, c, rec, 40).GroupBy("k").Transform(groupDemean)
	if !strings.Contains(many.Explain(), "coalesce") {
		t.Fatalf("tiny partitions not coalesced:\n%s", many.Explain())
	}
	if got := rowsOf(t, mustCompute(t, ctx, many)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Transform of 40 partitions: got\n%s\nwant\n%s", strings.Join(got[:8], "\n"), strings.Join(want[:8], "\n"))
	}
	// A categorical key, through the shuffle.
	cat, err := df.Categorize(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if got := rowsOf(t, mustCompute(t, ctx, cat.GroupBy("k").Transform(groupDemean))); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Transform by a categorical key: got\n%s\nwant\n%s", strings.Join(got[:8], "\n"), strings.Join(want[:8], "\n"))
	}

	// A function that does not return a row per row is an error at
	// Compute that names it and the group.
	_, err = df.GroupBy("k").Transform(groupFirstRow).Compute(ctx)
	wantErr(t, err, "Transform", "dataframe_test.first-row", "returned 1 rows for the group [k=", "one row per row")
	wantErr(t, df.GroupBy("k").Transform(groupKeyOut).Err(), "groupby_apply_test.go:", "Transform", `key column "k"`)
	wantErr(t, df.GroupBy("k").Transform(groupBadSig).Err(), "groupby_apply_test.go:", "Transform", "dataframe_test.bad-sig", "arrow.RecordBatch")
	wantErr(t, df.GroupBy("k").Transform(groupDemean, dataframe.Args(1)).Err(), "Transform", "no Args")
	wantErr(t, df.GroupBy("nope").Transform(groupDemean).Err(), "GroupBy", `"nope"`)
	wantErr(t, df.GroupBy("k").Transform(nil).Err(), "Transform", "no function")
}

// TestGroupByApplyMatchesDuckDB returns each group's two last rows (any
// number of rows per group), against DuckDB's QUALIFY; a declared schema
// that fn does not return is an error.
func TestGroupByApplyMatchesDuckDB(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rec := nullyData(t, 300)
	df := fromRecord(t, ctx, c, rec, 5)
	want := rowsOf(t, duckTable(t, `SELECT k, rn FROM part QUALIFY row_number() OVER (PARTITION BY k ORDER BY rn DESC) <= 2`, rec))
	ap := df.GroupBy("k").Apply(groupTopTwo)
	if ap.Err() != nil {
		t.Fatal(ap.Err())
	}
	if got := rowsOf(t, mustCompute(t, ctx, ap)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Apply: got\n%v\nwant\n%v", got, want)
	}
	// Rows already placed by the key (a SplitOut on it): no shuffle.
	placed := df.GroupBy("k").SplitOut(3).Agg(dataframe.Max("rn").As("rn"))
	pa := placed.GroupBy("k").Apply(groupTopTwo)
	if strings.Contains(pa.Explain(), "hash shuffle 3 -> 3 partitions, one call") || !strings.Contains(pa.Explain(), "groups already whole") {
		t.Fatalf("a shuffle of rows placed by the key:\n%s", pa.Explain())
	}
	wantMax := rowsOf(t, duckTable(t, "SELECT k, max(rn) FROM part GROUP BY k", rec))
	if got := rowsOf(t, mustCompute(t, ctx, pa)); fmt.Sprint(got) != fmt.Sprint(wantMax) {
		t.Fatalf("Apply without a shuffle: got %v, want %v", got, wantMax)
	}
	// Placed by k is not placed by rn: a shuffle.
	if !strings.Contains(placed.GroupBy("rn").Apply(groupTopTwo).Explain(), "hash shuffle 3 -> 3 partitions") {
		t.Fatal("no shuffle for groups not whole")
	}
	// Declared with Meta, the same schema.
	s := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String}, {Name: "rn", Type: arrow.PrimitiveTypes.Int64}}, nil)
	if got := rowsOf(t, mustCompute(t, ctx, df.GroupBy("k").Apply(groupTopTwo, dataframe.Meta(s)))); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Apply with Meta: got %v", got)
	}
	bad := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String}}, nil)
	_, err := df.GroupBy("k").Apply(groupTopTwo, dataframe.Meta(bad)).Compute(ctx)
	wantErr(t, err, "dataframe_test.top-two", "returned columns k utf8, rn int64", "not k utf8 as planned", "Meta")
}
