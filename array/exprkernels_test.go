package array

import (
	"strings"
	"testing"
)

// A program that reads an operand not made yet, or of another type, or
// an operator no kernel does, is refused with what is wrong.
func TestProgramChecked(t *testing.T) {
	x := random(1, 0, []int{4, 4})
	two := blockOf([]float64{2}, nil)
	for _, tc := range []struct {
		p      program
		leaves []*Block
		want   string
	}{
		{program{DType: Float64, Steps: []programStep{{Op: opAdd, A: 0, B: 2}}}, []*Block{x, two}, "not made yet"},
		{program{DType: Float64, Steps: []programStep{{Op: opLt, A: 0, B: 1}}}, []*Block{x, two}, "which no kernel does"},
		{program{DType: Int64, Steps: []programStep{{Op: opDiv, A: 0, B: 1}}}, []*Block{astype(x, Int64), astype(two, Int64)}, "which no kernel does"},
		{program{DType: Float64, Steps: []programStep{{Op: "neg", A: 0, B: -1}}}, []*Block{astype(x, Int64)}, "operand 0 is a int64 block"},
		{program{DType: Float64, Steps: []programStep{{Op: "neg", A: 0, B: -1}}}, []*Block{random(1, 0, []int{4, 3})}, "operand 0 is a float64 block of shape [4 3]"},
	} {
		_, err := evalExpr(tc.p, []int{4, 4}, tc.leaves...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one saying %q", tc.p, err, tc.want)
		}
	}
}

// BenchmarkChainSum compares ((x+1)*2).sum() of a 1000×1000 block step
// by step (a block per step, then the block's sum: the tasks as they
// were) with the expression reduced tile by tile, and ((x+1)*2) made
// step by step with the expression made into one block.
func BenchmarkChainSum(b *testing.B) {
	x := random(1, 0, []int{1000, 1000})
	one, two := blockOf([]float64{1}, nil), blockOf([]float64{2}, nil)
	p := program{DType: Float64, Steps: []programStep{{Op: opAdd, A: 0, B: 1}, {Op: opMul, A: 3, B: 2}}}
	all := []int{0, 1}
	b.Run("sum/steps", func(b *testing.B) {
		b.SetBytes(8e6)
		for b.Loop() {
			y, _ := binaryOp(opAdd, x, one)
			y, _ = binaryOp(opMul, y, two)
			if _, err := reduceBlock(redSum, y, all); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sum/expression", func(b *testing.B) {
		b.SetBytes(8e6)
		for b.Loop() {
			if _, err := evalExprReduce(redSum, all, p, x.Shape, x, one, two); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("block/steps", func(b *testing.B) {
		b.SetBytes(8e6)
		for b.Loop() {
			y, _ := binaryOp(opAdd, x, one)
			binaryOp(opMul, y, two)
		}
	})
	b.Run("block/expression", func(b *testing.B) {
		b.SetBytes(8e6)
		for b.Loop() {
			if _, err := evalExpr(p, x.Shape, x, one, two); err != nil {
				b.Fatal(err)
			}
		}
	})
}
