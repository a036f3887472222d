package dataframe

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// planOutputs on hand-made output sizes: which outputs are read as one,
// which are cut, on which side, into how many pieces, by join kind.
func TestPlanOutputs(t *testing.T) {
	conf := adaptiveConf{coalesceTarget: 100, pieceBytes: 100, skewFactor: 5, skewBytes: 150}
	sent := func(bytes ...int64) shuffle.Sent {
		rows := make([]int64, len(bytes))
		for i, b := range bytes {
			rows[i] = b // a byte a row
		}
		return shuffle.Sent{Rows: rows, Bytes: bytes}
	}
	groups := func(gs []outGroup) string {
		var out []string
		for _, g := range gs {
			switch {
			case g.split > 1 && g.splitLeft:
				out = append(out, fmt.Sprintf("%d/L%d", g.from, g.split))
			case g.split > 1:
				out = append(out, fmt.Sprintf("%d/R%d", g.from, g.split))
			default:
				out = append(out, fmt.Sprintf("%d-%d", g.from, g.to-1))
			}
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		name   string
		l, r   shuffle.Sent
		how    string
		conf   adaptiveConf
		want   string
		nlines int
	}{
		// Outputs of 20+10 bytes: three fit in the target of 100.
		{"coalesce", sent(20, 20, 20, 20, 20, 20, 20), sent(10, 10, 10, 10, 10, 10, 10), "inner", conf, "0-2 3-5 6-6", 1},
		{"coalescing off", sent(20, 20, 20), sent(10, 10, 10), "inner", adaptiveConf{pieceBytes: 100, skewFactor: 5, skewBytes: 150}, "0-0 1-1 2-2", 0},
		// Output 2 holds 450 bytes of the left (median 20): cut into
		// ceil(450/100) = 5 pieces; it breaks the runs around it.
		{"skew left, inner", sent(20, 20, 450, 20, 20), sent(10, 10, 10, 10, 10), "inner", conf, "0-1 2/L5 3-4", 2},
		{"skew left, left join", sent(20, 20, 450, 20, 20), sent(10, 10, 10, 10, 10), "left", conf, "0-1 2/L5 3-4", 2},
		// A right join keeps the right side's unmatched rows: the left
		// side may not be cut. 450 is over the target: read alone.
		{"skew left, right join", sent(20, 20, 450, 20, 20), sent(10, 10, 10, 10, 10), "right", conf, "0-1 2-2 3-4", 1},
		{"skew left, outer join", sent(20, 20, 450, 20, 20), sent(10, 10, 10, 10, 10), "outer", conf, "0-1 2-2 3-4", 1},
		{"skew right, right join", sent(10, 10, 10), sent(20, 900, 20), "right", conf, "0-0 1/R9 2-2", 1},
		// Both sides skewed in one output: the larger is cut.
		{"both skewed, inner", sent(10, 600, 10), sent(10, 300, 10), "inner", conf, "0-0 1/L6 2-2", 1},
		// Under skew-bytes, or not factor times the median: not skewed.
		{"under skew bytes", sent(10, 140, 10), sent(0, 0, 0), "inner", conf, "0-0 1-1 2-2", 0},
		{"under the factor", sent(100, 160, 100), sent(0, 0, 0), "inner", adaptiveConf{pieceBytes: 100, skewFactor: 5, skewBytes: 150}, "0-0 1-1 2-2", 0},
		// Pieces: at most maxSkewPieces, and no more than the rows.
		{"many pieces", sent(1, 100000, 1), sent(0, 0, 0), "inner", conf, fmt.Sprintf("0-0 1/L%d 2-2", maxSkewPieces), 1},
		{"few rows", shuffle.Sent{Rows: []int64{1, 3, 1}, Bytes: []int64{1, 100000, 1}}, sent(0, 0, 0), "inner", conf, "0-0 1/L3 2-2", 1},
	} {
		gs, lines := planOutputs(tc.l, tc.r, tc.how, tc.conf)
		if got := groups(gs); got != tc.want || len(lines) != tc.nlines {
			t.Errorf("%s: groups %q, %d lines %v; want %q, %d lines", tc.name, got, len(lines), lines, tc.want, tc.nlines)
		}
	}
}

// The lines planOutputs writes name the numbers behind each decision.
func TestPlanOutputsLines(t *testing.T) {
	conf := adaptiveConf{coalesceTarget: 100, pieceBytes: 100, skewFactor: 5, skewBytes: 150}
	l := shuffle.Sent{Rows: []int64{20, 20, 450, 20, 20}, Bytes: []int64{20, 20, 450, 20, 20}}
	r := shuffle.Sent{Rows: []int64{10, 10, 10, 10, 10}, Bytes: []int64{10, 10, 10, 10, 10}}
	_, lines := planOutputs(l, r, "inner", conf)
	want := []adaptiveLine{
		{skew: true, text: "shuffle output 2 of 5 holds 450 B of the left side (median 20 B; skew factor 5, skew bytes 150 B): cut into 5 pieces, each joined with the right side's output 2"},
		{text: "4 of the 5 shuffle outputs (120 B in all, both sides) read as 2 partitions (target 100 B): 7 partitions instead of 5"},
	}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("lines\n%v\nwant\n%v", lines, want)
	}
}
