package dataframe

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// planSingle on hand-made output sizes: which outputs are read as one and
// which are cut, into how many pieces; an output that may not be cut (a
// group-by's that may hold one group) is read alone, in no run.
func TestPlanSingle(t *testing.T) {
	conf := adaptiveConf{coalesceTarget: 100, pieceBytes: 100, skewFactor: 5, skewBytes: 150}
	sent := func(bytes ...int64) shuffle.Sent {
		return shuffle.Sent{Rows: bytes, Bytes: bytes} // a byte a row
	}
	groups := func(gs []outGroup) string {
		var out []string
		for _, g := range gs {
			if g.split > 1 {
				out = append(out, fmt.Sprintf("%d/%d", g.from, g.split))
			} else {
				out = append(out, fmt.Sprintf("%d-%d", g.from, g.to-1))
			}
		}
		return strings.Join(out, " ")
	}
	all := func(int) bool { return true }
	for _, tc := range []struct {
		name     string
		s        shuffle.Sent
		conf     adaptiveConf
		owners   []string
		cuttable func(int) bool
		want     string
		line     string
	}{
		{"coalesce", sent(30, 30, 30, 30, 30, 30, 30), conf, nil, all, "0-2 3-5 6-6", "6 of the 7 shuffle outputs (180 B in all) read as 2 partitions (target 100 B)"},
		{"coalescing off", sent(30, 30, 30), adaptiveConf{pieceBytes: 100, skewFactor: 5, skewBytes: 150}, nil, all, "0-0 1-1 2-2", ""},
		{"skew", sent(20, 20, 450, 20, 20), conf, nil, all, "0-1 2/5 3-4", "4 of the 5 shuffle outputs (80 B in all) read as 2 partitions (target 100 B)"},
		{"skew, not cuttable", sent(20, 20, 450, 20, 20), conf, nil, func(j int) bool { return j != 2 }, "0-1 2-2 3-4", "4 of the 5 shuffle outputs (80 B in all) read as 2 partitions (target 100 B)"},
		// A skewed output under the target is still read alone.
		{"skew under the target", sent(1, 1, 90, 1, 1), adaptiveConf{coalesceTarget: 1000, pieceBytes: 10, skewFactor: 5, skewBytes: 50}, nil, func(int) bool { return false }, "0-1 2-2 3-4", "4 of the 5 shuffle outputs (4 B in all) read as 2 partitions (target 1000 B)"},
		// A run stops where the owner changes.
		{"owners", sent(10, 10, 10, 10, 10, 10), conf, []string{"a", "a", "a", "a", "b", "b"}, all, "0-3 4-5", "6 of the 6 shuffle outputs (60 B in all) read as 2 partitions (target 100 B)"},
		{"few rows", shuffle.Sent{Rows: []int64{1, 3, 1}, Bytes: []int64{1, 100000, 1}}, conf, nil, all, "0-0 1/3 2-2", ""},
	} {
		gs, _, line := planSingle(tc.s, tc.owners, tc.conf, tc.cuttable)
		if got := groups(gs); got != tc.want || line != tc.line {
			t.Errorf("%s: groups %q, line %q; want %q, %q", tc.name, got, line, tc.want, tc.line)
		}
	}
}

// hashPiece cuts one output of a hash shuffle by the finer bits of the
// same hash: every row of the output is in exactly one piece, equal keys
// in one, and rows of another output in none.
func TestHashPiece(t *testing.T) {
	keys := make([]int64, 5000)
	for i := range keys {
		keys[i] = int64(i % 1700)
	}
	rec := int64Record("id", keys)
	const n, k = 8, 4
	targets, err := shuffle.Targets(rec, &shuffle.Spec{Kind: shuffle.Hash, Columns: []string{"id"}, Owners: make([]string, n)})
	if err != nil {
		t.Fatal(err)
	}
	for j := range n {
		var want int64
		for _, tg := range targets {
			if int(tg) == j {
				want++
			}
		}
		piece := map[int64]int{}
		var got int64
		for i := range k {
			p, err := hashPiece(rec, []string{"id"}, j, n, k, i)
			if err != nil {
				t.Fatal(err)
			}
			got += p.NumRows()
			for _, v := range p.Column(0).(*array.Int64).Int64Values() {
				if w, ok := piece[v]; ok && w != i {
					t.Fatalf("output %d: key %d in pieces %d and %d", j, v, w, i)
				}
				piece[v] = i
				if int(targets[v]) != j { // key v is first at row v
					t.Fatalf("output %d: piece %d holds key %d of output %d", j, i, v, targets[v])
				}
			}
		}
		if got != want {
			t.Fatalf("output %d: %d rows in its pieces, %d in the output", j, got, want)
		}
		used := map[int]bool{}
		for _, i := range piece {
			used[i] = true
		}
		if len(used) != k {
			t.Fatalf("output %d: its %d keys are in %d of the %d pieces", j, len(piece), len(used), k)
		}
	}
	if _, err := hashPiece(rec, []string{"id"}, 8, n, k, 0); err == nil {
		t.Fatal("output 8 of 8: no error")
	}
}

func int64Record(name string, vs []int64) arrow.RecordBatch {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vs, nil)
	col := b.NewArray()
	s := arrow.NewSchema([]arrow.Field{{Name: name, Type: arrow.PrimitiveTypes.Int64}}, nil)
	return array.NewRecordBatch(s, []arrow.Array{col}, int64(len(vs)))
}
