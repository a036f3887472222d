package dataframe_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
)

// nrow is test data with nulls (nil pointers).
type nrow struct {
	ID int64    `df:"id"`
	K  *string  `df:"k"`
	X  *float64 `df:"x"`
	N  *int32   `df:"n"`
	B  *bool    `df:"b"`
}

// makeNullRows returns n rows with a null in k every 7th row, in x every
// 5th, in n every 4th, in b every 3rd; x has negative values, halves and
// ties.
func makeNullRows(n int) []nrow {
	out := make([]nrow, n)
	for i := range out {
		r := nrow{ID: int64(i)}
		if i%7 != 3 {
			k := fmt.Sprintf("k%d", i%4)
			r.K = &k
		}
		if i%5 != 1 {
			x := float64((i*37)%23-11) / 4
			r.X = &x
		}
		if i%4 != 2 {
			v := int32((i*13)%17 - 8)
			r.N = &v
		}
		if i%3 != 0 {
			b := i%2 == 0
			r.B = &b
		}
		out[i] = r
	}
	return out
}

func fs(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

func ff(p *float64) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprintf("%.6g", *p)
}

func fi(p *int32) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

func fb(p *bool) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

func (r nrow) line() string {
	return strings.Join([]string{fmt.Sprint(r.ID), fs(r.K), ff(r.X), fi(r.N), fb(r.B)}, "|")
}

func nullFrame(t *testing.T, ctx context.Context, rows []nrow, parts int) *dataframe.DataFrame {
	t.Helper()
	c := newCluster(t, ctx)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(parts))
	if err != nil {
		t.Fatal(err)
	}
	return df
}

// sameLines fails unless got and want are equal, in order.
func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s:\n got %d rows %v\nwant %d rows %v", what, len(got), got, len(want), want)
	}
}

func ptr[T any](v T) *T { return &v }

