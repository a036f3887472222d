package dataframe_test

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe"
)

// ranIndexed persists a frame made by SetIndex and returns its rows (a
// chunk a partition) and the divisions of the partitions the run made:
// adaptive execution may read neighbouring ranges as one or cut a
// skewed one, so that they may differ from the planned ones.
func ranIndexed(t *testing.T, ctx context.Context, df *dataframe.DataFrame) (arrow.Table, *dataframe.Divisions) {
	t.Helper()
	p, err := df.Persist(ctx)
	if err != nil {
		t.Fatalf("Persist: %v", err)
	}
	t.Cleanup(p.Release)
	return mustCompute(t, ctx, p), p.Divisions()
}

// checkSorted checks that every partition of tbl lies in its division and
// is sorted on column col (an int64 column), and returns its values.
func checkSorted(t *testing.T, tbl arrow.Table, col int, d *dataframe.Divisions) []int64 {
	t.Helper()
	var all []int64
	chunks := tbl.Column(col).Data().Chunks()
	if d != nil && len(chunks) != len(d.Bounds)-1 {
		t.Fatalf("%d partitions, %d divisions", len(chunks), len(d.Bounds))
	}
	for p, ch := range chunks {
		vals := ch.(*array.Int64).Int64Values()
		for i, v := range vals {
			if i > 0 && v < vals[i-1] {
				t.Fatalf("partition %d not sorted at row %d", p, i)
			}
			if d != nil {
				lo, hi := d.Bounds[p].(int64), d.Bounds[p+1].(int64)
				last := p == len(chunks)-1
				if v < lo || v > hi || (!last && v == hi) {
					t.Fatalf("partition %d holds %d, outside [%d, %d)", p, v, lo, hi)
				}
			}
		}
		all = append(all, vals...)
	}
	return all
}

func TestSetIndexSampledSortedAndGiven(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(4000, 997, 5)
	// Scramble the ids so that partitions overlap.
	for i := range rows {
		rows[i].ID = int64((i * 7919) % 997)
	}
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(6))
	if err != nil {
		t.Fatal(err)
	}
	si, err := df.SetIndex(ctx, "id")
	if err != nil {
		t.Fatal(err)
	}
	d := si.Divisions()
	if d == nil || d.Column != "id" || si.NPartitions() < 4 {
		t.Fatalf("divisions %v over %d partitions", d, si.NPartitions())
	}
	tbl, ran := ranIndexed(t, ctx, si)
	got := checkSorted(t, tbl, 0, ran)
	want := make([]int64, len(rows))
	for i, r := range rows {
		want[i] = r.ID
	}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatal("SetIndex lost or changed rows")
	}
	// The other columns moved with their rows.
	if a, b := rowsOf(t, tbl), rowsOf(t, mustCompute(t, ctx, df)); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("rows differ after SetIndex")
	}

	// Sorted(): no shuffle, divisions from each partition's range.
	again, err := si.Select("id", "x").SetIndex(ctx, "id", dataframe.Sorted())
	if err != nil {
		t.Fatal(err)
	}
	if again.NPartitions() != si.NPartitions() || again.Divisions() == nil {
		t.Fatalf("Sorted(): %d partitions, divisions %v", again.NPartitions(), again.Divisions())
	}
	if _, err := df.SetIndex(ctx, "id", dataframe.Sorted()); err == nil {
		t.Fatal("Sorted() on unsorted data: no error")
	} else {
		wantErr(t, err, "not sorted")
	}

	// Given divisions.
	given, err := df.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds[int64](0, 100, 500, 996)))
	if err != nil {
		t.Fatal(err)
	}
	g, gd := ranIndexed(t, ctx, given)
	checkSorted(t, g, 0, gd)
	if n := g.NumRows(); n != int64(len(rows)) {
		t.Fatalf("%d rows after SetIndex with divisions", n)
	}
	_, err = df.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds[int64](5, 3)))
	wantErr(t, err, "ascend")
	_, err = df.SetIndex(ctx, "nope")
	wantErr(t, err, `no column "nope"`)

	// SortValues, descending.
	sv, err := df.SortValues(ctx, []string{"y", "id"}, dataframe.Descending())
	if err != nil {
		t.Fatal(err)
	}
	lines := tableLines(t, mustCompute(t, ctx, sv.Select("y")))
	for i := 1; i < len(lines); i++ {
		var a, b float64
		fmt.Sscan(lines[i-1], &a)
		fmt.Sscan(lines[i], &b)
		if b > a {
			t.Fatalf("SortValues descending: %v before %v", a, b)
		}
	}
}

// TestSetIndexOfCategoricalData shuffles a frame with a categorical column
// (whose pieces go as Arrow IPC, with their dictionaries, not in the plain
// piece layout): the rows and the categories survive.
func TestSetIndexOfCategoricalData(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(3000, 500, 6)
	for i := range rows {
		rows[i].ID = int64((i * 7919) % 500)
	}
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(5))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := df.Categorize(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	si, err := cat.SetIndex(ctx, "id")
	if err != nil {
		t.Fatal(err)
	}
	tbl, ran := ranIndexed(t, ctx, si)
	checkSorted(t, tbl, 0, ran)
	if tbl.Schema().Field(1).Type.ID() != arrow.DICTIONARY {
		t.Fatalf("k is %s after SetIndex, want a dictionary", tbl.Schema().Field(1).Type)
	}
	if got := fmt.Sprint(si.Categories("k")); got != "[k00 k01 k02 k03 k04 k05]" {
		t.Fatalf("categories after SetIndex = %s", got)
	}
	if a, b := rowsOf(t, tbl), rowsOf(t, mustCompute(t, ctx, df)); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("rows differ after SetIndex of categorical data")
	}
}
