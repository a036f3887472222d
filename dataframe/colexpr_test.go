package dataframe_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe"
)

// exprRow is the data of the expression tests: strings and times with
// nulls.
type exprRow struct {
	ID int64      `df:"id"`
	S  *string    `df:"s"`
	TS *time.Time `df:"ts"`
	X  *float64   `df:"x"`
}

func exprRows(n int) []exprRow {
	words := []string{"  Apple,pie ", "banana", "it's,a,\"quote\"", "\tCherry\n", "éclair,x", "", "a-b-c", "APPLE"}
	base := time.Date(2023, 12, 30, 22, 7, 13, 0, time.UTC)
	out := make([]exprRow, n)
	for i := range out {
		out[i].ID = int64(i)
		if i%7 != 3 {
			s := words[i%len(words)] + fmt.Sprint(i%3)
			out[i].S = &s
		}
		if i%5 != 1 {
			ts := base.Add(time.Duration(i) * 97 * time.Minute).Add(time.Duration(i%13) * time.Second)
			out[i].TS = &ts
		}
		if i%6 != 0 {
			x := float64(i%17) - 8.5
			out[i].X = &x
		}
	}
	return out
}

// exprCell renders a value, a timestamp as its microseconds.
func exprCell(a arrow.Array, i int) string {
	if ts, ok := a.(*array.Timestamp); ok && !a.IsNull(i) {
		return fmt.Sprint(int64(ts.Value(i)))
	}
	return cell(a, i)
}

func TestExprFunctions(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := exprRows(300)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	s, ts := dataframe.Col("s"), dataframe.Col("ts")
	type fn struct {
		name string
		e    dataframe.Expr
		str  func(string) string    // over a non-null s
		tm   func(time.Time) string // over a non-null ts
	}
	b := func(v bool) string { return fmt.Sprint(v) }
	runes := func(x string, i, j int) string {
		r := []rune(x)
		i, j = min(i, len(r)), min(j, len(r))
		return string(r[i:j])
	}
	part := func(x, sep string, i int) string {
		p := strings.Split(x, sep)
		if i < 0 {
			i += len(p)
		}
		if i < 0 || i >= len(p) {
			return "null"
		}
		return p[i]
	}
	fns := []fn{
		{"contains", s.Str().Contains("pp"), func(x string) string { return b(strings.Contains(x, "pp")) }, nil},
		{"contains_quote", s.Str().Contains("it's"), func(x string) string { return b(strings.Contains(x, "it's")) }, nil},
		{"starts", s.Str().StartsWith("ban"), func(x string) string { return b(strings.HasPrefix(x, "ban")) }, nil},
		{"ends", s.Str().EndsWith("1"), func(x string) string { return b(strings.HasSuffix(x, "1")) }, nil},
		{"lower", s.Str().Lower(), strings.ToLower, nil},
		{"upper", s.Str().Upper(), strings.ToUpper, nil},
		{"slice", s.Str().Slice(1, 4), func(x string) string { return runes(x, 1, 4) }, nil},
		{"split1", s.Str().Split(",", 1), func(x string) string { return part(x, ",", 1) }, nil},
		{"splitlast", s.Str().Split(",", -1), func(x string) string { return part(x, ",", -1) }, nil},
		{"replace", s.Str().Replace("'", "''x"), func(x string) string { return strings.ReplaceAll(x, "'", "''x") }, nil},
		{"len", s.Str().Len(), func(x string) string { return fmt.Sprint(len([]rune(x))) }, nil},
		{"strip", s.Str().Strip(), func(x string) string { return strings.TrimFunc(x, unicode.IsSpace) }, nil},
		{"year", ts.Dt().Year(), nil, func(v time.Time) string { return fmt.Sprint(v.Year()) }},
		{"month", ts.Dt().Month(), nil, func(v time.Time) string { return fmt.Sprint(int(v.Month())) }},
		{"day", ts.Dt().Day(), nil, func(v time.Time) string { return fmt.Sprint(v.Day()) }},
		{"hour", ts.Dt().Hour(), nil, func(v time.Time) string { return fmt.Sprint(v.Hour()) }},
		{"minute", ts.Dt().Minute(), nil, func(v time.Time) string { return fmt.Sprint(v.Minute()) }},
		{"second", ts.Dt().Second(), nil, func(v time.Time) string { return fmt.Sprint(v.Second()) }},
		{"weekday", ts.Dt().Weekday(), nil, func(v time.Time) string { return fmt.Sprint((int(v.Weekday()) + 6) % 7) }},
		{"floor15", ts.Dt().Floor("15min"), nil, func(v time.Time) string { return floorEpoch(v, 15*time.Minute) }},
		{"floor7h", ts.Dt().Floor("7h"), nil, func(v time.Time) string { return floorEpoch(v, 7*time.Hour) }},
		{"floorD", ts.Dt().Floor("D"), nil, func(v time.Time) string { return floorEpoch(v, 24*time.Hour) }},
	}
	out := df
	names := []string{"id"}
	for _, f := range fns {
		out = out.AssignExpr(f.name, f.e)
		names = append(names, f.name)
	}
	out = out.Select(names...)
	if out.Err() != nil {
		t.Fatal(out.Err())
	}
	tbl := mustCompute(t, ctx, out)
	got := linesOf(tbl, exprCell)
	if len(got) != len(rows) {
		t.Fatalf("%d rows, want %d", len(got), len(rows))
	}
	for i, r := range rows {
		want := []string{fmt.Sprint(r.ID)}
		for _, f := range fns {
			switch {
			case f.str != nil && r.S != nil:
				want = append(want, f.str(*r.S))
			case f.tm != nil && r.TS != nil:
				want = append(want, f.tm(*r.TS))
			default:
				want = append(want, "null")
			}
		}
		if w := strings.Join(want, "|"); got[i] != w {
			g := strings.Split(got[i], "|")
			for j := range want {
				if j < len(g) && g[j] != want[j] {
					t.Errorf("row %d (s=%q): %s = %q, want %q", i, deref(r.S), names[j], g[j], want[j])
				}
			}
			t.Fatalf("row %d = %s\nwant %s", i, got[i], w)
		}
	}
}

