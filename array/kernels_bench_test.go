package array

import "testing"

// benchBlocks are blocks of 2000×2000 float64s (the benchmark's 32 MB
// blocks), enough of them (512 MB) that the next one read is not in a
// cache.
func benchBlocks(b *testing.B) []*Block {
	b.Helper()
	bs := make([]*Block, 16)
	for i := range bs {
		bs[i] = random(1, i, []int{2000, 2000})
	}
	return bs
}

func BenchmarkRandomBlock(b *testing.B) {
	b.SetBytes(32e6)
	for b.Loop() {
		random(1, 0, []int{2000, 2000})
	}
}

func BenchmarkFillRandom(b *testing.B) {
	v := make([]float64, 4e6)
	b.SetBytes(32e6)
	for b.Loop() {
		fillRandom(v, 7, 0)
	}
}

func BenchmarkSumBlock(b *testing.B) {
	bs := benchBlocks(b)
	b.Run("all", func(b *testing.B) {
		b.SetBytes(32e6)
		i := 0
		for b.Loop() {
			reduceBlock(redSum, bs[i%len(bs)], []int{0, 1})
			i++
		}
	})
	b.Run("axis0", func(b *testing.B) {
		b.SetBytes(32e6)
		i := 0
		for b.Loop() {
			reduceBlock(redSum, bs[i%len(bs)], []int{0})
			i++
		}
	})
	one, two := blockOf([]float64{1}, nil), blockOf([]float64{2}, nil)
	p := program{DType: Float64, Steps: []programStep{{Op: opAdd, A: 0, B: 1}, {Op: opMul, A: 3, B: 2}}}
	b.Run("chain", func(b *testing.B) {
		b.SetBytes(32e6)
		i := 0
		for b.Loop() {
			x := bs[i%len(bs)]
			evalExprReduce(redSum, []int{0, 1}, p, x.Shape, x, one, two)
			i++
		}
	})
}

// BenchmarkReduceRandom compares a sum over a 2000×2000 block of Random
// made whole, then reduced (as before), with the block made number by number
// as it is reduced (reduceRandom).
func BenchmarkReduceRandom(b *testing.B) {
	shape := []int{2000, 2000}
	for _, axes := range [][]int{{0}, {0, 1}} {
		name := map[int]string{1: "axis0", 2: "all"}[len(axes)]
		b.Run(name+"/whole", func(b *testing.B) {
			b.SetBytes(32e6)
			for b.Loop() {
				reduceBlock(redSum, random(1, 0, shape), axes)
			}
		})
		b.Run(name+"/in-task", func(b *testing.B) {
			b.SetBytes(32e6)
			for b.Loop() {
				reduceRandom(redSum, 1, 0, shape, axes)
			}
		})
	}
}
