package dataframe_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

func TestHiveParquet(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(2000, 50, 5)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	// k with a null and a value holding a slash, a quote and a space.
	odd := "a/b'c d"
	df = df.Assign("g", "id % 4").Assign("k", "CASE WHEN id % 7 = 0 THEN NULL WHEN id % 7 = 1 THEN 'a/b''c d' ELSE k END")
	kOf := func(r row) *string {
		switch r.ID % 7 {
		case 0:
			return nil
		case 1:
			return &odd
		}
		return &r.K
	}
	dir := filepath.Join(t.TempDir(), "hive")
	if err := df.ToParquet(ctx, dir, dataframe.PartitionOn("g", "k")); err != nil {
		t.Fatal(err)
	}
	// The layout: g=N/k=V/part.P.parquet, null as Hive's default
	// partition, the slash escaped.
	type dirKey struct {
		g int64
		k string
	}
	dirs := map[dirKey]map[int]bool{} // -> the partitions with rows there
	per := len(rows) / 4
	for i, r := range rows {
		k := "__HIVE_DEFAULT_PARTITION__"
		if v := kOf(r); v != nil {
			k = strings.NewReplacer("/", "%2F", "'", "%27").Replace(*v)
		}
		d := dirKey{r.ID % 4, k}
		if dirs[d] == nil {
			dirs[d] = map[int]bool{}
		}
		dirs[d][i/per] = true
	}
	files := 0
	for d, parts := range dirs {
		for p := range parts {
			path := filepath.Join(dir, fmt.Sprintf("g=%d", d.g), "k="+d.k, fmt.Sprintf("part.%d.parquet", p))
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("missing %s: %v", path, err)
			}
			files++
		}
	}
	back := dataframe.ReadParquet(c, dir)
	if back.Err() != nil {
		t.Fatal(back.Err())
	}
	if got := strings.Join(back.Columns(), ","); got != "id,x,y,g,k" {
		t.Fatalf("columns %s; want the files' then the directories'", got)
	}
	if back.NPartitions() != files {
		t.Fatalf("%d partitions, want %d (a file each)", back.NPartitions(), files)
	}
	want := rowsOf(t, mustCompute(t, ctx, df.Select("id", "x", "y", "g", "k")))
	if got := rowsOf(t, mustCompute(t, ctx, back)); !slices.Equal(got, want) {
		t.Fatalf("read back %d rows, wrote %d", len(got), len(want))
	}
	if g := back.Schema().Field(3).Type.String(); g != "int64" {
		t.Fatalf("g read back as %s", g)
	}

	// A filter on a directory column skips directories.
	g2 := back.Filter("g = 2")
	var dirs2, files2 int
	var want2 []string
	for d, parts := range dirs {
		if d.g == 2 {
			dirs2++
			files2 += len(parts)
		}
	}
	for _, l := range want {
		if strings.Split(l, "|")[3] == "2" {
			want2 = append(want2, l)
		}
	}
	ex := g2.Explain()
	if !strings.Contains(ex, fmt.Sprintf("dirs=%d/%d", dirs2, len(dirs))) || !strings.Contains(ex, "pruned-by=[g = 2]") {
		t.Fatalf("Explain does not show the pruning (want dirs=%d/%d):\n%s", dirs2, len(dirs), ex)
	}
	if !strings.Contains(ex, fmt.Sprintf("partitions=%d", files2)) {
		t.Fatalf("Explain does not read %d partitions:\n%s", files2, ex)
	}
	if got := rowsOf(t, mustCompute(t, ctx, g2)); !slices.Equal(got, want2) {
		t.Fatalf("g = 2: %d rows, want %d", len(got), len(want2))
	}
	// A filter on directory and file columns at once.
	both := back.Filter("g = 2 AND x > 20")
	var wantBoth []string
	for _, l := range want2 {
		var x float64
		fmt.Sscan(strings.Split(l, "|")[1], &x)
		if x > 20 {
			wantBoth = append(wantBoth, l)
		}
	}
	if got := rowsOf(t, mustCompute(t, ctx, both)); len(wantBoth) == 0 || !slices.Equal(got, wantBoth) {
		t.Fatalf("g = 2 AND x > 20: %d rows, want %d", len(got), len(wantBoth))
	}
	// With a typed expression, on the string column, with columns picked.
	odds := back.FilterExpr(dataframe.Col("k").Eq(odd).And(dataframe.Col("g").Ge(1))).Select("id", "k")
	ex = odds.Explain()
	if !strings.Contains(ex, fmt.Sprintf("dirs=3/%d", len(dirs))) || !strings.Contains(ex, "columns=[id, g, k]") {
		t.Fatalf("Explain of the FilterExpr:\n%s", ex)
	}
	var wantOdd []string
	for _, r := range rows {
		if v := kOf(r); v != nil && *v == odd && r.ID%4 >= 1 {
			wantOdd = append(wantOdd, fmt.Sprintf("%d|%s", r.ID, odd))
		}
	}
	slices.Sort(wantOdd)
	if got := rowsOf(t, mustCompute(t, ctx, odds)); !slices.Equal(got, wantOdd) {
		t.Fatalf("k = %q: %d rows, want %d", odd, len(got), len(wantOdd))
	}
	// Nothing left: one empty partition.
	none := back.Filter("g = 9")
	if !strings.Contains(none.Explain(), fmt.Sprintf("dirs=0/%d", len(dirs))) {
		t.Fatalf("g = 9:\n%s", none.Explain())
	}
	if n, err := none.Len(ctx); err != nil || n != 0 {
		t.Fatalf("g = 9: %d rows, %v", n, err)
	}

	// DuckDB reads the same rows from the layout.
	var sumX float64
	var nk int
	for _, r := range rows {
		sumX += r.X
		if kOf(r) != nil {
			nk++
		}
	}
	q := fmt.Sprintf("SELECT count(*) || '|' || CAST(sum(x) AS DECIMAL(18, 3)) || '|' || count(k) || '|' || sum(g) || '|' || count(*) FILTER (WHERE k = 'a/b''c d') FROM read_parquet('%s/*/*/*.parquet', hive_partitioning = true)", dir)
	var sumG int64
	var nOdd int
	for _, r := range rows {
		sumG += r.ID % 4
		if v := kOf(r); v != nil && *v == odd {
			nOdd++
		}
	}
	if got, w := duckdbScalar(t, q), fmt.Sprintf("%d|%.3f|%d|%d|%d", len(rows), sumX, nk, sumG, nOdd); got != w {
		t.Fatalf("DuckDB's hive read: %s, want %s", got, w)
	}
	// A group-by over the directories' column agrees with DuckDB's.
	agg := back.GroupBy("k").Agg(dataframe.Sum("x"), dataframe.Count("id"))
	var lines []string
	for _, l := range rowsOf(t, mustCompute(t, ctx, agg)) {
		f := strings.Split(l, "|")
		var x float64
		fmt.Sscan(f[1], &x)
		lines = append(lines, fmt.Sprintf("%s:%.3f:%s", f[0], x, f[2]))
	}
	slices.Sort(lines)
	duck := duckdbScalar(t, fmt.Sprintf("SELECT string_agg(coalesce(k, 'null') || ':' || CAST(sum_x AS DECIMAL(18, 3)) || ':' || n, ',' ORDER BY coalesce(k, 'null') || ':') FROM (SELECT k, sum(x) AS sum_x, count(id) AS n FROM read_parquet('%s/*/*/*.parquet', hive_partitioning = true) GROUP BY k)", dir))
	if strings.Join(lines, ",") != duck {
		t.Fatalf("GroupBy(k):\n%s\nDuckDB:\n%s", strings.Join(lines, ","), duck)
	}
}

func TestHiveParquetMistakes(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	df, err := dataframe.FromRecords(ctx, c, makeRows(100, 10, 3), dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "h")
	wantErr(t, df.ToParquet(ctx, dir, dataframe.PartitionOn("nope")), "hive_test.go:", "ToParquet", `no column "nope"`)
	wantErr(t, df.ToParquet(ctx, dir, dataframe.PartitionOn("x")), `column "x"`, "float64", "partition on integers")
	wantErr(t, df.Select("k").ToParquet(ctx, dir, dataframe.PartitionOn("k")), "every column")
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("a refused ToParquet made %s", dir)
	}
	// Directories that are not col=value.
	bad := t.TempDir()
	if err := df.ToParquet(ctx, filepath.Join(bad, "k=a", "plain")); err != nil {
		t.Fatal(err)
	}
	wantErr(t, dataframe.ReadParquet(c, bad).Err(), "ReadParquet", "plain", "not a col=value directory")
}
