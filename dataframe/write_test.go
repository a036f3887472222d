package dataframe_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	_ "github.com/duckdb/duckdb-go/v2" // DuckDB alone, to read back what dusk wrote

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
)

// failOn fails the partition whose first id is the given one: a job that
// fails in the middle of writing.
var failOn = dusk.Register("dftest.fail-on", func(rec arrow.RecordBatch, id int64) (arrow.RecordBatch, error) {
	if rec.NumRows() > 0 && rec.Column(0).ValueStr(0) == fmt.Sprint(id) {
		return nil, errors.New("this partition fails on purpose")
	}
	return rec, nil
})

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

// duckdbScalar runs a query with DuckDB alone (not through dusk) and
// returns its one value as text.
func duckdbScalar(t *testing.T, query string) string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow(query).Scan(&v); err != nil {
		t.Fatalf("DuckDB alone: %v\n  in the query: %s", err, query)
	}
	return v
}

func TestToParquetRoundTrips(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(3000, 100, 4)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(3))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := df.Categorize(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if got := cat.Categories("k"); fmt.Sprint(got) != "[k00 k01 k02 k03]" {
		t.Fatalf("categories = %v", got)
	}
	root := t.TempDir()
	for _, comp := range []string{"snappy", "zstd", "none"} {
		dir := filepath.Join(root, comp)
		if err := cat.ToParquet(ctx, dir, dataframe.Compression(comp)); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(listDir(t, dir)); got != "[.part.0.parquet.crc .part.1.parquet.crc .part.2.parquet.crc _metadata part.0.parquet part.1.parquet part.2.parquet]" {
			t.Fatalf("%s wrote %s", comp, got)
		}
		// Read back by dusk: same rows, k still categorical with its
		// categories.
		back := dataframe.ReadParquet(c, dir)
		if back.Err() != nil {
			t.Fatal(back.Err())
		}
		if back.NPartitions() != 3 || back.Schema().Field(1).Type.ID() != arrow.DICTIONARY {
			t.Fatalf("read back %s", back)
		}
		if fmt.Sprint(back.Categories("k")) != "[k00 k01 k02 k03]" {
			t.Fatalf("categories read back = %v", back.Categories("k"))
		}
		if a, b := rowsOf(t, mustCompute(t, ctx, back)), rowsOf(t, mustCompute(t, ctx, df)); fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("%s: rows differ after a round trip", comp)
		}
		// Read back by DuckDB alone.
		var sx float64
		for _, r := range rows {
			sx += r.X
		}
		got := duckdbScalar(t, fmt.Sprintf("SELECT count(*) || '|' || sum(x) || '|' || count(DISTINCT k) FROM read_parquet('%s/part.*.parquet')", dir))
		if want := fmt.Sprintf("%d|%g|4", len(rows), sx); got != want {
			t.Fatalf("DuckDB reads %s, want %s", got, want)
		}
		codec := duckdbScalar(t, fmt.Sprintf("SELECT first(compression) FROM parquet_metadata('%s/part.0.parquet') WHERE path_in_schema = 'x'", dir))
		if want := map[string]string{"snappy": "SNAPPY", "zstd": "ZSTD", "none": "UNCOMPRESSED"}[comp]; codec != want {
			t.Fatalf("compression %s, want %s", codec, want)
		}
		// _metadata lists every part's row groups.
		rgs := duckdbScalar(t, fmt.Sprintf("SELECT count(DISTINCT row_group_id) FROM parquet_metadata('%s/_metadata')", dir))
		if rgs != "3" {
			t.Fatalf("_metadata lists %s row groups, want 3", rgs)
		}
	}
	// An existing directory is not overwritten unless asked.
	dir := filepath.Join(root, "snappy")
	wantErr(t, df.ToParquet(ctx, dir), "exists", "Overwrite")
	if err := df.Select("id").ToParquet(ctx, dir, dataframe.Overwrite()); err != nil {
		t.Fatal(err)
	}
	if n := dataframe.ReadParquet(c, dir).Schema().NumFields(); n != 1 {
		t.Fatalf("the overwritten directory has %d columns", n)
	}
	// A job that fails leaves nothing: neither the directory nor its
	// temporary.
	failing := df.MapPartitions(failOn, dataframe.Args(int64(0)))
	err = failing.ToParquet(ctx, filepath.Join(root, "failed"))
	wantErr(t, err, "fails on purpose")
	if got := listDir(t, root); fmt.Sprint(got) != "[none snappy zstd]" {
		t.Fatalf("after a failed job the directory holds %v", got)
	}
	wantErr(t, df.ToParquet(ctx, filepath.Join(root, "x"), dataframe.Compression("lz9")), "lz9")
}

