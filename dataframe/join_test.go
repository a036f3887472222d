package dataframe_test

import (
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

// nullSide is a side of the Join tests whose id may be null.
type nullSide struct {
	ID *int64  `df:"id"`
	A  float64 `df:"a"`
	V  string  `df:"v"`
}

func nullSideOf(id int64, null bool, a float64, v string) nullSide {
	if null {
		return nullSide{A: a, V: v}
	}
	return nullSide{ID: &id, A: a, V: v}
}

// sideTable loads rows into DuckDB as table name (id, a, v).
func sideTable(t *testing.T, db *sql.DB, name string, rows []nullSide) {
	t.Helper()
	var vals []string
	for _, r := range rows {
		id := "NULL"
		if r.ID != nil {
			id = fmt.Sprint(*r.ID)
		}
		vals = append(vals, fmt.Sprintf("(%s, %v, '%s')", id, r.A, r.V))
	}
	if _, err := db.Exec(fmt.Sprintf("CREATE TABLE %s (id BIGINT, a DOUBLE, v VARCHAR); INSERT INTO %s VALUES %s", name, name, strings.Join(vals, ", "))); err != nil {
		t.Fatal(err)
	}
}

func TestJoinOnIndexMatchesDuckDB(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	// Sorted on id: the left has each id twice (in one partition), the
	// right once; a few ids are null on both sides (last, where SetIndex
	// places them): they match nothing.
	var l, r []nullSide
	for i := range 300 {
		l = append(l, nullSideOf(int64(i/2), false, float64(i), fmt.Sprintf("l%d", i)))
	}
	for i := range 6 {
		l = append(l, nullSideOf(0, true, float64(1000+i), fmt.Sprintf("ln%d", i)))
	}
	for i := range 160 {
		r = append(r, nullSideOf(int64(100+i), false, float64(-i), fmt.Sprintf("r%d", i)))
	}
	for i := range 5 {
		r = append(r, nullSideOf(0, true, float64(-1000-i), fmt.Sprintf("rn%d", i)))
	}
	// Ranges that differ and overlap in part, an empty partition on the
	// left (of 9, 34 rows each) and a small one on the right (of 5).
	const keepL, keepR = "id IS NULL OR id < 17 OR id >= 34", "id IS NULL OR id < 140 OR id >= 166"
	ldf := sortedFrame(t, ctx, c, l, "id", 9, keepL)
	rdf := sortedFrame(t, ctx, c, r, "id", 5, keepR)
	ldf2 := sortedFrame(t, ctx, c, l, "id", 9, keepL)
	db := openDuckDB(t)
	sideTable(t, db, "l", l)
	sideTable(t, db, "r", r)
	keepRows(t, db, "l", keepL)
	keepRows(t, db, "r", keepR)
	kinds := map[string]string{"inner": "INNER", "left": "LEFT", "right": "RIGHT", "outer": "FULL OUTER"}
	for _, how := range []string{"inner", "left", "right", "outer"} {
		want := duckdbRows(t, db, fmt.Sprintf("SELECT coalesce(l.id, r.id), l.a, l.v, r.a, r.v FROM l %s JOIN r ON l.id = r.id", kinds[how]))
		sort.Strings(want)
		// Other divisions: one side is cut to the other's (both, for
		// outer), no shuffle.
		j := ldf.Join(rdf, how)
		if err := j.Err(); err != nil {
			t.Fatal(err)
		}
		ex := j.Explain()
		if !strings.Contains(ex, "Align on id") || !strings.Contains(ex, dataframe.StrategyAligned) || strings.Contains(ex, dataframe.StrategyShuffle) {
			t.Fatalf("%s: the plan is not aligned without a shuffle:\n%s", how, ex)
		}
		sameRows(t, "Join "+how, rowsOf(t, mustCompute(t, ctx, j)), want)
		// The right side without divisions: Merge.
		unsorted, err := dataframe.FromRecords(ctx, c, r, dataframe.Partitions(3))
		if err != nil {
			t.Fatal(err)
		}
		unsorted = unsorted.Filter(keepR)
		m := ldf.Join(unsorted, how)
		if strings.Contains(m.Explain(), "Align on") {
			t.Fatalf("%s: a right side with no divisions was aligned:\n%s", how, m.Explain())
		}
		sameRows(t, "Join (Merge) "+how, rowsOf(t, mustCompute(t, ctx, m)), want)
	}
	// A strategy forced: Merge does as told.
	forced := ldf.Join(rdf, "inner", dataframe.Strategy(dataframe.StrategyShuffle))
	if ex := forced.Explain(); strings.Contains(ex, "Align on") || !strings.Contains(ex, dataframe.StrategyShuffle) {
		t.Fatalf("forced shuffle: %s", ex)
	}
	inner := duckdbRows(t, db, "SELECT l.id, l.a, l.v, r.a, r.v FROM l JOIN r ON l.id = r.id")
	sort.Strings(inner)
	sameRows(t, "Join with a forced shuffle", rowsOf(t, mustCompute(t, ctx, forced)), inner)
	// Equal divisions: partition by partition, nothing cut.
	same := ldf.Join(ldf2, "inner")
	if ex := same.Explain(); strings.Contains(ex, "Align on") || !strings.Contains(ex, dataframe.StrategyAligned) {
		t.Fatalf("equal divisions: %s", ex)
	}
	want := duckdbRows(t, db, "SELECT id, a.a, a.v, b.a, b.v FROM l a JOIN l b USING (id)")
	sort.Strings(want)
	sameRows(t, "Join of equal divisions", rowsOf(t, mustCompute(t, ctx, same)), want)
	if d := same.Divisions(); d == nil || d.Column != "id" {
		t.Fatalf("inner Join lost the divisions: %v", d)
	}
}

func TestJoinErrors(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeTSRows(30)
	unsorted, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	byID := sortedFrame(t, ctx, c, rows, "id", 2, "")
	byT := sortedFrame(t, ctx, c, rows, "t", 2, "")
	wantErr(t, unsorted.Join(byID, "inner").Err(), "join_test.go:", "Join", "SetIndex first")
	wantErr(t, byID.Join(byT, "inner").Err(), "Join", `index is "id"`, `"t"`, "Merge")
	wantErr(t, byID.Join(byID, "sideways").Err(), "Join", `how is "sideways"`)
	wantErr(t, byID.Join(unsorted.Select("x"), "inner").Err(), "Join", `no column "id"`, "SetIndex")
}
