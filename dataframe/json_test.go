package dataframe_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe"
)

func TestJSONRoundTrip(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := exprRows(500)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(3))
	if err != nil {
		t.Fatal(err)
	}
	// A naive timestamp and a date as well.
	df = df.Assign("naive", "CAST(ts AT TIME ZONE 'UTC' AS TIMESTAMP)").Assign("d", "CAST(ts AT TIME ZONE 'UTC' AS DATE)")
	dir := filepath.Join(t.TempDir(), "js")
	if err := df.ToJSON(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, dir); strings.Join(got, ",") != "part.0.json,part.1.json,part.2.json" {
		t.Fatalf("files %v", got)
	}
	back := dataframe.ReadJSON(c, filepath.Join(dir, "*.json"))
	if back.Err() != nil {
		t.Fatal(back.Err())
	}
	// The zone DuckDB named Etc/UTC reads back as UTC, the same instants.
	if got, want := back.Schema().String(), strings.ReplaceAll(df.Schema().String(), "Etc/UTC", "UTC"); got != want {
		t.Fatalf("schema read back\n%s\nwritten\n%s", back.Schema(), df.Schema())
	}
	want := tableLines(t, mustCompute(t, ctx, df))
	got := tableLines(t, mustCompute(t, ctx, back))
	if !slices.Equal(got, want) {
		t.Fatalf("read back %d rows, wrote %d:\n%v\n%v", len(got), len(want), got[:3], want[:3])
	}
	// In small blocks: more partitions, the same rows.
	small := dataframe.ReadJSON(c, filepath.Join(dir, "*.json"), dataframe.JSONBlockSize(4096))
	if small.NPartitions() <= 6 {
		t.Fatalf("%d partitions in 4 kB blocks", small.NPartitions())
	}
	if got := tableLines(t, mustCompute(t, ctx, small)); !slices.Equal(got, want) {
		t.Fatalf("read back in blocks: %d rows, want %d", len(got), len(want))
	}
	// DuckDB reads the files as the same table.
	var n, ns int
	var sum float64
	for _, r := range rows {
		n++
		if r.S != nil {
			ns++
		}
		if r.X != nil {
			sum += *r.X
		}
	}
	q := fmt.Sprintf("SELECT count(*) || '|' || count(s) || '|' || CAST(sum(x) AS DECIMAL(18, 3)) || '|' || count(DISTINCT s) || '|' || strftime(max(ts), '%%Y-%%m-%%d %%H:%%M:%%S') FROM read_json('%s/*.json', format = 'newline_delimited')", dir)
	distinct := map[string]bool{}
	var maxTS time.Time
	for _, r := range rows {
		if r.S != nil {
			distinct[*r.S] = true
		}
		if r.TS != nil && r.TS.After(maxTS) {
			maxTS = *r.TS
		}
	}
	wantQ := fmt.Sprintf("%d|%d|%.3f|%d|%s", n, ns, sum, len(distinct), maxTS.Format("2006-01-02 15:04:05"))
	if got := duckdbScalar(t, q); got != wantQ {
		t.Fatalf("DuckDB's read_json: %s, want %s", got, wantQ)
	}
	// Not over an existing directory unless told.
	wantErr(t, df.ToJSON(ctx, dir), "ToJSON", "exists", "Overwrite")
	if err := df.Select("id").ToJSON(ctx, dir, dataframe.Overwrite()); err != nil {
		t.Fatal(err)
	}
	if cols := dataframe.ReadJSON(c, dir+"/*.json").Columns(); !slices.Equal(cols, []string{"id"}) {
		t.Fatalf("columns after Overwrite: %v", cols)
	}
}

