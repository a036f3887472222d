package kernels

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// spreadInput is rows of (i, k, v) with k categorical over a, b, c.
func spreadInput(t *testing.T, i arrow.DataType, idx, ks, vs string, vt arrow.DataType) arrow.RecordBatch {
	t.Helper()
	ia, _, err := array.FromJSON(memory.DefaultAllocator, i, strings.NewReader(idx))
	if err != nil {
		t.Fatal(err)
	}
	codes, _, err := array.FromJSON(memory.DefaultAllocator, arrow.PrimitiveTypes.Int32, strings.NewReader(ks))
	if err != nil {
		t.Fatal(err)
	}
	dict, _, _ := array.FromJSON(memory.DefaultAllocator, arrow.BinaryTypes.String, strings.NewReader(`["a", "b", "c"]`))
	va, _, err := array.FromJSON(memory.DefaultAllocator, vt, strings.NewReader(vs))
	if err != nil {
		t.Fatal(err)
	}
	s := arrow.NewSchema([]arrow.Field{{Name: "i", Type: i, Nullable: true}, {Name: "k", Type: CategoryType, Nullable: true}, {Name: "v", Type: vt, Nullable: true}}, nil)
	return array.NewRecordBatch(s, []arrow.Array{ia, array.NewDictionaryArray(CategoryType, codes, dict), va}, int64(ia.Len()))
}

func spreadLines(rec arrow.RecordBatch) string {
	var lines []string
	for r := range int(rec.NumRows()) {
		var cells []string
		for c := range int(rec.NumCols()) {
			cells = append(cells, rec.Column(c).ValueStr(r))
		}
		lines = append(lines, strings.Join(cells, "|"))
	}
	return strings.Join(lines, "\n")
}

// TestSpreadMakesOneRowPerIndexValue spreads rows whose index values are
// not all next to each other, with a null index, floats 0 and -0 and NaNs
// as one value each, a null category (no column), string values and
// counts (0 where a category has no row); a second row of one index value
// and category is an error.
func TestSpreadMakesOneRowPerIndexValue(t *testing.T) {
	p := SpreadPlan{Index: "i", Columns: "k", Value: "v", Cats: []string{"a", "b", "c"}}
	for _, tc := range []struct {
		name       string
		it, vt     arrow.DataType
		i, k, v    string
		zero       bool
		want, fail string
	}{
		{name: "int64 index, float values", it: arrow.PrimitiveTypes.Int64, vt: arrow.PrimitiveTypes.Float64,
			i: `[1, 1, 2, null, 1, 2]`, k: `[0, 2, 1, 0, 1, null]`, v: `[1.5, 2.5, 3, 4, null, 6]`,
			want: "1|1.5|(null)|2.5\n2|(null)|3|(null)\n(null)|4|(null)|(null)"},
		{name: "float index", it: arrow.PrimitiveTypes.Float64, vt: arrow.BinaryTypes.String,
			i: `[0, -0, "NaN", "NaN", 2]`, k: `[0, 1, 0, 2, 0]`, v: `["x", "y", "z", null, "w"]`,
			want: "0|x|y|(null)\nNaN|z|(null)|(null)\n2|w|(null)|(null)"},
		{name: "string index, counts", it: arrow.BinaryTypes.String, vt: arrow.PrimitiveTypes.Int64,
			i: `["q", "r", "q"]`, k: `[0, 0, 2]`, v: `[3, 4, 5]`, zero: true,
			want: "q|3|0|5\nr|4|0|0"},
		{name: "a pair twice", it: arrow.PrimitiveTypes.Int64, vt: arrow.PrimitiveTypes.Int64,
			i: `[1, 2, 1]`, k: `[0, 0, 0]`, v: `[1, 2, 3]`, fail: `two rows of one index value have category "a" (rows 0 and 2)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := spreadInput(t, tc.it, tc.i, tc.k, tc.v, tc.vt)
			pl := p
			pl.Zero = tc.zero
			if SpreadSchema(rec.Schema(), pl) == nil {
				t.Fatalf("SpreadSchema refuses %s", rec.Schema())
			}
			out, err := Spread(rec, pl)
			if tc.fail != "" {
				if err == nil || !strings.Contains(err.Error(), tc.fail) {
					t.Fatalf("error %v, want one saying %q", err, tc.fail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := spreadLines(out); got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
			if !out.Schema().Equal(SpreadSchema(rec.Schema(), pl)) {
				t.Fatalf("schema %s, SpreadSchema says %s", out.Schema(), SpreadSchema(rec.Schema(), pl))
			}
		})
	}
	// A category outside the plan's, and a type Go does not compare.
	rec := spreadInput(t, arrow.PrimitiveTypes.Int64, `[1]`, `[1]`, `[1]`, arrow.PrimitiveTypes.Int64)
	if _, err := Spread(rec, SpreadPlan{Index: "i", Columns: "k", Value: "v", Cats: []string{"a", "c"}}); err == nil || !strings.Contains(err.Error(), `has the value "b", which is not one of its 2 categories`) {
		t.Fatalf("a category outside the plan's: %v", err)
	}
	lt := arrow.ListOf(arrow.PrimitiveTypes.Int64)
	if s := SpreadSchema(arrow.NewSchema([]arrow.Field{{Name: "i", Type: lt}, {Name: "k", Type: CategoryType}, {Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil), p); s != nil {
		t.Fatalf("a list index: SpreadSchema gives %s, want nil (SQL spreads it)", s)
	}
}
