package array

import (
	"math"
	"testing"
)

// A sum over a chain of arithmetic with scalars is the sum step by step,
// bit for bit: every operator with its scalar on either side, chains of
// one to four steps, lengths below, at and past a tile and not a
// multiple of 4 or 8, float64, float32 and int64; programs that are not such
// chains (a leaf read twice, a unary step, two blocks) are not taken for
// one.
func TestScalarChainSumAsStepByStep(t *testing.T) {
	three, half := blockOf([]float64{3}, nil), blockOf([]float64{0.5}, nil)
	ops := []string{opAdd, opSub, opMul, opDiv}
	var progs []program
	for _, o1 := range ops {
		for _, o2 := range ops {
			// x o1 3, then (that) o2 0.5 or 0.5 o2 (that), and 3 o1 x.
			progs = append(progs,
				program{DType: Float64, Steps: []programStep{{Op: o1, A: 0, B: 1}, {Op: o2, A: 3, B: 2}}},
				program{DType: Float64, Steps: []programStep{{Op: o1, A: 1, B: 0}, {Op: o2, A: 2, B: 3}}},
				program{DType: Float64, Steps: []programStep{{Op: o1, A: 0, B: 2}}},
				program{DType: Float64, Steps: []programStep{{Op: o1, A: 1, B: 0}, {Op: o2, A: 3, B: 2}, {Op: opMul, A: 4, B: 1}, {Op: o1, A: 2, B: 5}}},
			)
		}
	}
	for _, n := range []int{1, 3, 4, 7, 8, 12, 15, exprTile, exprTile + 5, exprTile + 13, 3*exprTile + 2} {
		x := random(9, n, []int{n})
		for _, p := range progs {
			leaves := []*Block{x, three, half}
			r := newExprRun[float64](p, leaves, n)
			if _, _, ok := scalarChain(p, r); !ok && n > 1 { // of one element, every leaf is one
				t.Fatalf("%+v is a scalar chain, not taken for one", p.Steps)
			}
			got := reduceExpr[float64](redSum, p, leaves, n)
			want := reduceTiles(redSum, newExprRun[float64](p, leaves, n), n)
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("n %d, %+v: %v in one pass, %v step by step", n, p.Steps, got, want)
			}
			p32 := program{DType: Float32, Steps: p.Steps}
			l32 := []*Block{astype(x, Float32), astype(three, Float32), astype(half, Float32)}
			g32 := reduceExpr[float32](redSum, p32, l32, n)
			w32 := reduceTiles(redSum, newExprRun[float32](p32, l32, n), n)
			if math.Float32bits(g32) != math.Float32bits(w32) {
				t.Fatalf("float32, n %d, %+v: %v in one pass, %v step by step", n, p.Steps, g32, w32)
			}
		}
		xi := astype(random(9, n, []int{n}), Int64)
		pi := program{DType: Int64, Steps: []programStep{{Op: opMul, A: 0, B: 1}, {Op: opSub, A: 2, B: 3}}}
		li := []*Block{xi, blockOf([]int64{-7}, nil), blockOf([]int64{11}, nil)}
		if got, want := reduceExpr[int64](redSum, pi, li, n), reduceTiles(redSum, newExprRun[int64](pi, li, n), n); got != want {
			t.Fatalf("int64, n %d: %v in one pass, %v step by step", n, got, want)
		}
	}
	x, y := random(1, 0, []int{10}), random(2, 0, []int{10})
	for _, p := range []program{
		{DType: Float64, Steps: []programStep{{Op: opAdd, A: 0, B: 2}, {Op: opMul, A: 3, B: 0}}},  // (x+3)*x
		{DType: Float64, Steps: []programStep{{Op: opAdd, A: 0, B: 1}}},                           // x+y
		{DType: Float64, Steps: []programStep{{Op: "neg", A: 0, B: -1}, {Op: opAdd, A: 3, B: 2}}}, // -x+3
		{DType: Float64, Steps: []programStep{{Op: opAdd, A: 0, B: 2}, {Op: opAdd, A: 0, B: 2}}},  // x+3 twice, the first unused
	} {
		if _, _, ok := scalarChain(p, newExprRun[float64](p, []*Block{x, y, three}, 10)); ok {
			t.Fatalf("%+v taken for a scalar chain", p.Steps)
		}
	}
}
