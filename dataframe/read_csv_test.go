package dataframe_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe"
)

// writeCSV writes rows as a CSV file and returns its path.
func writeCSV(t *testing.T, dir, name string, rows []row) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,k,x,y\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%d,%s,%g,%g\n", r.ID, r.K, r.X, r.Y)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadCSVSplitsAndInfers(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	dir := t.TempDir()
	rows := makeRows(3000, 100, 7)
	writeCSV(t, dir, "a.csv", rows[:1000])
	writeCSV(t, dir, "b.csv", rows[1000:])
	// Small blocks: b.csv is cut into many splits, at arbitrary bytes.
	df := dataframe.ReadCSV(c, filepath.Join(dir, "*.csv"), dataframe.BlockSize(4099))
	if df.Err() != nil {
		t.Fatal(df.Err())
	}
	if df.NPartitions() < 10 {
		t.Fatalf("NPartitions = %d; want many splits", df.NPartitions())
	}
	want := []string{"id int64", "k utf8", "x float64", "y float64"}
	for i, f := range df.Schema().Fields() {
		if got := f.Name + " " + f.Type.String(); got != want[i] {
			t.Fatalf("column %d = %s, want %s", i, got, want[i])
		}
	}
	tbl := mustCompute(t, ctx, df)
	got := tableLines(t, tbl)
	if len(got) != len(rows) {
		t.Fatalf("read %d rows, want %d", len(got), len(rows))
	}
	for i, r := range rows {
		if w := fmt.Sprintf("%d|%s|%.6g|%.6g", r.ID, r.K, r.X, r.Y); got[i] != w {
			t.Fatalf("row %d = %s, want %s", i, got[i], w)
		}
	}
	// Reading some columns only.
	sel := mustCompute(t, ctx, df.Select("k", "y"))
	if sel.NumCols() != 2 || sel.NumRows() != int64(len(rows)) {
		t.Fatalf("Select(k, y) = %d cols, %d rows", sel.NumCols(), sel.NumRows())
	}
}

func TestReadCSVQuotesNullsAndGivenSchema(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	dir := t.TempDir()
	p := filepath.Join(dir, "q.csv")
	data := "a,b,c,d\n1,\"x, with comma\",2.5,true\r\n,\"say \"\"hi\"\"\",,false\n3,\"two\nlines\",1e3,\n"
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	df := dataframe.ReadCSV(c, p)
	if df.Err() != nil {
		t.Fatal(df.Err())
	}
	got := tableLines(t, mustCompute(t, ctx, df))
	want := []string{"1|x, with comma|2.5|true", `null|say "hi"|null|false`, "3|two\nlines|1000|null"}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Fatalf("rows = %q\nwant %q", got, want)
	}
	s := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Float64}, {Name: "b", Type: arrow.BinaryTypes.String},
		{Name: "c", Type: arrow.PrimitiveTypes.Float32}, {Name: "d", Type: arrow.BinaryTypes.String}}, nil)
	given := dataframe.ReadCSV(c, p, dataframe.CSVSchema(s))
	tbl := mustCompute(t, ctx, given)
	if tbl.Schema().Field(0).Type.ID() != arrow.FLOAT64 || tbl.Schema().Field(3).Type.ID() != arrow.STRING {
		t.Fatalf("schema = %s", tbl.Schema())
	}
}

func TestReadCSVErrorsNameFileLineColumn(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	dir := t.TempDir()
	rows := makeRows(2000, 100, 7)
	writeCSV(t, dir, "a.csv", rows[:1000])
	bad := writeCSV(t, dir, "b.csv", rows[1000:])
	// Corrupt line 1601 of b.csv, past the inference sample's reach? No:
	// the file is small, so also test a late bad value in a big block.
	lines := strings.Split(readFile(t, bad), "\n")
	lines[900] = "7,kx,oops,1"
	writeFile(t, bad, strings.Join(lines, "\n"))
	df := dataframe.ReadCSV(c, filepath.Join(dir, "*.csv"), dataframe.BlockSize(5000))
	// The sample of b.csv sees "oops": a type mismatch between files.
	wantErr(t, df.Err(), "ReadCSV", `column "x"`, "a.csv", "b.csv", "line 901", `"oops"`)

	// With the type given, the row is an error of the computation.
	s := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "k", Type: arrow.BinaryTypes.String},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64}, {Name: "y", Type: arrow.PrimitiveTypes.Float64}}, nil)
	_, err := dataframe.ReadCSV(c, filepath.Join(dir, "*.csv"), dataframe.BlockSize(5000), dataframe.CSVSchema(s)).Compute(ctx)
	wantErr(t, err, "b.csv line 901", `column "x"`, `"oops"`, "float64")

	// A row with too many fields.
	lines[900] = "7,kx,1,2,3"
	writeFile(t, bad, strings.Join(lines, "\n"))
	_, err = dataframe.ReadCSV(c, bad, dataframe.BlockSize(5000), dataframe.CSVSchema(s)).Compute(ctx)
	wantErr(t, err, "b.csv line 901", "5 fields", "header has 4")

	// Headers that differ name both files.
	writeFile(t, bad, "id,k,z,y\n1,a,2,3\n")
	wantErr(t, dataframe.ReadCSV(c, filepath.Join(dir, "*.csv")).Err(), "b.csv", "a.csv", `"z"`)
	// No file.
	wantErr(t, dataframe.ReadCSV(c, filepath.Join(dir, "none-*.csv")).Err(), "no file matches")
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
