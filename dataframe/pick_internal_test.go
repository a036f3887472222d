package dataframe

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestSelectOverGoStepsPicksColumns lowers a Select and a Drop over a merge
// joined in Go: each partition's columns are picked (a
// dataframe.pick-columns-nullable task), not copied through a DuckDB query;
// over Parquet DuckDB reads, or over a Filter, the query stays (one query
// does both).
func TestSelectOverGoStepsPicksColumns(t *testing.T) {
	dir := t.TempDir()
	duckdbExec(t,
		fmt.Sprintf("COPY (SELECT i AS id, i %% 7 AS x, 'k' || (i %% 3) AS k FROM range(1000) t(i)) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 250)", filepath.Join(dir, "l.parquet")),
		fmt.Sprintf("COPY (SELECT i * 2 AS id, i / 4 AS w FROM range(400) t(i)) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 100)", filepath.Join(dir, "r.parquet")),
	)
	l := ReadParquet(nil, filepath.Join(dir, "l.parquet"))
	r := ReadParquet(nil, filepath.Join(dir, "r.parquet"))
	m := l.Merge(r, []string{"id"}, "inner", Strategy(StrategyShuffle))
	for _, tc := range []struct {
		name string
		df   *DataFrame
		pick bool
	}{
		{"Select over a merge", m.Select("w", "id", "k"), true},
		{"Drop over a merge", m.Drop("x"), true},
		{"Select over Parquet", l.Select("id", "k"), false},
		{"Select over a Filter over a merge", m.Filter("x < w").Select("id", "x"), false},
	} {
		if tc.df.Err() != nil {
			t.Fatal(tc.df.Err())
		}
		plan, _ := optimize(tc.df.n, coalescing{})
		// Explain says so.
		if ex := tc.df.Explain(); strings.Contains(ex, "(columns picked, no query)") != tc.pick {
			t.Fatalf("%s: Explain says picked: %v, want %v:\n%s", tc.name, !tc.pick, tc.pick, ex)
		}
		lw := newLowering(context.Background(), nil)
		lw.workers = []string{"worker"} // no cluster: the graph is only built
		parts, err := lw.parts(plan)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range parts {
			if got := strings.Contains(fmt.Sprint(p), "pick_columns_nullable"); got != tc.pick {
				t.Fatalf("%s: partition %d is %v; picked: %v, want %v", tc.name, i, p, got, tc.pick)
			}
		}
	}
}