func TestColumnCallsMatchPandas(t *testing.T) {
	ctx := testContext(t)
	rows := makeNullRows(60)
	df := nullFrame(t, ctx, rows, 4)
	expect := func(f func(r nrow) (nrow, bool)) []string {
		var out []string
		for _, r := range rows {
			if r2, ok := f(r); ok {
				out = append(out, r2.line())
			}
		}
		return out
	}
	cases := []struct {
		name string
		df   *dataframe.DataFrame
		want []string
	}{
		{"FillNA(0)", df.FillNA(0), expect(func(r nrow) (nrow, bool) {
			if r.X == nil {
				r.X = ptr(0.0)
			}
			if r.N == nil {
				r.N = ptr(int32(0))
			}
			return r, true
		})},
		{"FillNA(2.5)", df.FillNA(2.5), expect(func(r nrow) (nrow, bool) {
			if r.X == nil {
				r.X = ptr(2.5)
			}
			return r, true
		})},
		{"FillNA(\"none\")", df.FillNA("none"), expect(func(r nrow) (nrow, bool) {
			if r.K == nil {
				r.K = ptr("none")
			}
			return r, true
		})},
		{"FillNAColumns", df.FillNAColumns(map[string]any{"k": "?", "n": int64(-1), "b": true}), expect(func(r nrow) (nrow, bool) {
			if r.K == nil {
				r.K = ptr("?")
			}
			if r.N == nil {
				r.N = ptr(int32(-1))
			}
			if r.B == nil {
				r.B = ptr(true)
			}
			return r, true
		})},
		{"DropNA(any)", df.DropNA("any"), expect(func(r nrow) (nrow, bool) {
			return r, r.K != nil && r.X != nil && r.N != nil && r.B != nil
		})},
		{"DropNA(all, x, n)", df.DropNA("all", "x", "n"), expect(func(r nrow) (nrow, bool) {
			return r, r.X != nil || r.N != nil
		})},
		{"DropNA(any, k)", df.DropNA("any", "k"), expect(func(r nrow) (nrow, bool) { return r, r.K != nil })},
		{"IsIn(k)", df.IsIn("k", "k1", "k3", "zz"), expect(func(r nrow) (nrow, bool) {
			return r, r.K != nil && (*r.K == "k1" || *r.K == "k3")
		})},
		{"IsIn(n)", df.IsIn("n", 0, int8(-8), 5), expect(func(r nrow) (nrow, bool) {
			return r, r.N != nil && (*r.N == 0 || *r.N == -8 || *r.N == 5)
		})},
		{"IsIn(x) float", df.IsIn("x", 2.75, -1), expect(func(r nrow) (nrow, bool) {
			return r, r.X != nil && (*r.X == 2.75 || *r.X == -1)
		})},
		{"IsIn(none)", df.IsIn("x"), nil},
		{"Where", df.Where("n > 0", 0, "x", "n"), expect(func(r nrow) (nrow, bool) {
			if !(r.N != nil && *r.N > 0) {
				r.X, r.N = ptr(0.0), ptr(int32(0))
			}
			return r, true
		})},
		{"Where null", df.Where("x >= 0", nil), func() []string {
			var out []string
			for _, r := range rows {
				if r.X != nil && *r.X >= 0 {
					out = append(out, r.line())
				} else {
					out = append(out, "null|null|null|null|null")
				}
			}
			return out
		}()},
		{"Mask", df.Mask("k = 'k2'", "masked", "k"), expect(func(r nrow) (nrow, bool) {
			if r.K != nil && *r.K == "k2" {
				r.K = ptr("masked")
			}
			return r, true
		})},
		{"Clip", df.Clip("x", -1, 1.5), expect(func(r nrow) (nrow, bool) {
			if r.X != nil {
				r.X = ptr(math.Min(math.Max(*r.X, -1), 1.5))
			}
			return r, true
		})},
		{"Clip lo only", df.Clip("n", nil, 3), expect(func(r nrow) (nrow, bool) {
			if r.N != nil && *r.N > 3 {
				r.N = ptr(int32(3))
			}
			return r, true
		})},
		{"Round", df.Round("x", 0), expect(func(r nrow) (nrow, bool) {
			if r.X != nil {
				r.X = ptr(math.RoundToEven(*r.X))
			}
			return r, true
		})},
		{"Round 1", df.Round("x", 1), expect(func(r nrow) (nrow, bool) {
			if r.X != nil {
				r.X = ptr(math.RoundToEven(*r.X*10) / 10)
			}
			return r, true
		})},
		{"Round int", df.Round("n", 2), expect(func(r nrow) (nrow, bool) { return r, true })},
		{"Round int -1", df.Round("n", -1).Round("id", -1), expect(func(r nrow) (nrow, bool) {
			if r.N != nil {
				r.N = ptr(int32(math.RoundToEven(float64(*r.N)/10) * 10))
			}
			r.ID = int64(math.RoundToEven(float64(r.ID)/10) * 10)
			return r, true
		})},
		{"Round -1", df.Round("x", -1), expect(func(r nrow) (nrow, bool) {
			if r.X != nil {
				r.X = ptr(math.RoundToEven(*r.X/10) * 10)
			}
			return r, true
		})},
		{"Abs", df.Abs("x", "id", "n", "x"), expect(func(r nrow) (nrow, bool) {
			r.ID = max(r.ID, -r.ID)
			if r.X != nil {
				r.X = ptr(math.Abs(*r.X))
			}
			if r.N != nil && *r.N < 0 {
				r.N = ptr(-*r.N)
			}
			return r, true
		})},
		{"chain", df.DropNA("any", "x").FillNA(int32(7)).Clip("x", 0, nil).Abs("n"), expect(func(r nrow) (nrow, bool) {
			if r.X == nil {
				return r, false
			}
			if r.N == nil {
				r.N = ptr(int32(7))
			}
			r.X = ptr(math.Max(*r.X, 0))
			if *r.N < 0 {
				r.N = ptr(-*r.N)
			}
			return r, true
		})},
	}
	for _, tc := range cases {
		if tc.df.Err() != nil {
			t.Fatalf("%s: %v", tc.name, tc.df.Err())
		}
		if !slices.Equal(tc.df.Columns(), df.Columns()) {
			t.Fatalf("%s: columns %v", tc.name, tc.df.Columns())
		}
		if !tc.df.Schema().Equal(df.Schema()) {
			t.Fatalf("%s: schema %s, want %s", tc.name, tc.df.Schema(), df.Schema())
		}
		sameLines(t, tc.name, tableLines(t, mustCompute(t, ctx, tc.df)), tc.want)
	}
	// Rounding ties go to even, as NumPy's: 0.5 -> 0, 1.5 -> 2, -2.5 -> -2.
	if got := tableLines(t, mustCompute(t, ctx, df.IsIn("x", -2.5, 0.5, 1.5).Round("x", 0).Select("x"))); len(got) == 0 {
		t.Fatal("no ties in the test data")
	} else {
		for _, g := range got {
			if g != "-2" && g != "0" && g != "2" {
				t.Fatalf("ties rounded to %v, want even", got)
			}
		}
	}
	// A chain of column calls is one query per partition.
}