func TestReadParquetPrunesColumnsAndRowGroups(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	// Row groups of 500 rows: ids ascend, so row groups hold id ranges.
	df, dir := rowsToParquet(t, ctx, c, 500)
	pq := dataframe.ReadParquet(c, dir, dataframe.ParquetBlockSize(1))
	if pq.NPartitions() != 8 {
		t.Fatalf("%d partitions, want a row group each (8)", pq.NPartitions())
	}
	q := pq.Filter("id >= 1200 AND id < 1700").Select("id", "x")
	plan := q.Explain()
	for _, want := range []string{"row-groups=2/8", "columns=[id, x]", "pruned-by=[id >= 1200 AND id < 1700]"} {
		if !strings.Contains(plan, want) {
			t.Fatalf("plan\n%s\nlacks %q", plan, want)
		}
	}
	tbl := mustCompute(t, ctx, q)
	if tbl.NumRows() != 500 || tbl.NumCols() != 2 {
		t.Fatalf("%d rows, %d columns; want 500, 2", tbl.NumRows(), tbl.NumCols())
	}
	// A reduction reads the row groups left in runs of a file's row groups
	// (here the second half of one file and the first of the next).
	counts := mustCompute(t, ctx, pq.Filter("id >= 700 AND id < 1300").GroupBy("k").Agg(dataframe.Count("x"), dataframe.Sum("id")))
	var n, sum int64
	for i := range int(counts.NumRows()) {
		var c, s int64
		fmt.Sscan(counts.Column(1).Data().Chunk(0).ValueStr(i), &c)
		fmt.Sscan(counts.Column(2).Data().Chunk(0).ValueStr(i), &s)
		n, sum = n+c, sum+s
	}
	if n != 600 || sum != (700+1299)*600/2 {
		t.Fatalf("the filtered group-by counts %d rows summing to %d; want 600 and %d", n, sum, (700+1299)*600/2)
	}
	// Files whose schemas differ name both files.
	other := filepath.Join(t.TempDir(), "other")
	if err := df.Select("id").ToParquet(ctx, other); err != nil {
		t.Fatal(err)
	}
	os.Rename(filepath.Join(other, "part.0.parquet"), filepath.Join(dir, "part.9.parquet"))
	wantErr(t, dataframe.ReadParquet(c, dir).Err(), "part.9.parquet", "part.0.parquet", "differs")
	wantErr(t, dataframe.ReadParquet(c, filepath.Join(dir, "nothing*.parquet")).Err(), "no Parquet file")
}

func TestToCSVReadBackByPandas(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(2000, 100, 4)
	rows[5].K = `a "quoted", value`
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "csv")
	if err := df.ToCSV(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(listDir(t, dir)); got != "[part.0.csv part.1.csv part.2.csv part.3.csv]" {
		t.Fatalf("ToCSV wrote %s", got)
	}
	// dusk reads it back.
	back := mustCompute(t, ctx, dataframe.ReadCSV(c, filepath.Join(dir, "*.csv")))
	if a, b := rowsOf(t, back), rowsOf(t, mustCompute(t, ctx, df)); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("rows differ after a CSV round trip")
	}
	// pandas reads it back.
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3 for the pandas check")
	}
	script := `import glob, sys
import pandas as pd
df = pd.concat([pd.read_csv(f) for f in sorted(glob.glob(sys.argv[1] + "/*.csv"))])
print(len(df), repr(round(df.x.sum(), 6)), df.k.nunique(), (df.k == 'a "quoted", value').sum())`
	out, err := exec.CommandContext(ctx, py, "-c", script, dir).CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "No module named 'pandas'") {
			t.Skip("pandas is not installed")
		}
		t.Fatalf("pandas: %v\n%s", err, out)
	}
	var sx float64
	keys := map[string]bool{}
	for _, r := range rows {
		sx += r.X
		keys[r.K] = true
	}
	want := fmt.Sprintf("%d %v %d 1", len(rows), sx, len(keys))
	if got := strings.TrimSpace(string(out)); got != want {
		t.Fatalf("pandas reads %q, want %q", got, want)
	}
}

