package dataframe

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

type testKey string

func (k testKey) Key() dusk.Key { return dusk.Key(k) }

// balancePlaces moves Transfers from the worker that holds the most inputs
// to the one that holds the fewest until they differ by at most one; an
// input held twice counts for the emptier holder, one held nowhere stays.
func TestBalancePlaces(t *testing.T) {
	workers := []string{"a", "b"}
	keys := func(n int) []dusk.Keyer {
		out := make([]dusk.Keyer, n)
		for i := range out {
			out[i] = testKey(fmt.Sprint("p", i))
		}
		return out
	}
	held := func(ws ...string) map[dusk.Key][]string {
		out := map[dusk.Key][]string{}
		for i, w := range ws {
			if w != "" {
				out[dusk.Key(fmt.Sprint("p", i))] = strings.Split(w, "+")
			}
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		where map[dusk.Key][]string
		want  string // the move of each input, "-" for none; "" for nil
	}{
		// 8 on a, 4 on b: a's last two go to b.
		{"8 and 4", held("a", "a", "a", "a", "b", "a", "b", "a", "b", "a", "a", "b"), "- - - - - - - - - b b -"},
		{"7 and 5", held("a", "a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "a"), "- - - - - - - - - - - b"},
		{"6 and 6", held("a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "a", "b"), ""},
		{"all on b", held("b", "b", "b", "b"), "- - a a"},
		// Held by both: counts for the emptier; nowhere: not counted.
		{"held twice", held("a", "a+b", "a", "b"), ""},
		{"not in memory", held("a", "a", "", ""), "- b - -"},
		{"on another worker", held("a", "a", "c", "c"), "- b - -"},
	} {
		in := keys(len(tc.where))
		if tc.name == "not in memory" || tc.name == "on another worker" {
			in = keys(4)
		}
		got := balancePlaces(in, tc.where, workers)
		s := ""
		if got != nil {
			moves := make([]string, len(got))
			for i, w := range got {
				moves[i] = w
				if w == "" {
					moves[i] = "-"
				}
			}
			s = strings.Join(moves, " ")
		}
		if s != tc.want {
			t.Errorf("%s: moves %q, want %q", tc.name, s, tc.want)
		}
	}
}

// A run of coalesced outputs stays within one owner's outputs when they
// do not all fit in one partition: ten
// outputs of 30+10 bytes, five a worker, with a target of 128, are read as
// 3+2 on each worker, not 3+3+3+1 with a run across the two.
func TestPlanOwnedOutputs(t *testing.T) {
	conf := adaptiveConf{coalesceTarget: 128, pieceBytes: 128, skewFactor: 5, skewBytes: 1 << 30}
	l := shuffle.Sent{Rows: make([]int64, 10), Bytes: make([]int64, 10)}
	r := shuffle.Sent{Rows: make([]int64, 10), Bytes: make([]int64, 10)}
	for i := range 10 {
		l.Rows[i], l.Bytes[i] = 30, 30
		r.Rows[i], r.Bytes[i] = 10, 10
	}
	runs := func(gs []outGroup) string {
		var out []string
		for _, g := range gs {
			out = append(out, fmt.Sprintf("%d-%d", g.from, g.to-1))
		}
		return strings.Join(out, " ")
	}
	owners := []string{"a", "a", "a", "a", "a", "b", "b", "b", "b", "b"}
	gs, lines := planOwnedOutputs(l, r, "inner", conf, owners)
	if got, want := runs(gs), "0-2 3-4 5-7 8-9"; got != want || len(lines) != 1 {
		t.Errorf("owned: runs %q (%d lines), want %q (1 line)", got, len(lines), want)
	}
	// All the outputs in one partition: the owners do not matter.
	gs, _ = planOwnedOutputs(l, r, "inner", adaptiveConf{coalesceTarget: 400, pieceBytes: 400, skewFactor: 5, skewBytes: 1 << 30}, owners)
	if got, want := runs(gs), "0-9"; got != want {
		t.Errorf("one partition: runs %q, want %q", got, want)
	}
	gs, _ = planOutputs(l, r, "inner", conf)
	if got, want := runs(gs), "0-2 3-5 6-8 9-9"; got != want {
		t.Errorf("owners unknown: runs %q, want %q", got, want)
	}
}
