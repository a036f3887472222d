package dataframe

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// goAggInput returns partitions of id (int64), k (string), n (int64), x
// (float64), w (int64) and ks (string), with nulls in every column and NaNs in x; seed varies them.
func goAggInput(seed, rows int) arrow.RecordBatch {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		// w is id spread wide: its groups are found by hashing, not in
		// an array over the keys' range.
		{Name: "w", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		// ks holds k's values lengthened past 7 bytes (a map finds them,
		// not the table of short strings packed as numbers).
		{Name: "ks", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	for i := range rows {
		v := i*7 + seed*13
		if v%11 == 0 {
			b.Field(0).AppendNull()
			b.Field(4).AppendNull()
		} else {
			b.Field(0).(*array.Int64Builder).Append(int64(v%37) - 5)
			b.Field(4).(*array.Int64Builder).Append((int64(v%37) - 5) * 1_000_000_007)
		}
		if v%13 == 0 {
			b.Field(1).AppendNull()
			b.Field(5).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("k%d", v%5))
			b.Field(5).(*array.StringBuilder).Append(fmt.Sprintf("a longer key %d", v%5))
		}
		// Group id 3 has no n at all: its sum and min are null.
		if v%5 == 0 || (v%37)-5 == 3 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Int64Builder).Append(int64(v%101) - 50)
		}
		switch {
		case v%17 == 0:
			b.Field(3).AppendNull()
		case v%29 == 0:
			b.Field(3).(*array.Float64Builder).Append(math.NaN())
		default:
			b.Field(3).(*array.Float64Builder).Append(float64(v%23) / 4)
		}
	}
	return b.NewRecordBatch()
}

