package dataframe_test

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk/dataframe"
)

type side struct {
	ID int64   `df:"id"`
	A  float64 `df:"a"`
	V  string  `df:"v"`
}

// joinWant joins in Go: keys once, then left a, v, then right a, v.
func joinWant(l, r []side, how string) []string {
	var out []string
	matchedR := map[int]bool{}
	for _, x := range l {
		found := false
		for j, y := range r {
			if x.ID == y.ID {
				found = true
				matchedR[j] = true
				out = append(out, fmt.Sprintf("%d|%.6g|%s|%.6g|%s", x.ID, x.A, x.V, y.A, y.V))
			}
		}
		if !found && (how == "left" || how == "outer") {
			out = append(out, fmt.Sprintf("%d|%.6g|%s|null|null", x.ID, x.A, x.V))
		}
	}
	if how == "right" || how == "outer" {
		for j, y := range r {
			if !matchedR[j] {
				out = append(out, fmt.Sprintf("%d|null|null|%.6g|%s", y.ID, y.A, y.V))
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestMergeStrategiesAndKinds(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	var l, r []side
	for i := range 600 {
		l = append(l, side{ID: int64(i % 150), A: float64(i), V: fmt.Sprintf("l%d", i)})
	}
	for i := range 120 {
		r = append(r, side{ID: int64(100 + i), A: float64(-i), V: fmt.Sprintf("r%d", i)})
	}
	ldf, err := dataframe.FromRecords(ctx, c, l, dataframe.Partitions(5))
	if err != nil {
		t.Fatal(err)
	}
	rdf, err := dataframe.FromRecords(ctx, c, r, dataframe.Partitions(3))
	if err != nil {
		t.Fatal(err)
	}
	for _, how := range []string{"inner", "left", "right", "outer"} {
		want := joinWant(l, r, how)
		for _, strategy := range []string{"", dataframe.StrategyShuffle} {
			var opts []dataframe.MergeOption
			if strategy != "" {
				opts = append(opts, dataframe.Strategy(strategy))
			}
			m := ldf.Merge(rdf, []string{"id"}, how, opts...)
			if m.Err() != nil {
				t.Fatal(m.Err())
			}
			if got := fmt.Sprint(m.Columns()); got != "[id a_x v_x a_y v_y]" {
				t.Fatalf("columns = %s", got)
			}
			plan := m.Explain()
			wantStrategy := strategy
			if wantStrategy == "" {
				// Small sides are broadcast when the join type allows.
				wantStrategy = dataframe.StrategyBroadcast
				if how == "outer" {
					wantStrategy = dataframe.StrategyShuffle
				}
			}
			if !strings.Contains(plan, "strategy="+wantStrategy) {
				t.Fatalf("%s merge: plan\n%s\ndoes not use %s", how, plan, wantStrategy)
			}
			got := rowsOf(t, mustCompute(t, ctx, m))
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s merge (%s): got %d rows\n%v\nwant %d\n%v", how, wantStrategy, len(got), got, len(want), want)
			}
		}
	}
	// Both sides indexed with the same divisions: partition-aligned.
	ls, err := ldf.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds[int64](0, 50, 100, 150, 250)))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rdf.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds[int64](0, 50, 100, 150, 250)))
	if err != nil {
		t.Fatal(err)
	}
	al := ls.Merge(rs, []string{"id"}, "outer")
	if !strings.Contains(al.Explain(), "strategy="+dataframe.StrategyAligned) {
		t.Fatalf("plan\n%s\nis not partition-aligned", al.Explain())
	}
	if got := rowsOf(t, mustCompute(t, ctx, al)); fmt.Sprint(got) != fmt.Sprint(joinWant(l, r, "outer")) {
		t.Fatal("aligned outer merge differs")
	}
	// Mistakes.
	wantErr(t, ldf.Merge(rdf, []string{"nope"}, "inner").Err(), "Merge", `no column "nope"`)
	wantErr(t, ldf.Merge(rdf.Assign("id", "v"), []string{"id"}, "inner").Err(), `"id" is int64 on the left but utf8 on the right`)
	wantErr(t, ldf.Merge(rdf, []string{"id"}, "cross").Err(), "how")
	wantErr(t, ldf.Merge(rdf, []string{"id"}, "outer", dataframe.Strategy(dataframe.StrategyBroadcast)).Err(), "neither can be broadcast")
}