func TestReadJSONMalformed(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	dir := t.TempDir()
	var b strings.Builder
	for i := range 1500 {
		fmt.Fprintf(&b, "{\"a\": %d, \"s\": \"v%d\", \"nest\": {\"k\": [%d]}}\n", i, i, i)
	}
	good := b.String()
	lines := strings.SplitAfter(good, "\n")
	// A broken line in the sample: found by ReadJSON.
	bad := filepath.Join(dir, "bad_early.json")
	writeFile(t, bad, strings.Join(lines[:2], "")+"{\"a\": 3,\n"+strings.Join(lines[3:], ""))
	wantErr(t, dataframe.ReadJSON(c, bad).Err(), "json_test.go:", "ReadJSON", bad, "line 3", "not JSON")
	// Past the sample: found by the computation, in the right block.
	late := filepath.Join(dir, "late.json")
	writeFile(t, late, strings.Join(lines[:1200], "")+"[1, 2]\n"+strings.Join(lines[1201:], ""))
	_, err := dataframe.ReadJSON(c, late, dataframe.JSONBlockSize(10000)).Compute(ctx)
	wantErr(t, err, late, "line 1201", "not a JSON object")
	typ := filepath.Join(dir, "type.json")
	writeFile(t, typ, strings.Join(lines[:1300], "")+"{\"a\": 1.5}\n")
	_, err = dataframe.ReadJSON(c, typ).Compute(ctx)
	wantErr(t, err, typ, "line 1301", `key "a"`, "1.5 is not a int64")
	extra := filepath.Join(dir, "extra.json")
	writeFile(t, extra, good+"{\"a\": 1, \"zz\": 2}\n")
	_, err = dataframe.ReadJSON(c, extra).Compute(ctx)
	wantErr(t, err, extra, "line 1501", `key "zz"`, "not a column", "JSONSchema")
	// Keys of different types in two files.
	one, two := filepath.Join(dir, "m1.json"), filepath.Join(dir, "m2.json")
	writeFile(t, one, "{\"a\": 1}\n")
	writeFile(t, two, "{\"b\": null}\n{\"a\": \"x\"}\n")
	wantErr(t, dataframe.ReadJSON(c, filepath.Join(dir, "m*.json")).Err(), `key "a"`, "int64", "string", one, two+" line 2")
	wantErr(t, dataframe.ReadJSON(c, filepath.Join(dir, "none*.json")).Err(), "ReadJSON", "no file matches")
	// Dates and other strings in one key make a string column.
	mixed := filepath.Join(dir, "mixed.json")
	writeFile(t, mixed, "{\"d\": \"2024-01-02\"}\n{\"d\": \"soon\"}\n{\"d\": \"2024-01-02T10:00:00Z\"}\n")
	if got := tableLines(t, mustCompute(t, ctx, dataframe.ReadJSON(c, mixed))); strings.Join(got, ",") != "2024-01-02,soon,2024-01-02T10:00:00Z" {
		t.Fatalf("mixed strings read as %v", got)
	}
	// The good file reads whole, the nested value as its JSON text.
	ok := filepath.Join(dir, "ok.json")
	writeFile(t, ok, good)
	tbl := mustCompute(t, ctx, dataframe.ReadJSON(c, ok, dataframe.JSONBlockSize(5000)))
	got := tableLines(t, tbl)
	if len(got) != 1500 || got[1499] != `1499|v1499|{"k":[1499]}` {
		t.Fatalf("%d rows, last %q", len(got), got[len(got)-1])
	}
	// A given schema: ints read as floats, a missing key as null.
	s := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Float64}, {Name: "s", Type: arrow.BinaryTypes.String}, {Name: "nest", Type: arrow.BinaryTypes.String}, {Name: "z", Type: arrow.FixedWidthTypes.Boolean}}, nil)
	got = tableLines(t, mustCompute(t, ctx, dataframe.ReadJSON(c, ok, dataframe.JSONSchema(s)).Partitions(0, 1)))
	if got[7] != `7|v7|{"k":[7]}|null` {
		t.Fatalf("with a schema: %q", got[7])
	}
	bad8 := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int8}}, nil)
	wantErr(t, dataframe.ReadJSON(c, ok, dataframe.JSONSchema(bad8)).Err(), `column "a"`, "int8")
}

func TestToJSONRefusesWhatJSONCannotHold(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	type fr struct {
		X float64 `df:"x"`
	}
	df, err := dataframe.FromRecords(ctx, c, []fr{{1}, {math.NaN()}})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "nan")
	wantErr(t, df.ToJSON(ctx, dir), `column "x"`, "row 1", "NaN", "JSON cannot hold")
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("a failed ToJSON left %s: %v", dir, err)
	}
}

// ReadJSON reads only the columns the plan uses: the others' values are
// skipped, not parsed (a value of the wrong type there is not read, so not
// an error), while a key that is no column stays an error.
func TestReadJSONReadsTheColumnsUsed(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	dir := t.TempDir()
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf(`{"id": %d, "s": "w%d", "x": %d.5, "big": [%d, {"deep": true}]}`, i, i%7, i, i))
	}
	if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	df := dataframe.ReadJSON(c, filepath.Join(dir, "*.json"), dataframe.JSONBlockSize(4096))
	q := df.Filter("id % 3 = 0").Select("id", "x")
	before, after := plannerPlans(t, q)
	if !strings.Contains(before, "columns=[all]") || !strings.Contains(after, "columns=[id, x]") {
		t.Fatalf("the reader reads every column:\nbefore %s\nafter %s", before, after)
	}
	got := tableLines(t, mustCompute(t, ctx, q))
	var want []string
	for i := 0; i < 300; i += 3 {
		want = append(want, fmt.Sprintf("%d|%d.5", i, i))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("projected read: %d rows %v..., want %d %v...", len(got), got[:2], len(want), want[:2])
	}

	// A key that is not a column is an error with or without projection.
	if err := os.WriteFile(filepath.Join(dir, "b.json"), []byte(`{"id": 1, "s": "a", "x": 1.5, "big": [], "other": 1}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := dataframe.ReadJSON(c, filepath.Join(dir, "*.json"), dataframe.JSONSchema(df.Schema())).Select("id")
	if _, err := bad.Compute(ctx); err == nil || !strings.Contains(err.Error(), `"other"`) || !strings.Contains(err.Error(), "b.json") {
		t.Fatalf("a key that is no column, read with a projection: %v", err)
	}
}