func TestRepartition(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(3000, 3000, 4)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(6))
	if err != nil {
		t.Fatal(err)
	}
	want := tableLines(t, mustCompute(t, ctx, df))
	for _, n := range []int{1, 4, 6, 13} {
		r, err := df.Repartition(ctx, dataframe.NPartitions(n))
		if err != nil {
			t.Fatal(err)
		}
		tbl := mustCompute(t, ctx, r)
		if len(tbl.Column(0).Data().Chunks()) != n || r.NPartitions() != n {
			t.Fatalf("Repartition(%d) gave %d partitions", n, len(tbl.Column(0).Data().Chunks()))
		}
		if got := tableLines(t, tbl); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Repartition(%d) changed the rows or their order", n)
		}
	}
	// By size: persisted, so the sizes are known without a pass.
	p, err := df.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release()
	bySize, err := p.Repartition(ctx, dataframe.PartitionSize("8KB"))
	if err != nil {
		t.Fatal(err)
	}
	if bySize.NPartitions() <= 6 {
		t.Fatalf("PartitionSize(8KB) of 6 partitions of ~17KB gave %d partitions", bySize.NPartitions())
	}
	if !strings.Contains(bySize.Explain(), "no shuffle") {
		t.Fatalf("plan: %s", bySize.Explain())
	}
	if got := tableLines(t, mustCompute(t, ctx, bySize)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatal("Repartition by size changed the rows")
	}
	big, err := p.Repartition(ctx, dataframe.PartitionSize("10MB"))
	if err != nil || big.NPartitions() != 1 {
		t.Fatalf("PartitionSize(10MB) gave %d partitions, %v", big.NPartitions(), err)
	}
	_, err = df.Repartition(ctx, dataframe.PartitionSize("lots"))
	wantErr(t, err, "PartitionSize")
}

// TestReadParquetThroughDuckDBKeepsRowGroups checks the reads DuckDB does
// itself (a query over Parquet row groups runs read_parquet on the row
// numbers of its group): every partition is its row group, in order, and
// queries give what they give on the same rows in memory.
func TestReadParquetThroughDuckDBKeepsRowGroups(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(4000, 700, 9)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "pq")
	// 1000 rows per file in row groups of 300: 300, 300, 300, 100.
	if err := df.ToParquet(ctx, dir, dataframe.RowGroupRows(300)); err != nil {
		t.Fatal(err)
	}
	pq := dataframe.ReadParquet(c, dir, dataframe.ParquetBlockSize(1))
	if pq.NPartitions() != 16 {
		t.Fatalf("%d partitions, want 16 row groups", pq.NPartitions())
	}
	// Row by row and in order: a query per row group, joined in partition
	// order, is the data as written.
	sel := pq.Select("k", "id", "y")
	tbl := mustCompute(t, ctx, sel)
	if got, want := tableLines(t, tbl), tableLines(t, mustCompute(t, ctx, df.Select("k", "id", "y"))); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the row groups read by DuckDB are not the rows written (%d rows, want %d)", len(got), len(want))
	}
	for i, ch := range tbl.Column(0).Data().Chunks() {
		if want := []int{300, 300, 300, 100}[i%4]; ch.Len() != want {
			t.Fatalf("partition %d has %d rows, want its row group's %d", i, ch.Len(), want)
		}
	}
	// The same queries over the row groups read by arrow-go into memory
	// (Persist stores the reader's partitions, with no query to fuse).
	mem, err := pq.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Release()
	aggs := []dataframe.Aggregation{dataframe.Sum("x"), dataframe.Mean("y"), dataframe.Max("id"), dataframe.Count("k"), dataframe.NUnique("id")}
	for _, q := range []func(*dataframe.DataFrame) *dataframe.DataFrame{
		func(d *dataframe.DataFrame) *dataframe.DataFrame { return d.GroupBy("k").Agg(aggs...) },
		func(d *dataframe.DataFrame) *dataframe.DataFrame {
			return d.Filter("x > 5 AND k <> 'k03'").Assign("z", "x * 2 + y").GroupBy("id").Agg(dataframe.Sum("z"), dataframe.Min("k"))
		},
		func(d *dataframe.DataFrame) *dataframe.DataFrame {
			return d.MapPartitionsSQL("SELECT k, count(*) AS n, sum(id) AS s FROM part GROUP BY k ORDER BY k")
		},
	} {
		got, want := mustCompute(t, ctx, q(pq)), mustCompute(t, ctx, q(mem))
		if a, b := rowsOf(t, got), rowsOf(t, want); fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("over Parquet %d rows, in memory %d; they differ:\n%v\n%v", len(a), len(b), a[:min(5, len(a))], b[:min(5, len(b))])
		}
	}
}

