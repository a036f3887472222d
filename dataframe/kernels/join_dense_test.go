package kernels

import (
	"math"
	"slices"
	"testing"
)

// joinPairsBrute returns the pairs (build row, probe row) of equal keys,
// in the probe's order and then the build's, nulls (false in ok) matching
// nothing.
func joinPairsBrute(bk, pk []int64, bok, pok []bool) (bi, pi []int64) {
	for j, k := range pk {
		if pok != nil && !pok[j] {
			continue
		}
		for b, x := range bk {
			if (bok == nil || bok[b]) && x == k {
				bi, pi = append(bi, int64(b)), append(pi, int64(j))
			}
		}
	}
	return bi, pi
}

// TestJoinDense: keys in a narrow range are joined by direct addressing
// (repeated keys pair up, nulls match nothing, probe keys below, above
// and far outside the range, the extremes of int64 included, find
// nothing); keys spread too thin are left to the hash table.
func TestJoinDense(t *testing.T) {
	bk := []int64{100, 103, 100, 110, 7, 105, 103}
	bok := []bool{true, true, true, true, false, true, true}
	pk := []int64{103, 99, 100, 111, math.MinInt64, 110, math.MaxInt64, 7, 105, 104, 103, -100}
	pok := []bool{true, true, true, true, true, true, true, true, true, true, false, true}
	for _, c := range []struct {
		name     string
		bok, pok []bool
	}{{"no nulls", nil, nil}, {"nulls", bok, pok}} {
		bi, pi, ok := joinDense(bk, pk, c.bok, c.pok)
		if !ok {
			t.Fatalf("%s: keys 7-110 of 7 build rows not joined densely", c.name)
		}
		wb, wp := joinPairsBrute(bk, pk, c.bok, c.pok)
		if !slices.Equal(bi, wb) || !slices.Equal(pi, wp) {
			t.Fatalf("%s: pairs %v %v, want %v %v", c.name, bi, pi, wb, wp)
		}
	}
	if _, _, ok := joinDense([]int64{0, 1 << 40}, pk, nil, nil); ok {
		t.Fatal("keys 2^40 apart joined densely")
	}
	if _, _, ok := joinDense([]int64{math.MinInt64, math.MaxInt64}, pk, nil, nil); ok {
		t.Fatal("the extremes of int64 joined densely")
	}
	if _, _, ok := joinDense([]int64{5}, pk, []bool{false}, nil); ok {
		t.Fatal("a build side of null keys joined densely")
	}
}
