package array

import (
	"math"
	"testing"
	"unsafe"
)

// The vector kernel (scalarchain_amd64.s) reads the steps as Go lays them
// out and numbers the operators as chainOp does; its sums are the Go
// loop's, bit for bit, at lengths around its 32 elements at a time and
// over values where rounding, signed zeros, subnormals and infinities
// show: every operator on either side, chains of up to three steps.
func TestScalarChainVectorAsGo(t *testing.T) {
	var st chainStep[float64]
	if unsafe.Sizeof(st) != 16 || unsafe.Offsetof(st.s) != 8 || chainAdd != 0 || chainSub != 1 || chainSubFrom != 2 || chainMul != 3 || chainDiv != 4 || chainDivInto != 5 {
		t.Fatal("chainStep's layout or chainOp's numbers are not those scalarchain_amd64.s reads")
	}
	special := []float64{0, math.Copysign(0, -1), 5e-324, -2.5e-310, 1e308, -1e308, math.Inf(1), math.Inf(-1), 1, -1, 3, 0.1, 1.0 / 3}
	ops := []chainOp{chainAdd, chainSub, chainSubFrom, chainMul, chainDiv, chainDivInto}
	scalars := []float64{3, 0.1, -2.5e-310, math.Copysign(0, -1), 1e300}
	var chains [][]chainStep[float64]
	for i, o1 := range ops {
		for j, o2 := range ops {
			s1, s2 := scalars[(i+j)%len(scalars)], scalars[(i*7+j*3+1)%len(scalars)]
			chains = append(chains,
				[]chainStep[float64]{{o1, s1}},
				[]chainStep[float64]{{o1, s1}, {o2, s2}},
				[]chainStep[float64]{{o2, s2}, {chainMul, 0.5}, {o1, s1}})
		}
	}
	for _, n := range []int{31, 32, 33, 63, 64, 95, exprTile - 1, exprTile + 31, exprTile + 32, 2*exprTile + 47} {
		rnd := values[float64](random(4, n, []int{n}))
		x := make([]float64, n)
		for i := range x {
			x[i] = (rnd[i] - 0.5) * 1e3
			if i%5 == 0 {
				x[i] = special[(i/5)%len(special)]
			}
		}
		for _, steps := range append(chains, nil) {
			got := sumChain(x, steps)
			want := sumChainInGo(x, steps)
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("n %d, steps %+v: %v with the vector kernel, %v in Go", n, steps, got, want)
			}
		}
	}
}

// sumChainInGo is sumChain without the vector kernel.
func sumChainInGo(x []float64, steps []chainStep[float64]) float64 {
	save := chainAVX2
	chainAVX2 = false
	defer func() { chainAVX2 = save }()
	return sumChain(x, steps)
}

// BenchmarkSumChain times ((x+1)*2).sum() over 2000² float64 blocks (the
// bench's), with the vector kernel and with the Go loop.
func BenchmarkSumChain(b *testing.B) {
	bs := benchBlocks(b)
	steps := []chainStep[float64]{{chainAdd, 1}, {chainMul, 2}}
	for _, vec := range []bool{true, false} {
		name := map[bool]string{true: "vector", false: "go"}[vec]
		b.Run(name, func(b *testing.B) {
			save := chainAVX2
			chainAVX2 = chainAVX2 && vec
			defer func() { chainAVX2 = save }()
			b.SetBytes(32e6)
			i := 0
			for b.Loop() {
				sumChain(values[float64](bs[i%len(bs)]), steps)
				i++
			}
		})
	}
}

// A plain float64 sum (sumOf, and pieceSum over a run in pieces) through
// the vector kernel is the four-accumulator loop's, bit for bit.
func TestSumOfVectorAsGo(t *testing.T) {
	for _, n := range []int{0, 1, 31, 32, 33, 100, exprTile + 31, 4_000_003} {
		x := values[float64](random(6, n, []int{n}))
		for i := 0; i < n; i += 7 {
			x[i] = []float64{1e300, -1e300, 5e-324, math.Copysign(0, -1), 1e-17}[i%5]
		}
		var s [4]float64
		i := 0
		for ; i+4 <= n; i += 4 {
			s[0] += x[i]
			s[1] += x[i+1]
			s[2] += x[i+2]
			s[3] += x[i+3]
		}
		for ; i < n; i++ {
			s[0] += x[i]
		}
		want := (s[0] + s[1]) + (s[2] + s[3])
		if got := sumOf(x); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("n %d: sumOf %v, the loop %v", n, got, want)
		}
		var p pieceSum
		for lo := 0; lo < n; lo += 1000 { // pieces of 1000: multiples of 4, not of 32
			p.add(x[lo:min(lo+1000, n)])
		}
		if got := p.total(); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("n %d: in pieces %v, the loop %v", n, got, want)
		}
	}
}
