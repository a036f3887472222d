package dataframe_test

import (
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk/dataframe"
)

// quoteRows returns the right side of the as-of tests: 60 rows at strictly
// increasing times from 3h before the left's first, 23 minutes apart,
// group g2 only twice (its matches lie far back), one row at the very
// time of a left row.
func quoteRows(left []tsRow) []tsRow {
	groups := []string{"g0", "g0", "g1", "g0", "g1"}
	out := make([]tsRow, 60)
	for k := range out {
		g := groups[k%5]
		if k == 2 || k == 30 {
			g = "g2"
		}
		out[k] = tsRow{T: tsBase.Add(-3*time.Hour + time.Duration(k)*23*time.Minute + 30*time.Second), ID: int64(1000 + k), X: float64(k) * 1.5, V: int64(k), G: g}
	}
	for _, r := range left {
		if r.T.After(out[39].T) && r.T.Before(out[41].T) {
			out[40].T = r.T
			break
		}
	}
	return out
}

func TestMergeAsofMatchesDuckDBAcrossEdges(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	left := makeTSRows(150)
	right := quoteRows(left)
	// Small and empty partitions on both sides, over other ranges: right
	// partitions of 1, 10, 10, 0, 0 and 5 rows.
	const keepRight = "id < 1001 OR (id >= 1010 AND id < 1030) OR id >= 1055"
	l := sortedFrame(t, ctx, c, left, "t", 10, keep150)
	r := sortedFrame(t, ctx, c, right, "t", 6, keepRight)
	db := openDuckDB(t)
	duckdbTable(t, db, "l", left)
	duckdbTable(t, db, "r", right)
	keepRows(t, db, "l", keep150)
	keepRows(t, db, "r", keepRight)

	byG := l.MergeAsof(r, "t", "g")
	if err := byG.Err(); err != nil {
		t.Fatal(err)
	}
	if got := byG.Columns(); len(got) != 8 || got[1] != "id_x" || got[4] != "g" || got[5] != "id_y" {
		t.Fatalf("columns %v", got)
	}
	if ex := byG.Explain(); !strings.Contains(ex, "MergeAsof on=t by=[g]") || !strings.Contains(ex, "no shuffle") {
		t.Fatalf("Explain:\n%s", ex)
	}
	if d := byG.Divisions(); d == nil || d.Column != "t" || byG.NPartitions() != l.NPartitions() {
		t.Fatalf("MergeAsof kept %d partitions, divisions %v", byG.NPartitions(), d)
	}
	want := duckdbRows(t, db, `SELECT epoch_us(l.t), l.id, l.x, l.v, l.g, r.id, r.x, r.v FROM l ASOF LEFT JOIN r ON l.g = r.g AND l.t >= r.t ORDER BY l.t`)
	sameRows(t, "MergeAsof by g", windowLines(mustCompute(t, ctx, byG)), want)

	plain := l.MergeAsof(r, "t")
	want = duckdbRows(t, db, `SELECT epoch_us(l.t), l.id, l.x, l.v, l.g, r.id, r.x, r.v, r.g FROM l ASOF LEFT JOIN r ON l.t >= r.t ORDER BY l.t`)
	sameRows(t, "MergeAsof", windowLines(mustCompute(t, ctx, plain)), want)

	// The right side's divisions all after the left's: no matches.
	late := r.Filter("id >= 1059")
	lateWant := duckdbRows(t, db, `SELECT epoch_us(l.t), l.id, l.x, l.v, l.g, r.id, r.x, r.v FROM l ASOF LEFT JOIN (SELECT * FROM r WHERE id >= 1059) r ON l.g = r.g AND l.t >= r.t ORDER BY l.t`)
	sameRows(t, "MergeAsof with a filtered right side", windowLines(mustCompute(t, ctx, l.MergeAsof(late, "t", "g"))), lateWant)
}

func TestMergeAsofErrors(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	left := makeTSRows(30)
	unsorted, err := dataframe.FromRecords(ctx, c, left, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	l := sortedFrame(t, ctx, c, left, "t", 2, "")
	byID := sortedFrame(t, ctx, c, left, "id", 2, "")
	wantErr(t, unsorted.MergeAsof(l, "t").Err(), "mergeasof_test.go:", "MergeAsof", "left side", "SetIndex(ctx, \"t\")")
	wantErr(t, l.MergeAsof(unsorted, "t").Err(), "MergeAsof", "right side", "SetIndex")
	wantErr(t, l.MergeAsof(byID, "t").Err(), "MergeAsof", "right side", "sorted on \"t\"")
	wantErr(t, l.MergeAsof(l, "t", "nope").Err(), "MergeAsof", `no column "nope"`)
	wantErr(t, l.MergeAsof(l, "t", "t").Err(), "MergeAsof", `"t" is given twice`)
	// Timestamps of two units: their divisions do not compare.
	ns, err := l.Assign("t", "t::TIMESTAMP_NS").SetIndex(ctx, "t", dataframe.Sorted())
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, l.MergeAsof(ns, "t").Err(), "MergeAsof", `column "t" is timestamp[us`, "timestamp[ns")
	wantErr(t, l.MergeAsof(l.Assign("__dusk_halo_own", "1"), "t").Err(), "MergeAsof", `"__dusk_halo_own"`, "rename it")
	other := l.Assign("g", "v")
	wantErr(t, l.MergeAsof(other, "t", "g").Err(), "MergeAsof", `column "g" is`, "cast one side")
}
