package dataframe_test

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

// groupWant computes the expected aggregates of rows by k in Go.
func groupWant(rows []row) []string {
	type acc struct {
		n        int
		sx, qx   float64
		maxY     float64
		distinct map[int64]bool
	}
	m := map[string]*acc{}
	for _, r := range rows {
		a := m[r.K]
		if a == nil {
			a = &acc{maxY: math.Inf(-1), distinct: map[int64]bool{}}
			m[r.K] = a
		}
		a.n++
		a.sx += r.X
		a.qx += r.X * r.X
		a.maxY = math.Max(a.maxY, r.Y)
		a.distinct[r.ID] = true
	}
	var out []string
	for k, a := range m {
		mean := a.sx / float64(a.n)
		std := math.Sqrt((a.qx - a.sx*a.sx/float64(a.n)) / float64(a.n-1))
		out = append(out, fmt.Sprintf("%s|%.6g|%.6g|%.6g|%d|%.6g|%d", k, a.sx, mean, a.maxY, a.n, std, len(a.distinct)))
	}
	sort.Strings(out)
	return out
}

func TestGroupByAggTreeAndSplitOut(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(5000, 300, 23)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(20))
	if err != nil {
		t.Fatal(err)
	}
	aggs := []dataframe.Aggregation{dataframe.Sum("x"), dataframe.Mean("x"), dataframe.Max("y"),
		dataframe.Count("x").As("n"), dataframe.Std("x"), dataframe.NUnique("id")}
	want := groupWant(rows)
	// 20 partitions with split_every 3: a tree three levels deep.
	g := df.GroupBy("k").SplitEvery(3).Agg(aggs...)
	if g.Err() != nil {
		t.Fatal(g.Err())
	}
	if got := fmt.Sprint(g.Columns()); got != "[k x_sum x_mean y_max n x_std id_nunique]" {
		t.Fatalf("columns = %s", got)
	}
	got := tableLines(t, mustCompute(t, ctx, g))
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("tree: got\n%v\nwant\n%v", got, want)
	}
	// Split out over 4 partitions through a shuffle: the same groups.
	so := df.GroupBy("k").SplitOut(4).Agg(aggs...)
	if so.NPartitions() != 4 {
		t.Fatalf("SplitOut(4) has %d partitions", so.NPartitions())
	}
	if got := rowsOf(t, mustCompute(t, ctx, so)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("split out: got\n%v\nwant\n%v", got, want)
	}
	// Without Std and NUnique, Go aggregates (partials, tree and final):
	// the same figures, sorted by the key, from partitions in memory and
	// from the query chain of a filter that keeps every row.
	for _, in := range []*dataframe.DataFrame{df, df.Filter("x >= 0")} {
		simple := in.GroupBy("k").SplitEvery(3).Agg(dataframe.Sum("x"), dataframe.Mean("x"), dataframe.Max("y"), dataframe.Count("x").As("n"))
		if !strings.Contains(simple.Explain(), "in Go") {
			t.Fatalf("not aggregated in Go:\n%s", simple.Explain())
		}
		var short []string
		for _, w := range want {
			f := strings.Split(w, "|")
			short = append(short, strings.Join(f[:5], "|"))
		}
		if got := tableLines(t, mustCompute(t, ctx, simple)); fmt.Sprint(got) != fmt.Sprint(short) {
			t.Fatalf("in Go: got\n%v\nwant\n%v", got, short)
		}
	}
	// Group by two keys, with a filter first.
	two := mustCompute(t, ctx, df.Filter("x >= 5").GroupBy("k", "id").Agg(dataframe.Count("x")))
	n := 0
	for _, r := range rows {
		if r.X >= 5 {
			n++
		}
	}
	total := int64(0)
	col := two.Column(2).Data().Chunks()
	for _, ch := range col {
		for i := range ch.Len() {
			v := ch.ValueStr(i)
			var x int64
			fmt.Sscan(v, &x)
			total += x
		}
	}
	if total != int64(n) {
		t.Fatalf("counts sum to %d, want %d", total, n)
	}
	wantErr(t, df.GroupBy("nope").Agg(dataframe.Sum("x")).Err(), "GroupBy", `"nope"`)
	wantErr(t, df.GroupBy("k").Agg(dataframe.Sum("k")).Err(), "sum")
}

func TestValueCountsAndDropDuplicates(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(1000, 40, 6)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(5))
	if err != nil {
		t.Fatal(err)
	}
	vc := tableLines(t, mustCompute(t, ctx, df.ValueCounts("k")))
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.K]++
	}
	if len(vc) != len(counts) {
		t.Fatalf("ValueCounts = %v", vc)
	}
	prev := math.MaxInt
	for _, line := range vc {
		var k string
		var n int
		fmt.Sscanf(line, "%3s|%d", &k, &n)
		if counts[k] != n || n > prev {
			t.Fatalf("ValueCounts line %q (want %d, descending)", line, counts[k])
		}
		prev = n
	}
	dd, err := df.Select("id", "k").DropDuplicates().Len(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pairs := map[string]bool{}
	for _, r := range rows {
		pairs[fmt.Sprint(r.ID, r.K)] = true
	}
	if dd != int64(len(pairs)) {
		t.Fatalf("DropDuplicates kept %d rows, want %d", dd, len(pairs))
	}
	byID, err := df.DropDuplicates("id").Len(ctx)
	if err != nil || byID != 40 {
		t.Fatalf("DropDuplicates(id) = %d, %v; want 40", byID, err)
	}
}
