package dataframe_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe"
)

func TestConcat(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	type ra struct {
		ID int32   `df:"id"`
		K  *string `df:"k"`
		X  float64 `df:"x"`
	}
	type rb struct {
		ID int64    `df:"id"`
		X  *float64 `df:"x"`
		Z  *string  `df:"z"`
	}
	var as, cs []ra
	var bs []rb
	var want []string
	for i := range 10 {
		r := ra{ID: int32(i), X: float64(i) / 2}
		if i%3 != 0 {
			r.K = ptr(fmt.Sprintf("a%d", i%2))
		}
		as = append(as, r)
		want = append(want, fmt.Sprintf("%d|%s|%.6g|null", r.ID, fs(r.K), r.X))
	}
	for i := range 9 {
		r := rb{ID: int64(1)<<40 + int64(i)}
		if i%2 == 0 {
			r.X = ptr(float64(-i))
		}
		if i%4 != 1 {
			r.Z = ptr(fmt.Sprintf("z%d", i))
		}
		bs = append(bs, r)
		want = append(want, fmt.Sprintf("%d|null|%s|%s", r.ID, ff(r.X), fs(r.Z)))
	}
	for i := range 4 {
		r := ra{ID: int32(100 + i), K: ptr("c"), X: 1}
		cs = append(cs, r)
		want = append(want, fmt.Sprintf("%d|c|1|null", r.ID))
	}
	a, err := dataframe.FromRecords(ctx, c, as, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	b, err := dataframe.FromRecords(ctx, c, bs, dataframe.Partitions(3))
	if err != nil {
		t.Fatal(err)
	}
	cc, err := dataframe.FromRecords(ctx, c, cs, dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	out := dataframe.Concat(a, b, cc)
	if out.Err() != nil {
		t.Fatal(out.Err())
	}
	if out.NPartitions() != 7 {
		t.Fatalf("NPartitions = %d, want 7", out.NPartitions())
	}
	if got := out.Columns(); !slices.Equal(got, []string{"id", "k", "x", "z"}) {
		t.Fatalf("columns %v", got)
	}
	if ty := out.Schema().Field(0).Type; !arrow.TypeEqual(ty, arrow.PrimitiveTypes.Int64) {
		t.Fatalf("id is %s, want int64", ty)
	}
	sameLines(t, "Concat", tableLines(t, mustCompute(t, ctx, out)), want)
	// Steps after Concat see all the rows.
	if n, err := out.Filter("k IS NULL").Len(ctx); err != nil || n != 4+9 {
		t.Fatalf("rows with k null = %d, %v; want 13", n, err)
	}
	// Widening without loss: int8 with uint8 is int16, int16 with float32
	// float32, int32 with float64 float64.
	type w1 struct {
		A int8  `df:"a"`
		B int16 `df:"b"`
		C int32 `df:"c"`
	}
	type w2 struct {
		A uint8   `df:"a"`
		B float32 `df:"b"`
		C float64 `df:"c"`
	}
	x1, _ := dataframe.FromRecords(ctx, c, []w1{{-1, -2, -3}, {127, 300, 65536}}, dataframe.Partitions(2))
	x2, _ := dataframe.FromRecords(ctx, c, []w2{{255, 1.5, 0.25}})
	wide := dataframe.Concat(x1, x2)
	if wide.Err() != nil {
		t.Fatal(wide.Err())
	}
	for i, wt := range []arrow.DataType{arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64} {
		if got := wide.Schema().Field(i).Type; !arrow.TypeEqual(got, wt) {
			t.Fatalf("column %d is %s, want %s", i, got, wt)
		}
	}
	sameLines(t, "widened", tableLines(t, mustCompute(t, ctx, wide)), []string{"-1|-2|-3", "127|300|65536", "255|1.5|0.25"})

	// Categorical columns: the same categories stay categorical; with a
	// string column they become strings.
	ka, err := a.Categorize(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	both := dataframe.Concat(ka, ka)
	if both.Err() != nil || !slices.Equal(both.Categories("k"), []string{"a0", "a1"}) {
		t.Fatalf("categories %v, %v", both.Categories("k"), both.Err())
	}
	if got := rowsOf(t, mustCompute(t, ctx, both.Select("k").DropNA("any").DropDuplicates())); !slices.Equal(got, []string{"a0", "a1"}) {
		t.Fatalf("categorical concat = %v", got)
	}
	// Reshaped (id widened) with the categorical column passing through.
	wider := dataframe.Concat(ka, ka.Astype(map[string]arrow.DataType{"id": arrow.PrimitiveTypes.Int64}))
	if wider.Err() != nil || !slices.Equal(wider.Categories("k"), []string{"a0", "a1"}) {
		t.Fatalf("categories %v, %v", wider.Categories("k"), wider.Err())
	}
	wt := mustCompute(t, ctx, wider.Select("id", "k"))
	if _, ok := wt.Schema().Field(1).Type.(*arrow.DictionaryType); !ok || wt.NumRows() != 20 {
		t.Fatalf("k came out as %s, %d rows", wt.Schema().Field(1).Type, wt.NumRows())
	}
	if got := tableLines(t, wt); got[1] != "1|a1" || got[11] != "1|a1" || got[0] != "0|null" {
		t.Fatalf("widened categorical concat = %v", got)
	}
	mixed := dataframe.Concat(ka, cc)
	if mixed.Err() != nil {
		t.Fatal(mixed.Err())
	}
	if ty := mixed.Schema().Field(1).Type; !arrow.TypeEqual(ty, arrow.BinaryTypes.String) {
		t.Fatalf("categorical with string is %s, want utf8", ty)
	}
	if got := tableLines(t, mustCompute(t, ctx, mixed.Select("k"))); len(got) != 14 || got[1] != "a1" || got[13] != "c" {
		t.Fatalf("categorical with string = %v", got)
	}

	// Mistakes.
	x3, _ := dataframe.FromRecords(ctx, c, []rb{{ID: 1}})
	x3f := x3.Astype(map[string]arrow.DataType{"id": arrow.PrimitiveTypes.Float64})
	if fine := dataframe.Concat(a, x3f); fine.Err() != nil {
		t.Fatal(fine.Err()) // int32 with float64 is fine...
	}
	wantErr(t, dataframe.Concat(a, x3f, b).Err(), `column "id" is float64 in frame 1 and int64 in frame 2`)
	// ...but int64 with float64 is not.
	wantErr(t, dataframe.Concat(b, x3.Astype(map[string]arrow.DataType{"id": arrow.PrimitiveTypes.Float64})).Err(),
		"concat_test.go:", "Concat", `column "id" is int64 in frame 0 and float64 in frame 1`)
	wantErr(t, dataframe.Concat(a, b.Rename(map[string]string{"z": "k", "x": "x0"}).Astype(map[string]arrow.DataType{"id": arrow.PrimitiveTypes.Int32}).Assign("x", "'s'")).Err(),
		"Concat", `column "x" is float64 in frame 0 and utf8 in frame 1`)
	wantErr(t, dataframe.Concat().Err(), "Concat", "no frames")
	wantErr(t, dataframe.Concat(a, a.Select("nope")).Err(), "Select", `no column "nope"`)
	other := newCluster(t, ctx)
	elsewhere, _ := dataframe.FromRecords(ctx, other, as)
	wantErr(t, dataframe.Concat(a, elsewhere).Err(), "Concat", "another client")
}
