package dataframe_test

import (
	"fmt"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

func TestFilterSelectAssignCompute(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(1000, 50, 5)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	if df.NPartitions() != 4 {
		t.Fatalf("NPartitions = %d", df.NPartitions())
	}
	out := df.Filter("x > 10").Assign("z", "x * 2 + y").Select("id", "z")
	if out.Err() != nil {
		t.Fatal(out.Err())
	}
	tbl := mustCompute(t, ctx, out)
	var want []string
	for _, r := range rows {
		if r.X > 10 {
			want = append(want, fmt.Sprintf("%d|%.6g", r.ID, r.X*2+r.Y))
		}
	}
	got := tableLines(t, tbl)
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("row %d = %s, want %s (order must be kept)", i, got[i], want[i])
		}
	}
	n, err := out.Len(ctx)
	if err != nil || n != int64(len(want)) {
		t.Fatalf("Len = %d, %v; want %d", n, err, len(want))
	}
	head, err := out.Head(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if h := tableLines(t, head); len(h) != 7 || h[6] != want[6] {
		t.Fatalf("Head(7) = %v", h)
	}
	all, err := out.Head(ctx, 100000)
	if err != nil || all.NumRows() != int64(len(want)) {
		t.Fatalf("Head(all) = %v rows, %v", all.NumRows(), err)
	}
}

func TestMistakesNameTheCall(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	df, err := dataframe.FromRecords(ctx, c, makeRows(10, 5, 2))
	if err != nil {
		t.Fatal(err)
	}
	bad := df.Select("id", "nope")
	wantErr(t, bad.Err(), "expr_test.go:", "Select", `no column "nope"`, `"id", "k", "x", "y"`)
	_, err = bad.Filter("x > 0").Compute(ctx)
	wantErr(t, err, `no column "nope"`)
	wantErr(t, df.Filter("x >").Err(), "Filter", `"x >"`, "syntax error")
	wantErr(t, df.Assign("z", "nosuch + 1").Err(), "Assign", "nosuch")
	wantErr(t, df.MapPartitionsSQL("SELECT * FROM elsewhere").Err(), "MapPartitionsSQL", "elsewhere")
}

func TestMapPartitionsSQLSelfJoin(t *testing.T) {
	// A query that reads its partition twice sees the same rows twice.
	ctx := testContext(t)
	c := newCluster(t, ctx)
	df, err := dataframe.FromRecords(ctx, c, makeRows(100, 10, 3), dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	out := df.MapPartitionsSQL("SELECT count(*) AS n FROM part a JOIN part b USING (id)")
	tbl := mustCompute(t, ctx, out)
	// Each partition holds 50 rows, 5 per id: 10 ids x 25 pairs.
	if got := tableLines(t, tbl); len(got) != 2 || got[0] != "250" || got[1] != "250" {
		t.Fatalf("self-join counts = %v; want [250 250]", got)
	}
}
