package array

import (
	"math"
	"slices"
	"testing"
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