func TestRenameDrop(t *testing.T) {
	ctx := testContext(t)
	rows := makeNullRows(30)
	df := nullFrame(t, ctx, rows, 3)
	r := df.Rename(map[string]string{"x": "value", "k": "key"})
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	if got := r.Columns(); !slices.Equal(got, []string{"id", "key", "value", "n", "b"}) {
		t.Fatalf("Rename columns = %v", got)
	}
	var want []string
	for _, row := range rows {
		want = append(want, row.line())
	}
	sameLines(t, "Rename", tableLines(t, mustCompute(t, ctx, r)), want)
	// Swapping two names is fine.
	sw := df.Rename(map[string]string{"x": "n", "n": "x"})
	if got := sw.Columns(); sw.Err() != nil || !slices.Equal(got, []string{"id", "k", "n", "x", "b"}) {
		t.Fatalf("swap: %v %v", got, sw.Err())
	}
	d := df.Drop("x", "b")
	if got := d.Columns(); d.Err() != nil || !slices.Equal(got, []string{"id", "k", "n"}) {
		t.Fatalf("Drop columns = %v, %v", got, d.Err())
	}
	want = want[:0]
	for _, row := range rows {
		want = append(want, strings.Join([]string{fmt.Sprint(row.ID), fs(row.K), fi(row.N)}, "|"))
	}
	sameLines(t, "Drop", tableLines(t, mustCompute(t, ctx, d)), want)
	sameLines(t, "Rename then Drop", tableLines(t, mustCompute(t, ctx, r.Drop("value", "b"))), want)
	// Known divisions follow their column's new name, and go with it.
	sorted, err := df.SetIndex(ctx, "id", dataframe.Sorted())
	if err != nil {
		t.Fatal(err)
	}
	if d := sorted.Rename(map[string]string{"id": "ident"}).Divisions(); d == nil || d.Column != "ident" {
		t.Fatalf("divisions after Rename: %+v", d)
	}
	if d := sorted.Drop("id").Divisions(); d != nil {
		t.Fatalf("divisions after dropping their column: %+v", d)
	}
	if d := sorted.Drop("x").Divisions(); d == nil || d.Column != "id" {
		t.Fatalf("divisions after Drop(x): %+v", d)
	}
}

