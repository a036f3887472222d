package dataframe_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe"
)

type arow struct {
	I *int64   `df:"i"`
	F *float64 `df:"f"`
	S *string  `df:"s"`
	B *bool    `df:"b"`
}

func TestAstype(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	var rows []arow
	for i := range 40 {
		r := arow{}
		if i%6 != 5 {
			r.I = ptr(int64(i*11 - 200))
			r.F = ptr(float64(i*3 - 50))
			r.S = ptr(strconv.Itoa(i*7 - 100))
			r.B = ptr(i%2 == 0)
		}
		rows = append(rows, r)
	}
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	out := df.Astype(map[string]arrow.DataType{
		"i": arrow.PrimitiveTypes.Int16,
		"f": arrow.PrimitiveTypes.Int32,
		"s": arrow.PrimitiveTypes.Float64,
		"b": arrow.PrimitiveTypes.Int8,
	})
	if out.Err() != nil {
		t.Fatal(out.Err())
	}
	wantTypes := []arrow.DataType{arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Int8}
	for i, f := range out.Schema().Fields() {
		if !arrow.TypeEqual(f.Type, wantTypes[i]) {
			t.Fatalf("column %s is %s, want %s", f.Name, f.Type, wantTypes[i])
		}
	}
	var want []string
	for _, r := range rows {
		if r.I == nil {
			want = append(want, "null|null|null|null")
			continue
		}
		b := 0
		if *r.B {
			b = 1
		}
		s, _ := strconv.ParseFloat(*r.S, 64)
		want = append(want, fmt.Sprintf("%d|%d|%.6g|%d", *r.I, int(*r.F), s, b))
	}
	sameLines(t, "Astype", tableLines(t, mustCompute(t, ctx, out)), want)
	// Back to strings, and wider types.
	back := out.Astype(map[string]arrow.DataType{"i": arrow.BinaryTypes.String, "f": arrow.PrimitiveTypes.Float64, "b": arrow.FixedWidthTypes.Boolean, "s": arrow.PrimitiveTypes.Int64})
	want = want[:0]
	for _, r := range rows {
		if r.I == nil {
			want = append(want, "null|null|null|null")
			continue
		}
		want = append(want, fmt.Sprintf("%d|%.6g|%s|%t", *r.I, *r.F, *r.S, *r.B))
	}
	sameLines(t, "Astype back", tableLines(t, mustCompute(t, ctx, back)), want)

	// Lossy casts are errors of the computation naming the column and the
	// value; the bad value sits in the last partition.
	type bad struct {
		V float64 `df:"v"`
		N int64   `df:"n"`
		S string  `df:"s"`
	}
	badRows := make([]bad, 20)
	for i := range badRows {
		badRows[i] = bad{V: float64(i), N: int64(i), S: strconv.Itoa(i)}
	}
	badRows[17] = bad{V: 2.5, N: 300, S: "2.5"}
	badRows[18] = bad{V: 1e300, N: 1<<53 + 1, S: "abc"}
	bd, err := dataframe.FromRecords(ctx, c, badRows, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		col   string
		to    arrow.DataType
		parts []string
	}{
		{"v", arrow.PrimitiveTypes.Int64, []string{`column "v"`, "2.5", "int64 without loss"}},
		{"n", arrow.PrimitiveTypes.Int8, []string{`column "n"`, "300", "int8"}},
		{"s", arrow.PrimitiveTypes.Int32, []string{`column "s"`, "2.5", "int32"}},
		{"n", arrow.PrimitiveTypes.Float64, []string{`column "n"`, "9007199254740993", "float64"}},
		{"v", arrow.PrimitiveTypes.Float32, []string{`column "v"`, "float32"}},
	} {
		// Only the offending rows and one good one, so the first bad value
		// is the one named.
		src := bd
		if tc.col == "n" && tc.to.ID() == arrow.FLOAT64 {
			src = bd.Filter("n <> 300")
		}
		if tc.col == "s" {
			src = bd.Filter("s <> 'abc'")
		}
		_, err := src.Astype(map[string]arrow.DataType{tc.col: tc.to}).Compute(ctx)
		wantErr(t, err, tc.parts...)
	}
	_, err = bd.Filter("s <> '2.5'").Astype(map[string]arrow.DataType{"s": arrow.PrimitiveTypes.Float64}).Compute(ctx)
	wantErr(t, err, `column "s"`, "abc")
	// Whole floats fit integers; a float that float32 holds exactly fits it.
	ok := bd.Filter("v < 20").Astype(map[string]arrow.DataType{"v": arrow.PrimitiveTypes.Float32, "n": arrow.PrimitiveTypes.Uint16})
	if n, err := ok.Filter("v = 2.5").Len(ctx); err != nil || n != 1 {
		t.Fatalf("float32 2.5: %d rows, %v", n, err)
	}

	// Mistakes in the call itself.
	wantErr(t, df.Astype(map[string]arrow.DataType{"zz": arrow.PrimitiveTypes.Int64}).Err(), "astype_test.go:", "Astype", `no column "zz"`)
	wantErr(t, df.Astype(map[string]arrow.DataType{"i": arrow.FixedWidthTypes.Date32}).Err(), "Astype", `column "i"`, "not date32", "int64")
	wantErr(t, df.Astype(map[string]arrow.DataType{"i": nil}).Err(), "Astype", `type for column "i" is nil`)
	wantErr(t, df.Astype(nil).Err(), "Astype", "no columns")
}
