//go:build duckdb_arrow

package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// dictRecord is a record of one dictionary column holding vals, encoded
// over dict.
func dictRecord(t *testing.T, dict []string, vals []string) arrow.RecordBatch {
	t.Helper()
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	s := arrow.NewSchema([]arrow.Field{{Name: "k", Type: dt, Nullable: true}}, nil)
	db := array.NewStringBuilder(memory.DefaultAllocator)
	defer db.Release()
	db.AppendValues(dict, nil)
	d := db.NewArray()
	defer d.Release()
	ib := array.NewInt32Builder(memory.DefaultAllocator)
	defer ib.Release()
	for _, v := range vals {
		found := false
		for i, c := range dict {
			if c == v {
				ib.Append(int32(i))
				found = true
			}
		}
		if !found {
			t.Fatalf("%q is not in %v", v, dict)
		}
	}
	idx := ib.NewArray()
	defer idx.Release()
	col := array.NewDictionaryArray(dt, idx, d)
	defer col.Release()
	return array.NewRecordBatch(s, []arrow.Array{col}, int64(len(vals)))
}

// Records given as Recs are read as one table in their order, each with
// its own dictionary, larger ones in several slices, and stay intact for
// the next query; records of different schemas are refused, naming the
// input.
func TestInputOfSeveralRecords(t *testing.T) {
	e, err := Open(Settings{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	recs := []arrow.RecordBatch{
		dictRecord(t, []string{"a", "b"}, []string{"b", "a", "b"}),
		dictRecord(t, []string{"b", "c", "z"}, []string{"c", "z", "b"}),
	}
	q := WithCTE("part", ScanView(ViewIn), "SELECT string_agg(k, '' ORDER BY rn) AS s, count(*) AS n FROM (SELECT k, row_number() OVER () AS rn FROM part)")
	for range 2 {
		out, err := e.Query(ctx, q, Input{Name: ViewIn, Recs: recs})
		if err != nil {
			t.Fatal(err)
		}
		if s := out.Column(0).(*array.String).Value(0); s != "babczb" {
			t.Fatalf("the records read as %q, want babczb", s)
		}
	}
	big := []arrow.RecordBatch{testRecord(300000), testRecord(5)}
	out, err := e.Query(ctx, WithCTE("part", ScanView(ViewIn), "SELECT count(*), sum(x) FROM part"), Input{Name: ViewIn, Recs: big})
	if err != nil {
		t.Fatal(err)
	}
	if n, x := out.Column(0).(*array.Int64).Value(0), out.Column(1).(*array.Float64).Value(0); n != 300005 || x != 299999*300000/2+10 {
		t.Fatalf("count %d, sum %v over a large record and a small one", n, x)
	}
	_, err = e.Query(ctx, q, Input{Name: ViewIn, Recs: []arrow.RecordBatch{recs[0], testRecord(3)}})
	if err == nil || !strings.Contains(err.Error(), "record 1 of input "+ViewIn) || !strings.Contains(err.Error(), "share one schema") {
		t.Fatalf("records of two schemas: err = %v", err)
	}
}