// TestToParquetRowGroups checks the row groups of written files, by either
// writer: at most RowGroupRows rows each (DuckDB's writer for multiples of
// 2048 rows, arrow-go's otherwise), and the rows read back as written.
func TestToParquetRowGroups(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(10000, 3000, 7)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	for _, rg := range []struct {
		n    int64
		want string
	}{{2048, "2048,2048,904"}, {3000, "3000,2000"}} {
		dir := filepath.Join(t.TempDir(), fmt.Sprint(rg.n))
		if err := df.ToParquet(ctx, dir, dataframe.RowGroupRows(rg.n)); err != nil {
			t.Fatal(err)
		}
		got := duckdbScalar(t, fmt.Sprintf("SELECT string_agg(n::VARCHAR, ',' ORDER BY g) FROM (SELECT DISTINCT row_group_id AS g, row_group_num_rows AS n FROM parquet_metadata('%s/part.1.parquet'))", dir))
		if got != rg.want {
			t.Fatalf("RowGroupRows(%d): row groups of %s rows, want %s", rg.n, got, rg.want)
		}
		back := dataframe.ReadParquet(c, dir)
		if a, b := tableLines(t, mustCompute(t, ctx, back)), tableLines(t, mustCompute(t, ctx, df)); fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("RowGroupRows(%d): the rows read back differ from those written", rg.n)
		}
	}
}

// TestToParquetReadBackByPandas reads dusk's Parquet files with pandas,
// where pandas has a Parquet engine (pyarrow or fastparquet; Debian
// packages neither, so on the project's machine the test says so and
// skips).
func TestToParquetReadBackByPandas(t *testing.T) {
	ctx := testContext(t)
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3 for the pandas check")
	}
	probe := `import pandas as pd
try:
    pd.io.parquet.get_engine("auto")
    print("engine")
except ImportError as e:
    print("none:", e)`
	out, err := exec.CommandContext(ctx, py, "-c", probe).CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "No module named 'pandas'") {
			t.Skip("pandas is not installed")
		}
		t.Fatalf("probing pandas: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "engine" {
		t.Skipf("pandas has no Parquet engine here (%s)", got)
	}
	c := newCluster(t, ctx)
	rows := makeRows(2000, 100, 4)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := df.Categorize(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "pq")
	if err := cat.ToParquet(ctx, dir); err != nil {
		t.Fatal(err)
	}
	script := `import glob, sys
import pandas as pd
df = pd.concat([pd.read_parquet(f) for f in sorted(glob.glob(sys.argv[1] + "/part.*.parquet"))])
print(len(df), repr(round(df.x.sum(), 6)), df.k.astype(str).nunique())`
	out, err = exec.CommandContext(ctx, py, "-c", script, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("pandas: %v\n%s", err, out)
	}
	var sx float64
	for _, r := range rows {
		sx += r.X
	}
	if got, want := strings.TrimSpace(string(out)), fmt.Sprintf("%d %v 4", len(rows), sx); got != want {
		t.Fatalf("pandas reads %q, want %q", got, want)
	}
}

