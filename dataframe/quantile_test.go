package dataframe_test

import (
	"database/sql"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe"
)

type qrow struct {
	X *float64 `df:"x"` // floats with nulls and NaN
	K int32    `df:"k"` // 7 distinct values: long ties
	B int64    `df:"b"` // large integers
	E *float64 `df:"e"` // all null
}

func sqlNum(p *float64) string {
	switch {
	case p == nil:
		return "NULL"
	case math.IsNaN(*p):
		return "'nan'::DOUBLE"
	}
	return fmt.Sprintf("%v::DOUBLE", *p)
}

func TestQuantileMatchesDuckDB(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := make([]qrow, 24000)
	for i := range rows {
		r := qrow{K: int32((i * 5) % 7), B: int64(1)<<60 + int64((i*7919)%20011)*1_000_003}
		switch {
		case i%13 == 2:
		case i%29 == 3:
			r.X = ptr(math.NaN())
		default:
			r.X = ptr(math.Sin(float64(i)) * 1000)
		}
		rows[i] = r
	}
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(5))
	if err != nil {
		t.Fatal(err)
	}
	qs := []float64{0, 0.001, 0.1, 0.25, 0.5, 0.6180339, 0.75, 0.99, 1}
	tbl, err := df.Quantile(ctx, qs)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(func() []string {
		var n []string
		for _, f := range tbl.Schema().Fields() {
			n = append(n, f.Name)
		}
		return n
	}(), ","); got != "q,x,k,b,e" {
		t.Fatalf("columns %s", got)
	}
	// DuckDB alone, on the same rows.
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t (x DOUBLE, k INTEGER, b BIGINT, e DOUBLE)"); err != nil {
		t.Fatal(err)
	}
	for lo := 0; lo < len(rows); lo += 2000 {
		var vals []string
		for _, r := range rows[lo:min(lo+2000, len(rows))] {
			vals = append(vals, fmt.Sprintf("(%s, %d, %d, %s)", sqlNum(r.X), r.K, r.B, sqlNum(r.E)))
		}
		if _, err := db.Exec("INSERT INTO t VALUES " + strings.Join(vals, ", ")); err != nil {
			t.Fatal(err)
		}
	}
	rec := tableRecord(t, tbl)
	for ci, col := range []string{"x", "k", "b", "e"} {
		got := rec.Column(ci + 1).(*array.Float64)
		for qi, q := range qs {
			var want sql.NullFloat64
			query := fmt.Sprintf("SELECT quantile_cont(%s, %v) FILTER (WHERE NOT isnan(%s::DOUBLE)) FROM t", col, q, col)
			if err := db.QueryRow(query).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if !want.Valid {
				if !got.IsNull(qi) {
					t.Fatalf("%s q=%v: %v, want null", col, q, got.Value(qi))
				}
				continue
			}
			g := got.Value(qi)
			if got.IsNull(qi) || math.Abs(g-want.Float64) > 1e-9*math.Max(1, math.Abs(want.Float64)) {
				t.Fatalf("%s q=%v: %v, DuckDB's quantile_cont %v", col, q, g, want.Float64)
			}
		}
	}
	// The order statistics themselves are exact: q=0.5 of an odd count is
	// one of the values.
	odd, err := df.Filter("k = 3").Quantile(ctx, []float64{0.5}, "b")
	if err != nil {
		t.Fatal(err)
	}
	if v := tableRecord(t, odd).Column(1).(*array.Float64).Value(0); v != float64(int64(v)) {
		t.Fatalf("median of integers %v is not a whole number", v)
	}
}

// tableRecord returns a table of one chunk as a record.
func tableRecord(t *testing.T, tbl arrow.Table) arrow.RecordBatch {
	t.Helper()
	tr := array.NewTableReader(tbl, -1)
	defer tr.Release()
	if !tr.Next() {
		t.Fatal("empty table")
	}
	rec := tr.RecordBatch()
	rec.Retain()
	return rec
}

func TestQuantileSmallAndErrors(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	type r struct {
		V *int64 `df:"v"`
		S string `df:"s"`
	}
	// 10, 1, null, 4, 2 over 3 partitions: pandas gives q=0.5 -> 3,
	// q=0.25 -> 1.75, q=0.9 -> 8.2 (linear: h = 3 × 0.9 = 2.7, 4 + 0.7 × 6).
	rows := []r{{ptr(int64(10)), "a"}, {ptr(int64(1)), "b"}, {nil, "c"}, {ptr(int64(4)), "d"}, {ptr(int64(2)), "e"}}
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(3))
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := df.Quantile(ctx, []float64{0.5, 0.25, 0.9, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "Quantile", tableLines(t, tbl), []string{"0.5|3", "0.25|1.75", "0.9|8.2", "0|1", "1|10"})
	_, err = df.Quantile(ctx, []float64{0.5, 1.5})
	wantErr(t, err, "quantile_test.go:", "Quantile", "1.5 is not in [0, 1]")
	_, err = df.Quantile(ctx, nil)
	wantErr(t, err, "Quantile", "no quantiles")
	_, err = df.Quantile(ctx, []float64{0.5}, "s")
	wantErr(t, err, "Quantile", `column "s" is utf8, not a number`)
	_, err = df.Quantile(ctx, []float64{0.5}, "v", "v")
	wantErr(t, err, "Quantile", `column "v" is given twice`)
	_, err = df.Quantile(ctx, []float64{0.5}, "zz")
	wantErr(t, err, "Quantile", `no column "zz"`)
	_, err = df.Select("s").Quantile(ctx, []float64{0.5})
	wantErr(t, err, "Quantile", "no integer or float column")
}
