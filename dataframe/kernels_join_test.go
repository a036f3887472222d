package dataframe

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// joinSide returns rows of a (int64), b (int32), s (string) and v (float64)
// with repeated keys and nulls in every key column.
func joinSide(rows, seed int, val string) arrow.RecordBatch {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: val, Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(mem, s)
	defer rb.Release()
	for i := range rows {
		v := i*31 + seed
		if v%19 == 0 {
			rb.Field(0).AppendNull()
		} else {
			rb.Field(0).(*array.Int64Builder).Append(int64(v % 23))
		}
		if v%29 == 0 {
			rb.Field(1).AppendNull()
		} else {
			rb.Field(1).(*array.Int32Builder).Append(int32(v % 3))
		}
		if v%31 == 0 {
			rb.Field(2).AppendNull()
		} else {
			rb.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("key number %d", v%5))
		}
		rb.Field(3).(*array.Float64Builder).Append(float64(i))
	}
	return rb.NewRecordBatch()
}

// TestJoinInnerMatchesDuckDB joins in Go and with the join's SQL in
// DuckDB, on keys of each type and several at once, with either side the
// smaller: the same rows (nulls match nothing, repeated keys pair up).
func TestJoinInnerMatchesDuckDB(t *testing.T) {
	ctx := context.Background()
	e, err := engine.For(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sizes := range [][2]int{{400, 90}, {90, 400}} {
		l, r := joinSide(sizes[0], 1, "v"), joinSide(sizes[1], 7, "v")
		for _, on := range [][]string{{"a"}, {"b"}, {"s"}, {"a", "s"}, {"s", "b", "a"}} {
			onSet := map[string]bool{}
			for _, k := range on {
				onSet[k] = true
			}
			q := joinSQL(l.Schema(), r.Schema(), on, onSet, "inner", [2]string{"_x", "_y"})
			want, err := e.Query(ctx, q, engine.Input{Name: engine.ViewLeft, Rec: l}, engine.Input{Name: engine.ViewRight, Rec: r})
			if err != nil {
				t.Fatal(err)
			}
			p := kernels.NewJoinPlan(l.Schema(), r.Schema(), on, "inner", kernels.NullableSchema(want.Schema()), nil)
			if p == nil {
				t.Fatalf("on %v: not joined in Go", on)
			}
			got, err := kernels.JoinInner(l, r, *p)
			if err != nil {
				t.Fatal(err)
			}
			if !kernels.SameTypes(got.Schema(), want.Schema()) {
				t.Fatalf("on %v: Go's schema %s, DuckDB's %s", on, got.Schema(), want.Schema())
			}
			gl, wl := recordLines(got), recordLines(want)
			slices.Sort(gl)
			slices.Sort(wl)
			if len(wl) == 0 || strings.Join(gl, "\n") != strings.Join(wl, "\n") {
				t.Fatalf("on %v (%d x %d rows): Go gives %d rows, DuckDB %d", on, sizes[0], sizes[1], len(gl), len(wl))
			}
		}
	}
	// Outer joins, and keys of two types, are DuckDB's.
	l, r := joinSide(10, 1, "v"), joinSide(10, 2, "w")
	for _, how := range []string{"left", "right", "outer"} {
		if kernels.NewJoinPlan(l.Schema(), r.Schema(), []string{"a"}, how, l.Schema(), nil) != nil {
			t.Fatalf("a %s join is planned in Go", how)
		}
	}
}

// TestJoinInnerLongStringsMissingOnOneSide checks that probe rows whose
// long string keys the build side lacks match nothing, and that short and
// long strings that share their first bytes stay apart.
func TestJoinInnerLongStringsMissingOnOneSide(t *testing.T) {
	side := func(val string, keys []string) arrow.RecordBatch {
		s := arrow.NewSchema([]arrow.Field{
			{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
			{Name: val, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		}, nil)
		rb := array.NewRecordBuilder(mem, s)
		defer rb.Release()
		for i, k := range keys {
			rb.Field(0).(*array.StringBuilder).Append(k)
			rb.Field(1).(*array.Int64Builder).Append(int64(i))
		}
		return rb.NewRecordBatch()
	}
	l := side("v", []string{"a long string one", "a long", "short", "a long string three", "", "a long string one"})
	r := side("w", []string{"a long string one", "short", "a long string nope", "a long "})
	p := &kernels.JoinPlan{On: []string{"s"}, Left: []string{"v"}, Right: []string{"w"}, Names: []string{"s", "v", "w"}}
	got, err := kernels.JoinInner(l, r, *p)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a long string one|0|0", "short|2|1", "a long string one|5|0"}
	lines := recordLines(got)
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("joined rows %q, want %q", lines, want)
	}
}

// TestJoinInnerEmptySides joins partitions with no rows on either side
// (a hash shuffle's output can be empty).
func TestJoinInnerEmptySides(t *testing.T) {
	full, empty := joinSide(50, 1, "v"), joinSide(0, 2, "w")
	p := &kernels.JoinPlan{On: []string{"a", "s"}, Left: []string{"b", "v"}, Right: []string{"b", "w"}, Names: []string{"a", "s", "b_x", "v", "b_y", "w"}}
	for _, pair := range [][2]arrow.RecordBatch{{full, empty}, {empty, full}} {
		l, r := pair[0], pair[1]
		if l == empty {
			p = &kernels.JoinPlan{On: []string{"a", "s"}, Left: []string{"b", "w"}, Right: []string{"b", "v"}, Names: []string{"a", "s", "b_x", "w", "b_y", "v"}}
		}
		got, err := kernels.JoinInner(l, r, *p)
		if err != nil {
			t.Fatal(err)
		}
		if got.NumRows() != 0 || got.NumCols() != 6 {
			t.Fatalf("joining %d and %d rows gave %d rows, %d columns", l.NumRows(), r.NumRows(), got.NumRows(), got.NumCols())
		}
	}
}

// TestJoinPairsMatchesDuckDB: runs of coalesced shuffle outputs joined
// pair by pair (joinPairs) give DuckDB's join of the whole sides, each key
// placed in one pair as a hash shuffle places it.
func TestJoinPairsMatchesDuckDB(t *testing.T) {
	ctx := context.Background()
	e, err := engine.For(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l, r := joinSide(400, 1, "v"), joinSide(90, 7, "w")
	on := []string{"a"}
	q := joinSQL(l.Schema(), r.Schema(), on, map[string]bool{"a": true}, "inner", [2]string{"_x", "_y"})
	want, err := e.Query(ctx, q, engine.Input{Name: engine.ViewLeft, Rec: l}, engine.Input{Name: engine.ViewRight, Rec: r})
	if err != nil {
		t.Fatal(err)
	}
	p := kernels.NewJoinPlan(l.Schema(), r.Schema(), on, "inner", kernels.NullableSchema(want.Schema()), nil)
	if p == nil {
		t.Fatal("not joined in Go")
	}
	// Three outputs by a % 3 (nulls in the first; the right side's third
	// output empty, so that its keys match nothing).
	split := func(rec arrow.RecordBatch, empty int) []arrow.RecordBatch {
		out := make([]arrow.RecordBatch, 3)
		for j := range out {
			q := engine.WithCTE("part", engine.ScanView(engine.ViewIn), fmt.Sprintf("SELECT * FROM part WHERE coalesce(a, 0) %% 3 = %d AND %d <> %d", j, j, empty))
			if out[j], err = e.Query(ctx, q, engine.Input{Name: engine.ViewIn, Rec: rec}); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	got, err := joinPairs(split(l, -1), split(r, 2), *p)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := e.Query(ctx, engine.WithCTE("part", engine.ScanView(engine.ViewIn), "SELECT * FROM part WHERE coalesce(a, 0) % 3 <> 2"), engine.Input{Name: engine.ViewIn, Rec: want})
	if err != nil {
		t.Fatal(err)
	}
	gl, wl := recordLines(got), recordLines(kept)
	slices.Sort(gl)
	slices.Sort(wl)
	if len(wl) == 0 || strings.Join(gl, "\n") != strings.Join(wl, "\n") {
		t.Fatalf("joinPairs gave %d rows, DuckDB %d", len(gl), len(wl))
	}
	if _, err := joinPairs(split(l, -1)[:2], split(r, -1), *p); err == nil {
		t.Fatal("joinPairs of 2 left and 3 right outputs gave no error")
	}
}
