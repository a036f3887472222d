package dataframe

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2" // DuckDB alone, to write the test's files
)

// TestEqualStepsLoweredOnce lowers two DataFrames built apart that share a
// shuffle join, with and without the sharing ComputeAll uses: with it the
// join's two shuffles and its tasks are made once.
func TestEqualStepsLoweredOnce(t *testing.T) {
	dir := t.TempDir()
	duckdbExec(t,
		fmt.Sprintf("COPY (SELECT i AS id, i %% 7 AS x FROM range(1000) t(i)) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 250)", filepath.Join(dir, "l.parquet")),
		fmt.Sprintf("COPY (SELECT i * 2 AS id, i / 4 AS w FROM range(400) t(i)) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 100)", filepath.Join(dir, "r.parquet")),
	)
	build := func() *DataFrame {
		l := ReadParquet(nil, filepath.Join(dir, "l.parquet"))
		r := ReadParquet(nil, filepath.Join(dir, "r.parquet"))
		return l.Merge(r, []string{"id"}, "inner", Strategy(StrategyShuffle))
	}
	a := build().Select("id", "x")
	b := build().Select("id", "x").Assign("z", "x * 2")
	if a.Err() != nil || b.Err() != nil {
		t.Fatal(a.Err(), b.Err())
	}
	lower := func(share bool) (shuffles int, parts []part) {
		pa, _ := optimize(a.n, coalescing{})
		pb, _ := optimize(b.n, coalescing{})
		lw := newLowering(context.Background(), nil)
		lw.workers = []string{"worker"} // no cluster: the graph is only built
		if share {
			lw.same = newSharing()
		}
		for _, p := range []node{pa, pb} {
			ps, err := lw.parts(p)
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, ps...)
		}
		return len(lw.shuffles), parts
	}
	if n, _ := lower(false); n != 4 {
		t.Fatalf("without sharing: %d shuffles, want 4 (two per join)", n)
	}
	n, _ := lower(true)
	if n != 2 {
		t.Fatalf("with sharing: %d shuffles, want 2 (the join's, once)", n)
	}
	if ex := ExplainAll(a, b); !regexpShared.MatchString(ex) {
		t.Fatalf("ExplainAll does not show the join shared:\n%s", ex)
	}
}

var regexpShared = regexp.MustCompile(`(?s)DataFrame 2:\n.*\n    \(step \d+, shared\)\n`)

// duckdbExec runs queries in a DuckDB of its own (to write a test's files).
func duckdbExec(t *testing.T, queries ...string) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range queries {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}
