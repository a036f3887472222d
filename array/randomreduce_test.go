package array

import (
	"math"
	"slices"
	"testing"

	"github.com/dusk-go/dusk"
)

// A sum over a block of Random made band by band is, bit for bit, the sum
// over the block made whole: over every axis, over runs of axes (rows,
// columns, middle axes), with runs shorter and longer than a band and not
// a multiple of 4 long; other reductions and other axes give the same as
// well (they make the block).
func TestReduceRandomAsMadeWhole(t *testing.T) {
	for _, tc := range []struct {
		shape []int
		axes  [][]int
	}{
		{[]int{40, 25}, [][]int{{0}, {1}, {0, 1}}},
		{[]int{3, 5003}, [][]int{{0}, {1}, {0, 1}}},
		{[]int{9001}, [][]int{{0}}},
		{[]int{5001, 3}, [][]int{{0}, {1}, {0, 1}}},
		{[]int{7, 4099}, [][]int{{0}, {1}}},
		{[]int{5, 1500, 3}, [][]int{{1}, {0, 1}, {1, 2}, {0, 2}, {0, 1, 2}}},
		{[]int{1, 1}, [][]int{{0}, {0, 1}}},
		{[]int{0, 4}, [][]int{{0}, {1}}},
	} {
		for _, axes := range tc.axes {
			for _, op := range []string{redSum, redMin, redMax} {
				if op != redSum && prod(tc.shape) == 0 {
					continue
				}
				want, err := reduceBlock(op, random(3, 2, tc.shape), axes)
				if err != nil {
					t.Fatal(err)
				}
				got, err := reduceRandom(op, 3, 2, tc.shape, axes)
				if err != nil {
					t.Fatalf("%s over %v of %v: %v", op, axes, tc.shape, err)
				}
				g, w := values[float64](got), values[float64](want)
				if !slices.Equal(got.Shape, want.Shape) || len(g) != len(w) {
					t.Fatalf("%s over %v of %v: shape %v, made whole %v", op, axes, tc.shape, got.Shape, want.Shape)
				}
				for i := range w {
					if math.Float64bits(g[i]) != math.Float64bits(w[i]) {
						t.Fatalf("%s over %v of %v: element %d is %v, made whole %v", op, axes, tc.shape, i, g[i], w[i])
					}
				}
			}
		}
	}
}

// pieceSum over a run cut in pieces (each but the last a multiple of 4)
// is sumOf over the run, bit for bit.
func TestPieceSumIsSumOf(t *testing.T) {
	v := values[float64](random(5, 0, []int{10007}))
	for _, piece := range []int{4, 8, 4096, 10004, 10008} {
		var s pieceSum
		for lo := 0; lo < len(v); lo += piece {
			s.add(v[lo:min(lo+piece, len(v))])
		}
		if got, want := s.total(), sumOf(v); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("in pieces of %d: %v, sumOf %v", piece, got, want)
		}
	}
}

// A block is read as row bands when its pieces are whole rows of it that
// tile it, in any order given, each but the last a multiple of 4 long.
func TestRowBandsOf(t *testing.T) {
	d := func(n int) []*dusk.Delayed[*Block] {
		out := make([]*dusk.Delayed[*Block], n)
		for i := range out {
			out[i] = dusk.Call[*Block](fnSame, blockOf([]float64{float64(i)}, nil))
		}
		return out
	}
	p := d(3)
	if r := rowBandsOf(p, [][]int{{8, 0}, {0, 0}, {4, 0}}, [][]int{{2, 6}, {4, 6}, {4, 6}}, []int{10, 6}); r == nil || r.pieces[0] != p[1] || r.pieces[1] != p[2] || r.pieces[2] != p[0] {
		t.Fatalf("three row bands out of order: %v", r)
	}
	for name, tc := range map[string]struct{ offsets, counts [][]int }{
		"column bands":         {[][]int{{0, 0}, {0, 3}, {0, 6}}, [][]int{{10, 3}, {10, 3}, {10, 3}}},
		"a gap":                {[][]int{{0, 0}, {5, 0}, {8, 0}}, [][]int{{4, 6}, {3, 6}, {2, 6}}},
		"not whole rows":       {[][]int{{0, 0}, {4, 0}, {8, 0}}, [][]int{{4, 6}, {4, 5}, {2, 6}}},
		"a band of 3×6 before": {[][]int{{0, 0}, {3, 0}, {7, 0}}, [][]int{{3, 6}, {4, 6}, {3, 6}}},
	} {
		if r := rowBandsOf(p, tc.offsets, tc.counts, []int{10, 6}); r != nil {
			t.Fatalf("%s taken for row bands", name)
		}
	}
}