// Instants join whatever zone names them: a zoned timestamp that went
// through a query step (DuckDB names UTC "Etc/UTC") joins one that did
// not; a naive time and an instant do not join.
func TestMergeOnInstantsAcrossZoneNames(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	mk := func(tz string, vals ...int64) arrow.Table {
		s := arrow.NewSchema([]arrow.Field{{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: tz}}, {Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
		b := array.NewRecordBuilder(memory.DefaultAllocator, s)
		defer b.Release()
		for _, v := range vals {
			b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(v))
			b.Field(1).(*array.Int64Builder).Append(v)
		}
		rec := b.NewRecordBatch()
		return array.NewTableFromRecords(s, []arrow.RecordBatch{rec})
	}
	left, err := dataframe.FromArrow(ctx, c, mk("UTC", 1, 2, 3))
	if err != nil {
		t.Fatal(err)
	}
	right, err := dataframe.FromArrow(ctx, c, mk("UTC", 2, 3, 4))
	if err != nil {
		t.Fatal(err)
	}
	stepped := right.Filter("v > 0")
	out, err := left.Merge(stepped, []string{"ts"}, "inner").Compute(ctx)
	if err != nil {
		t.Fatalf("zoned timestamps after a query step: %v (right is %s)", err, stepped.Schema())
	}
	if out.NumRows() != 2 {
		t.Fatalf("%d rows joined, want 2", out.NumRows())
	}
	naive, err := dataframe.FromArrow(ctx, c, mk("", 2, 3))
	if err != nil {
		t.Fatal(err)
	}
	if err := left.Merge(naive, []string{"ts"}, "inner").Err(); err == nil {
		t.Fatal("a naive time joined an instant")
	}
}

// TestSelectOverMergeAsTheQueryWould compares a Select over a merge joined
// in Go (its columns picked, no query) with the same Select done by a
// DuckDB query (over an Assign, one query does both), for columns of many
// types with nulls: the same schema and rows.
func TestSelectOverMergeAsTheQueryWould(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	dir := t.TempDir()
	for _, q := range []string{
		fmt.Sprintf(`COPY (SELECT i AS id, CASE WHEN i %% 5 = 0 THEN NULL ELSE i * 0.5 END AS x, 'k' || (i %% 3) AS k,
			i %% 2 = 0 AS b, DATE '2024-01-01' + i::INTEGER AS d, TIMESTAMP '2024-01-01' + i * INTERVAL 1 MINUTE AS ts,
			(TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL 1 HOUR) AS tz, i::INTEGER AS i32
			FROM range(1000) t(i)) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 250)`, filepath.Join(dir, "l.parquet")),
		fmt.Sprintf("COPY (SELECT i * 2 AS id, CASE WHEN i %% 7 = 0 THEN NULL ELSE 'w' || i END AS w FROM range(400) t(i)) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 100)", filepath.Join(dir, "r.parquet")),
	} {
		plannerDuckDB(t, q)
	}
	l := dataframe.ReadParquet(c, filepath.Join(dir, "l.parquet"))
	r := dataframe.ReadParquet(c, filepath.Join(dir, "r.parquet"))
	for _, strategy := range []string{dataframe.StrategyShuffle, dataframe.StrategyBroadcast} {
		m := l.Merge(r, []string{"id"}, "inner", dataframe.Strategy(strategy))
		cols := []string{"w", "tz", "ts", "d", "b", "k", "x", "id", "i32"}
		picked := m.Select(cols...)
		queried := m.Assign("zz", "1").Select(cols...)
		a, b := mustCompute(t, ctx, picked), mustCompute(t, ctx, queried)
		if !a.Schema().Equal(b.Schema()) || !picked.Schema().Equal(queried.Schema()) {
			t.Fatalf("%s: schema picked %s\nqueried %s", strategy, a.Schema(), b.Schema())
		}
		if x, y := rowsOf(t, a), rowsOf(t, b); len(x) != 400 || fmt.Sprint(x) != fmt.Sprint(y) {
			t.Fatalf("%s: %d rows picked, %d queried, or they differ", strategy, len(x), len(y))
		}
		dropped := m.Drop("k", "x")
		if a, b := mustCompute(t, ctx, dropped), mustCompute(t, ctx, m.Assign("zz", "1").Drop("k", "x", "zz")); !a.Schema().Equal(b.Schema()) || fmt.Sprint(rowsOf(t, a)) != fmt.Sprint(rowsOf(t, b)) {
			t.Fatalf("%s: Drop picked and queried differ: %s\n%s", strategy, a.Schema(), b.Schema())
		}
	}
}