// A Parquet file dusk wrote and someone damaged is an error naming the
// file and the row group, never rows read wrong: flipped bytes in a page
// of an uncompressed file, a truncated file, a damaged footer; for files
// of either writer (arrow-go for 1000-row groups, DuckDB for 2048).
func TestDamagedParquetIsAnError(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(8192, 1000, 4)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	for _, rg := range []int64{1000, 2048} {
		write := func(name string) (dir, part string) {
			dir = filepath.Join(t.TempDir(), name)
			if err := df.ToParquet(ctx, dir, dataframe.Compression("none"), dataframe.RowGroupRows(rg)); err != nil {
				t.Fatal(err)
			}
			return dir, filepath.Join(dir, "part.1.parquet")
		}
		damage := func(part string, edit func([]byte) []byte) {
			b, err := os.ReadFile(part)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(part, edit(b), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		readBack := func(dir string) error {
			back := dataframe.ReadParquet(c, dir)
			if back.Err() != nil {
				return back.Err()
			}
			if _, err := back.Compute(ctx); err != nil {
				return err
			}
			// Through DuckDB's reader too (a filter and an aggregate run there).
			_, err := back.Filter("x >= 0").GroupBy("k").Agg(dataframe.Sum("x")).Compute(ctx)
			return err
		}
		// Bytes of the first data pages (past the magic), flipped.
		dir, part := write("flipped")
		damage(part, func(b []byte) []byte {
			for i := 200; i < 260; i++ {
				b[i] ^= 0x5a
			}
			return b
		})
		err = readBack(dir)
		if err == nil || !strings.Contains(err.Error(), "part.1.parquet") || !strings.Contains(err.Error(), "row group 0") ||
			!strings.Contains(err.Error(), "damaged or changed") {
			t.Errorf("row groups of %d, flipped bytes: %v; want an error naming part.1.parquet and row group 0", rg, err)
		}
		dir, part = write("truncated")
		damage(part, func(b []byte) []byte { return b[:len(b)/2] })
		if err := readBack(dir); err == nil || !strings.Contains(err.Error(), "part.1.parquet") {
			t.Errorf("row groups of %d, a truncated file: %v; want an error naming it", rg, err)
		}
		dir, part = write("footer")
		damage(part, func(b []byte) []byte {
			for i := len(b) - 40; i < len(b)-8; i++ {
				b[i] ^= 0xff
			}
			return b
		})
		if err := readBack(dir); err == nil || !strings.Contains(err.Error(), "part.1.parquet") {
			t.Errorf("row groups of %d, a damaged footer: %v; want an error naming the file", rg, err)
		}
		// Undamaged, the same files read back whole.
		dir, _ = write("whole")
		if err := readBack(dir); err != nil {
			t.Fatalf("row groups of %d, an undamaged dataset: %v", rg, err)
		}
	}
}

// TestToParquetDictionaryLimit checks which columns DuckDB's writer keeps
// as dictionaries: those with few distinct values in a part, not one whose
// distinct values pass a 20th of the part's rows (id: 4,000 in 50,000),
// which DuckDB's own limit (about 52,000 entries) let it collect and keep.
func TestToParquetDictionaryLimit(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	df, err := dataframe.FromRecords(ctx, c, makeRows(100000, 4000, 7), dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := df.ToParquet(ctx, dir); err != nil {
		t.Fatal(err)
	}
	got := duckdbScalar(t, fmt.Sprintf("SELECT string_agg(path_in_schema || ':' || (encodings LIKE '%%DICTIONARY%%'), ' ' ORDER BY column_id) FROM parquet_metadata('%s/part.0.parquet')", dir))
	if want := "id:false k:true x:true y:true"; got != want {
		t.Fatalf("dictionary-encoded columns: %s, want %s", got, want)
	}
	back := dataframe.ReadParquet(c, dir)
	if a, b := tableLines(t, mustCompute(t, ctx, back)), tableLines(t, mustCompute(t, ctx, df)); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("the rows read back differ from those written")
	}
}

// rowsToParquet writes makeRows(4000, 4000, 4) in 4 partitions as Parquet
// files (one a partition, row groups of rowGroup rows; ids ascend, so row
// groups hold id ranges) and returns the frame written and the directory.
func rowsToParquet(t *testing.T, ctx context.Context, c *dusk.Client, rowGroup int64) (*dataframe.DataFrame, string) {
	t.Helper()
	df, err := dataframe.FromRecords(ctx, c, makeRows(4000, 4000, 4), dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "pq")
	if err := df.ToParquet(ctx, dir, dataframe.RowGroupRows(rowGroup)); err != nil {
		t.Fatal(err)
	}
	return df, dir
}