// floorEpoch floors v to a multiple of d counted from 1970 (Go's Truncate
// counts from year 1), as microseconds.
func floorEpoch(v time.Time, d time.Duration) string {
	us, step := v.UnixMicro(), d.Microseconds()
	f := us - us%step
	if us%step < 0 {
		f -= step
	}
	return fmt.Sprint(f)
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

func TestExprFilterLogic(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := exprRows(200)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(3))
	if err != nil {
		t.Fatal(err)
	}
	x, s := dataframe.Col("x"), dataframe.Col("s")
	cut := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	e := x.Gt(-2).And(x.Mul(2).Add(1).Le(9)).Or(s.IsNull()).
		And(s.Eq("it's,a,\"quote\"1").Not().Or(s.IsNull())).
		And(dataframe.Col("ts").Lt(cut).Or(dataframe.Col("ts").IsNull()))
	out := df.FilterExpr(e).AssignExpr("half", x.Div(2).Sub(dataframe.Lit(0.25))).Select("id", "half")
	if out.Err() != nil {
		t.Fatal(out.Err())
	}
	var want []string
	for _, r := range rows {
		sNull := r.S == nil
		// SQL's three-valued logic: a null x makes the first part null,
		// and FilterExpr keeps only true rows.
		first := sNull || (r.X != nil && *r.X > -2 && *r.X*2+1 <= 9)
		second := sNull || *r.S != "it's,a,\"quote\"1"
		third := r.TS == nil || r.TS.Before(cut)
		if first && second && third {
			half := "null"
			if r.X != nil {
				half = fmt.Sprintf("%.6g", *r.X/2-0.25)
			}
			want = append(want, fmt.Sprintf("%d|%s", r.ID, half))
		}
	}
	got := tableLines(t, mustCompute(t, ctx, out))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got %d rows %v\nwant %d rows %v", len(got), got, len(want), want)
	}
	// The same rows as the string Filter with DuckDB's SQL written by
	// hand.
	sql := `(x > -2 AND x * 2 + 1 <= 9 OR s IS NULL) AND (NOT s = 'it''s,a,"quote"1' OR s IS NULL) AND (ts < TIMESTAMPTZ '2024-01-02 00:00:00+00' OR ts IS NULL)`
	n1, err := df.FilterExpr(e).Len(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n2, err := df.Filter(sql).Len(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n1 != n2 || n1 != int64(len(want)) {
		t.Fatalf("FilterExpr kept %d rows, Filter %d, want %d", n1, n2, len(want))
	}
}

func TestExprLiteralsAreQuoted(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	df, err := dataframe.FromRecords(ctx, c, exprRows(40), dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	// A string that would end the literal and add SQL is only a string.
	evil := "x' OR TRUE OR 'a"
	n, err := df.FilterExpr(dataframe.Col("s").Eq(evil)).Len(ctx)
	if err != nil || n != 0 {
		t.Fatalf("Eq(%q) kept %d rows (%v); want 0", evil, n, err)
	}
	got := tableLines(t, mustCompute(t, ctx, df.AssignExpr("lit", dataframe.Lit(evil)).AssignExpr("big", dataframe.Lit(int64(1)<<40)).Select("lit", "big").Partitions(0, 1)))
	if got[0] != evil+"|1099511627776" {
		t.Fatalf("literals = %q", got[0])
	}
	// The SQL an Expr renders to.
	sql, err := dataframe.Col(`a "b"`).Eq("it's").And(dataframe.Col("x").Add(0.5).Gt(dataframe.Lit(int64(2)))).
		SQL(df.AssignExpr(`a "b"`, dataframe.Lit("")).Schema())
	if want := `(("a ""b""" = 'it''s') AND (("x" + CAST('0.5' AS DOUBLE)) > 2))`; err != nil || sql != want {
		t.Fatalf("SQL = %s, %v; want %s", sql, err, want)
	}
	// Constants in arithmetic keep their types: int64 stays int64, a
	// float makes float64 (not DuckDB's DECIMAL for "0.5").
	typed := df.AssignExpr("i2", dataframe.Col("id").Mul(2)).AssignExpr("h", dataframe.Col("id").Add(0.5))
	if s := typed.Schema(); s.Field(4).Type.String() != "int64" || s.Field(5).Type.String() != "float64" {
		t.Fatalf("types %s, %s; want int64, float64", s.Field(4).Type, s.Field(5).Type)
	}
	// A column whose name needs quoting.
	weird := df.AssignExpr(`a "b"`, dataframe.Col("id").Add(1))
	got = tableLines(t, mustCompute(t, ctx, weird.FilterExpr(dataframe.Col(`a "b"`).Eq(3)).Select("id")))
	if len(got) != 1 || got[0] != "2" {
		t.Fatalf(`Col("a \"b\"") = 3 kept %v`, got)
	}
}

func TestExprMistakes(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	df, err := dataframe.FromRecords(ctx, c, exprRows(10))
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, df.FilterExpr(dataframe.Col("nope").Gt(1)).Err(), "colexpr_test.go:", "FilterExpr", `no column "nope"`)
	wantErr(t, df.AssignExpr("l", dataframe.Col("x").Str().Lower()).Err(), "AssignExpr", "Str().Lower", `column "x"`, "float64", "not a string")
	wantErr(t, df.AssignExpr("l", dataframe.Col("s").Dt().Hour()).Err(), "Dt().Hour", `column "s"`, "utf8", "not a date or timestamp")
	wantErr(t, df.AssignExpr("l", dataframe.Col("ts").Dt().Floor("3weeks")).Err(), "Floor", `"3weeks"`, "unknown frequency")
	wantErr(t, df.AssignExpr("l", dataframe.Col("ts").Dt().Floor("0h")).Err(), `"0h"`)
	wantErr(t, df.AssignExpr("l", dataframe.Col("s").Add(1)).Err(), "Add", `column "s"`, "not a number")
	wantErr(t, df.FilterExpr(dataframe.Col("x").Add(1)).Err(), "FilterExpr", "not a boolean")
	wantErr(t, df.FilterExpr(dataframe.Col("x").And(true)).Err(), "And", `column "x"`, "not a boolean")
	wantErr(t, df.AssignExpr("l", dataframe.Col("s").Str().Slice(3, 1)).Err(), "Slice", "0 <= start <= stop")
	wantErr(t, df.AssignExpr("l", dataframe.Col("s").Str().Split("", 0)).Err(), "Split", "empty separator")
	wantErr(t, df.AssignExpr("l", dataframe.Lit(struct{}{})).Err(), "Lit", "struct {}")
	wantErr(t, df.FilterExpr(dataframe.Expr{}).Err(), "empty Expr")
	wantErr(t, df.FilterExpr(dataframe.Col("s").Gt(5)).Err(), "Gt", `column "s" is utf8`, "Lit(5) is int64", "one kind")
	wantErr(t, df.FilterExpr(dataframe.Col("x").Eq(dataframe.Col("ts"))).Err(), "Eq", `column "x" is float64`, `column "ts" is timestamp`)
}

func TestExprOnCategories(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(300, 30, 4)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(3))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := df.Categorize(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	out := cat.AssignExpr("u", dataframe.Col("k").Str().Upper()).
		FilterExpr(dataframe.Col("k").Str().EndsWith("1").Or(dataframe.Col("k").Eq("k02"))).
		Select("id", "u")
	if out.Err() != nil {
		t.Fatal(out.Err())
	}
	var want []string
	for _, r := range rows {
		if strings.HasSuffix(r.K, "1") || r.K == "k02" {
			want = append(want, fmt.Sprintf("%d|%s", r.ID, strings.ToUpper(r.K)))
		}
	}
	if got := tableLines(t, mustCompute(t, ctx, out)); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got %d rows %v\nwant %d", len(got), got, len(want))
	}
}
