package dataframe_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

// TestNoShuffleWhenPlacedOnTheKey checks that data already placed on a
// key is not shuffled again: a Merge with a side indexed on the key moves
// only the other side (to its divisions), a second Merge on the key moves
// only the new side (into the first's hash placement), and a GroupBy on
// the key of sorted or hash-placed data aggregates each partition alone.
// Each result is compared with DuckDB.
func TestNoShuffleWhenPlacedOnTheKey(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	ldir, rdir := plannerData(t, c)
	// A partition per row group: several partitions of small files.
	L := dataframe.ReadParquet(c, ldir, dataframe.ParquetBlockSize(1))
	R := dataframe.ReadParquet(c, rdir, dataframe.ParquetBlockSize(1))
	noBroadcast := dataframe.BroadcastThreshold(0)
	sql := func(how string) string {
		return fmt.Sprintf("SELECT id, l.k, l.x AS x_x, l.y, r.v, r.w, r.x AS x_y FROM read_parquet('%s/*.parquet') l %s JOIN read_parquet('%s/*.parquet') r USING (id)", ldir, how, rdir)
	}

	// One side indexed on the key: the other moves to its divisions.
	si, err := L.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds[int64](0, 100, 250, 400, 1000)))
	if err != nil {
		t.Fatal(err)
	}
	for _, how := range []string{"inner", "left", "right", "outer"} {
		m := si.Merge(R, []string{"id"}, how, noBroadcast)
		ex := m.Explain()
		if !strings.Contains(ex, "strategy="+dataframe.StrategyAligned+" (4 partition pairs, only the right side moved)") || !strings.Contains(ex, "Merge's right side: range shuffle 6 -> 4 partitions") || strings.Contains(ex, "hash") {
			t.Fatalf("%s merge with an indexed side:\n%s", how, ex)
		}
		want := plannerDuckDB(t, sql(map[string]string{"inner": "INNER", "left": "LEFT", "right": "RIGHT", "outer": "FULL OUTER"}[how]))
		got := rowsOf(t, mustCompute(t, ctx, m))
		forced := rowsOf(t, mustCompute(t, ctx, si.Merge(R, []string{"id"}, how, dataframe.Strategy(dataframe.StrategyShuffle))))
		if len(want) < 100 || fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprint(forced) != fmt.Sprint(want) {
			t.Fatalf("%s merge with an indexed side: %d rows, both sides shuffled %d, DuckDB %d", how, len(got), len(forced), len(want))
		}
	}

	// Moved to the other's divisions, a side has none of its own: a left
	// merge keeps the left's keys, which may lie beyond them.
	if d := si.Merge(R, []string{"id"}, "left", noBroadcast).Divisions(); d == nil || fmt.Sprint(d.Bounds) != fmt.Sprint(si.Divisions().Bounds) {
		t.Fatalf("left merge onto the indexed side: divisions %v, want the index's", d)
	}
	rl := R.Merge(si, []string{"id"}, "left", noBroadcast)
	if ex := rl.Explain(); rl.Divisions() != nil || !strings.Contains(ex, "only the left side moved") {
		t.Fatalf("left merge of the moved side: divisions %v\n%s", rl.Divisions(), ex)
	}
	want := plannerDuckDB(t, fmt.Sprintf("SELECT id, r.v, r.w, r.x AS x_x, l.k, l.x AS x_y, l.y FROM read_parquet('%s/*.parquet') r LEFT JOIN read_parquet('%s/*.parquet') l USING (id)", rdir, ldir))
	if got := rowsOf(t, mustCompute(t, ctx, rl)); len(want) < 100 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("left merge of the moved side: %d rows, DuckDB %d", len(got), len(want))
	}

	// Two merges on one key: the second moves only its new side.
	R2 := R.Select("id", "w").Assign("w2", "w * 2").Select("id", "w2")
	ab := L.Merge(R, []string{"id"}, "inner", noBroadcast)
	abc := ab.Merge(R2, []string{"id"}, "left", noBroadcast)
	ex := abc.Explain()
	if strings.Count(ex, "strategy="+dataframe.StrategyShuffle) != 1 || !strings.Contains(ex, "Merge's right side: hash shuffle 6 -> 8 partitions on [id], as the other side is placed") {
		t.Fatalf("the second merge on the key shuffles its placed side again:\n%s", ex)
	}
	want = plannerDuckDB(t, fmt.Sprintf("SELECT m.*, r2.w * 2 AS w2 FROM (%s) m LEFT JOIN read_parquet('%s/*.parquet') r2 USING (id)", sql("INNER"), rdir))
	if got := rowsOf(t, mustCompute(t, ctx, abc)); len(want) < 100 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("two merges on one key: %d rows, DuckDB %d", len(got), len(want))
	}

	// A group-by on the key of hash-placed data: no reduction tree.
	g := ab.GroupBy("id").Agg(dataframe.Sum("w"), dataframe.Count("k"))
	ex = g.Explain()
	if !strings.Contains(ex, "per partition, no shuffle (the data is hash-placed on [id])") || strings.Contains(ex, "tree reduction") || strings.Count(ex, "hash-shuffle") != 1 {
		t.Fatalf("group-by of hash-placed data:\n%s", ex)
	}
	want = plannerDuckDB(t, fmt.Sprintf("SELECT id, sum(w) AS w_sum, count(k) AS k_count FROM (%s) GROUP BY id", sql("INNER")))
	if got := rowsOf(t, mustCompute(t, ctx, g)); len(want) < 100 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("group-by of hash-placed data: %d groups, DuckDB %d", len(got), len(want))
	}

	// A group-by on the index of sorted data: in order, divisions kept.
	gs := si.GroupBy("id", "k").Agg(dataframe.Mean("x"))
	ex = gs.Explain()
	if !strings.Contains(ex, "no shuffle (the data is sorted on id with known divisions)") || strings.Contains(ex, "tree reduction") {
		t.Fatalf("group-by of sorted data:\n%s", ex)
	}
	if d := gs.Divisions(); d == nil || d.Column != "id" || gs.NPartitions() != 4 {
		t.Fatalf("group-by of sorted data: divisions %v, %d partitions", d, gs.NPartitions())
	}
	tbl := mustCompute(t, ctx, gs)
	db := plannerDuckDB(t, fmt.Sprintf("SELECT id, k, avg(x) AS x_mean FROM read_parquet('%s/*.parquet') GROUP BY id, k", ldir))
	if got := tableLines(t, tbl); len(db) < 100 || fmt.Sprint(plannerSorted(got)) != fmt.Sprint(db) {
		t.Fatalf("group-by of sorted data: %d groups, DuckDB %d", len(got), len(db))
	} else {
		ordered := plannerDuckDBOrdered(t, fmt.Sprintf("SELECT id, k, avg(x) AS x_mean FROM read_parquet('%s/*.parquet') GROUP BY id, k ORDER BY id, k", ldir))
		if fmt.Sprint(got) != fmt.Sprint(ordered) {
			t.Fatal("group-by of sorted data: the groups are not in key order")
		}
	}
}

// plannerDuckDBOrdered is plannerDuckDB in the query's own order.
func plannerDuckDBOrdered(t *testing.T, query string) []string {
	t.Helper()
	// Number the rows, render them sorted by number, drop the number.
	lines := plannerDuckDB(t, fmt.Sprintf("SELECT lpad((row_number() OVER ())::VARCHAR, 9, '0') AS n_, * FROM (%s)", query))
	for i, l := range lines {
		_, lines[i], _ = strings.Cut(l, "|")
	}
	return lines
}