func TestColumnCallErrors(t *testing.T) {
	ctx := testContext(t)
	df := nullFrame(t, ctx, makeNullRows(20), 2)
	cases := []struct {
		df    *dataframe.DataFrame
		parts []string
	}{
		{df.Rename(map[string]string{"nope": "a"}), []string{"columns_test.go:", "Rename", `no column "nope"`}},
		{df.Rename(map[string]string{"x": "k"}), []string{"Rename", `"k" and "x" would both be named "k"`}},
		{df.Rename(map[string]string{"x": ""}), []string{"Rename", `new name of "x" is empty`}},
		{df.Drop("id", "nope"), []string{"Drop", `no column "nope"`}},
		{df.Drop("id", "k", "x", "n", "b"), []string{"Drop", "every column"}},
		{df.Drop(), []string{"Drop", "no columns given"}},
		{df.FillNA(nil), []string{"FillNA", "nil"}},
		{df.FillNA([]int{1}), []string{"FillNA", "fits no column"}},
		{df.Select("k", "b").FillNA(1.5), []string{"FillNA", "1.5 (float64) fits no column", "k utf8, b bool"}},
		{df.FillNAColumns(map[string]any{"n": 1.5}), []string{"FillNAColumns", `1.5 (float64) does not fit column "n" of type int32 without loss`}},
		{df.FillNAColumns(map[string]any{"n": int64(1) << 40}), []string{"FillNAColumns", `column "n"`, "out of range"}},
		{df.FillNAColumns(map[string]any{"k": 1}), []string{"FillNAColumns", `1 (int) does not fit column "k" of type utf8`}},
		{df.FillNAColumns(map[string]any{"zz": 1}), []string{"FillNAColumns", `no column "zz"`}},
		{df.DropNA("some"), []string{"DropNA", `how is "some"`, `"any" or "all"`}},
		{df.DropNA("any", "zz"), []string{"DropNA", `no column "zz"`}},
		{df.IsIn("k", "a", 3), []string{"IsIn", `3 (int) does not fit column "k"`}},
		{df.IsIn("n", 1.25), []string{"IsIn", `1.25 (float64) does not fit column "n"`}},
		{df.IsIn("n", nil), []string{"IsIn", "nil", `"n" IS NULL`}},
		{df.IsIn("zz", 1), []string{"IsIn", `no column "zz"`}},
		{df.Where("nosuch > 0", 0, "x"), []string{"Where", "nosuch"}},
		{df.Where("x > 0", "s", "x"), []string{"Where", `"s" (string) does not fit column "x"`}},
		{df.Where("x > 0", 0), []string{"Where", `does not fit column "k"`}},
		{df.Mask("x >", nil), []string{"Mask", "syntax error"}},
		{df.Mask("x + 1", nil), []string{"Mask", `the condition "x + 1" is float64, not a boolean`}},
		{df.Mask("x > 0", nil, "zz"), []string{"Mask", `no column "zz"`}},
		{df.Clip("k", 0, 1), []string{"Clip", `column "k" is utf8, not a number`}},
		{df.Clip("x", 2, 1), []string{"Clip", "lo 2 is greater than hi 1"}},
		{df.Clip("n", 0.5, nil), []string{"Clip", `0.5 (float64) does not fit column "n"`}},
		{df.Clip("x", nil, nil), []string{"Clip", "no bounds"}},
		{df.Round("k", 1), []string{"Round", `column "k" is utf8`}},
		{df.Round("n", -19), []string{"Round", "-19 decimals is out of range [-18, 0]", `"n"`}},
		{df.Abs("k"), []string{"Abs", `column "k" is utf8`}},
		{df.Select("k").Abs(), []string{"Abs", "no integer or float column"}},
	}
	for _, tc := range cases {
		wantErr(t, tc.df.Err(), tc.parts...)
		if !strings.Contains(tc.df.Err().Error(), "columns_test.go:") {
			t.Fatalf("error %q does not name the caller's line", tc.df.Err())
		}
	}
	// The least int8 has no absolute value in int8: an error of the
	// computation, not a wrapped value.
	type small struct {
		V int8 `df:"v"`
	}
	c := newCluster(t, ctx)
	sm, err := dataframe.FromRecords(ctx, c, []small{{1}, {-128}}, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	_, err = sm.Abs().Compute(ctx)
	wantErr(t, err, "128")
	// -128 rounds to -130, which int8 cannot hold.
	_, err = sm.Round("v", -1).Compute(ctx)
	wantErr(t, err, "-130")
}
