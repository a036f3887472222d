package dataframe

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/internal/testcluster"
)

// TestDuckRunsReadSeveralFilesAQuery checks the queries a reduction's
// partials read Parquet with: whole files several to a query when there
// are enough of them for every worker, one a query otherwise; and that a
// group-by over such queries gives the rows' aggregates.
func TestDuckRunsReadSeveralFilesAQuery(t *testing.T) {
	ctx := testcluster.Context(t)
	c := testcluster.New(t, ctx, nil)
	type rec struct {
		ID int64   `df:"id"`
		K  string  `df:"k"`
		X  float64 `df:"x"`
	}
	rows := make([]rec, 5000)
	sums := map[string]float64{}
	for i := range rows {
		rows[i] = rec{ID: int64(i), K: fmt.Sprintf("k%d", i%7), X: float64(i%101) / 4}
		sums[rows[i].K] += rows[i].X
	}
	df, err := FromRecords(ctx, c, rows, Partitions(10))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "pq")
	if err := df.ToParquet(ctx, dir); err != nil {
		t.Fatal(err)
	}
	pq := ReadParquet(c, dir)
	if pq.Err() != nil {
		t.Fatal(pq.Err())
	}
	node, ok := pq.n.(*parquetNode)
	if !ok {
		t.Fatalf("ReadParquet gave a %T", pq.n)
	}
	for _, tc := range []struct{ minRuns, queries, files int }{
		{0, 10, 1}, {4, 5, 2}, {3, 4, 3}, {10, 10, 1}, {40, 10, 1},
	} {
		qs := node.duckRuns(tc.minRuns)
		if len(qs) != tc.queries {
			t.Fatalf("minRuns %d: %d queries, want %d", tc.minRuns, len(qs), tc.queries)
		}
		seen := 0
		for _, scan := range qs {
			q := scan.query
			n := strings.Count(q, ".parquet'")
			if n > tc.files {
				t.Fatalf("minRuns %d: a query reads %d files, want at most %d:\n%s", tc.minRuns, n, tc.files, q)
			}
			seen += n
		}
		if seen != 10 {
			t.Fatalf("minRuns %d: the queries read %d files, want 10", tc.minRuns, seen)
		}
	}
	// With 2 workers, 10 files go 2 to a query.
	g := pq.GroupBy("k").Agg(Sum("x"))
	tbl, err := g.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tbl.NumRows() != 7 {
		t.Fatalf("%d groups, want 7", tbl.NumRows())
	}
	ks := tbl.Column(0).Data().Chunk(0)
	xs := tbl.Column(1).Data().Chunk(0)
	for i := range int(tbl.NumRows()) {
		k := ks.ValueStr(i)
		var got float64
		fmt.Sscan(xs.ValueStr(i), &got)
		if got != sums[k] {
			t.Fatalf("sum(x) of %s = %v, want %v", k, got, sums[k])
		}
	}
}