func recordLines(rec arrow.RecordBatch) []string {
	var out []string
	for r := range int(rec.NumRows()) {
		parts := make([]string, rec.NumCols())
		for c := range parts {
			col := rec.Column(c)
			switch {
			case col.IsNull(r):
				parts[c] = "null"
			case col.DataType().ID() == arrow.FLOAT64:
				parts[c] = fmt.Sprintf("%.9g", col.(*array.Float64).Value(r))
			default:
				parts[c] = col.ValueStr(r)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}

// TestGoAggMatchesDuckDB runs aggregations both ways over the same
// partitions: Go's partial, combining and final steps, and the SQL of the
// reduction in DuckDB, grouped by one key and by several, string and
// categorical keys among them. Results (nulls, NaNs, null keys, order)
// agree.
func TestGoAggMatchesDuckDB(t *testing.T) {
	ctx := context.Background()
	var parts []arrow.RecordBatch
	for i := range 7 {
		parts = append(parts, goAggInput(i, 300+i*50))
	}
	parts = append(parts, kernels.EmptyRecord(parts[0].Schema()))
	df := &DataFrame{n: &persistedNode{m: &meta{schema: parts[0].Schema(), nparts: len(parts)}}}
	// The same partitions with k categorical.
	cats := map[string][]string{"k": {"k0", "k1", "k2", "k3", "k4"}}
	var catParts []arrow.RecordBatch
	for _, p := range parts {
		cp, err := kernels.RestoreCategories(p, cats)
		if err != nil {
			t.Fatal(err)
		}
		catParts = append(catParts, cp)
	}
	catDF := &DataFrame{n: &persistedNode{m: &meta{schema: catParts[0].Schema(), nparts: len(parts), cats: cats}}}
	aggs := []Aggregation{Sum("x"), Sum("n"), Mean("x"), Mean("n"), Min("x"), Max("x"), Min("n"), Max("n").As("top"), Count("x"), Count("k")}
	for _, tc := range []struct {
		keys []string
		cat  bool
	}{{[]string{"id"}, false}, {[]string{"k"}, false}, {[]string{"w"}, false}, {[]string{"ks"}, false},
		{[]string{"id", "k"}, false}, {[]string{"k", "w", "ks"}, false}, {[]string{"k"}, true}, {[]string{"id", "k"}, true}} {
		key := strings.Join(tc.keys, ", ")
		parts, df := parts, df
		if tc.cat {
			parts, df, key = catParts, catDF, key+" (k categorical)"
		}
		out := df.GroupBy(tc.keys...).Agg(aggs...)
		if out.Err() != nil {
			t.Fatal(out.Err())
		}
		rn := out.n.(*reduceNode)
		g := rn.r.goAgg
		if g == nil {
			t.Fatalf("group by %s: not aggregated in Go", key)
		}
		if !strings.Contains(out.Explain(), "aggregated in Go") {
			t.Fatalf("Explain does not say the aggregation runs in Go:\n%s", out.Explain())
		}
		// Two levels of combining, as in a tree.
		var goParts, duckParts []arrow.RecordBatch
		for _, p := range parts {
			gp, err := kernels.AggPartial(p, *g)
			if err != nil {
				t.Fatal(err)
			}
			goParts = append(goParts, gp)
			dp, err := sqlMany(ctx, []arrow.RecordBatch{p}, engine.WithCTE("part", engine.ScanView(engine.ViewIn), rn.r.chunk), rn.midCats)
			if err != nil {
				t.Fatal(err)
			}
			duckParts = append(duckParts, dp)
		}
		var goMid, duckMid []arrow.RecordBatch
		for i := 0; i < len(parts); i += 3 {
			j := min(i+3, len(parts))
			gm, err := kernels.AggCombine(goParts[i:j], *g)
			if err != nil {
				t.Fatal(err)
			}
			goMid = append(goMid, gm)
			dm, err := sqlMany(ctx, duckParts[i:j], engine.WithCTE("part", engine.ScanView(engine.ViewIn), rn.r.combine), rn.midCats)
			if err != nil {
				t.Fatal(err)
			}
			duckMid = append(duckMid, dm)
		}
		got, err := kernels.AggFinal(goMid, *g)
		if err != nil {
			t.Fatal(err)
		}
		want, err := sqlMany(ctx, duckMid, engine.WithCTE("part", engine.ScanView(engine.ViewIn), rn.r.final), rn.m.cats)
		if err != nil {
			t.Fatal(err)
		}
		if !kernels.SameTypes(got.Schema(), want.Schema()) {
			t.Fatalf("group by %s: Go's schema %s, DuckDB's %s", key, got.Schema(), want.Schema())
		}
		gl, wl := recordLines(got), recordLines(want)
		if strings.Join(gl, "\n") != strings.Join(wl, "\n") {
			t.Fatalf("group by %s: Go gives\n%s\nDuckDB\n%s", key, strings.Join(gl, "\n"), strings.Join(wl, "\n"))
		}
		if !strings.HasPrefix(gl[len(gl)-1], "null|") {
			t.Fatalf("group by %s: the null key is not last: %s", key, gl[len(gl)-1])
		}
	}
	// Std and NUnique, and a float key, are DuckDB's.
	for _, out := range []*DataFrame{df.GroupBy("x", "k").Agg(Sum("n")), df.GroupBy("k").Agg(Std("x")), df.GroupBy("k").Agg(NUnique("id"))} {
		if out.Err() != nil || out.n.(*reduceNode).r.goAgg != nil {
			t.Fatalf("%s: %v; want it aggregated by DuckDB", out.Explain(), out.Err())
		}
	}
	// An int64 sum that overflows is an error, as in DuckDB.
	big := goAggInput(0, 10)
	vals := make([]int64, big.NumRows())
	for i := range vals {
		vals[i] = math.MaxInt64 // ten rows in at most six groups: some group adds two
	}
	b := array.NewInt64Builder(mem)
	b.AppendValues(vals, nil)
	cols := append([]arrow.Array(nil), big.Columns()...)
	cols[2] = b.NewArray()
	big = array.NewRecordBatch(big.Schema(), cols, big.NumRows())
	g := df.GroupBy("k").Agg(Sum("n")).n.(*reduceNode).r.goAgg
	if _, err := kernels.AggPartial(big, *g); err == nil || !strings.Contains(err.Error(), "overflows") {
		t.Fatalf("an overflowing sum gives %v", err)
	}
}
