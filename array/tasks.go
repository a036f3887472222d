package array

import (
	"context"
	"fmt"
	"slices"

	"github.com/dusk-go/dusk"
)

// The functions the array's tasks run, registered under stable names so
// that every worker binary that imports this package knows them.
var (
	fnSame    = dusk.Register("array.identity", func(b *Block) *Block { return b })
	fnFull    = dusk.Register("array.full", full)
	fnArange  = dusk.Register("array.arange", arange)
	fnLinear  = dusk.Register("array.linspace", linspace)
	fnRandom  = dusk.Register("array.random", random)
	fnRandomT = dusk.Register("array.random-transposed", randomTransposed)
	// A reduction of a block of Random, the block made band by band
	// (randomreduce.go).
	fnReduceRandom = dusk.Register("array.reduce-random", reduceRandom)
	fnAstype       = dusk.Register("array.astype", func(b *Block, dt DType) *Block { return astype(b, dt) })
	fnBinary       = dusk.Register("array.binary", binaryOp)
	fnUnary        = dusk.Register("array.unary", unary)
	fnWhere        = dusk.Register("array.where", where)
	fnClip         = dusk.Register("array.clip", clip)
	fnReduce       = dusk.Register("array.reduce", reduceBlock)
	fnCombine      = dusk.Register("array.combine", combineSqueeze)
	fnCheck        = dusk.Register("array.check", check)
	// An element-wise expression per block (expr.go), and a reduction's
	// first stage over one.
	fnExpr       = dusk.Register("array.elementwise", evalExpr)
	fnExprReduce = dusk.Register("array.elementwise-reduce", evalExprReduce)
)

// full makes a block of shape filled with value (a block of one element).
func full(value *Block, shape []int) *Block {
	out := newBlock(value.DType, shape)
	size := value.DType.Size()
	for o := 0; o < len(out.data); o += size {
		copy(out.data[o:o+size], value.data)
	}
	return out
}

// arange makes the block of start+i*step for i in [from, from+n).
func arange(start, step int64, from, n int) *Block {
	v := make([]int64, n)
	for i := range v {
		v[i] = start + int64(from+i)*step
	}
	return blockOf(v, []int{n})
}

// linspace makes the block of start+i*step for i in [from, from+n); the
// last element of the whole array is stop exactly, as NumPy's.
func linspace(start, stop, step float64, from, n, total int) *Block {
	v := make([]float64, n)
	for i := range v {
		if from+i == total-1 {
			v[i] = stop
		} else {
			v[i] = start + float64(from+i)*step
		}
	}
	return blockOf(v, []int{n})
}

// random makes a block of uniform floats in [0, 1) from the seed and the
// block's position: the same seed gives the same array, whatever the
// worker.
//
// The numbers are SplitMix64's (Steele, Lea and Flood, "Fast splittable
// pseudorandom number generators", 2014) used as a counter-based
// generator: element i of block b is mix(k + (i+1)·γ), with γ the golden
// ratio's odd constant and k = mix(mix(seed) + (b+1)·γ) the block's key;
// its top 53 bits make the float, as rand.Float64 does. Each element is a
// function of its index alone, so the loop carries no dependency from
// one element to the next: about twice as fast as math/rand/v2's PCG,
// which this package used before 2026-12-06 (the same seed gave other
// numbers then).
func random(seed uint64, block int, shape []int) *Block {
	v := unzeroedOf[float64](prod(shape)) // every element is written
	fillRandom(v, blockKey(seed, block), 0)
	return blockOf(v, shape)
}

// randomTransposed makes the transpose of random(seed, block, shape), a
// matrix, directly: an expression reading a block of x.T where x is
// Random makes it this way in its own task (remade.go) rather than
// making the block and transposing it.
func randomTransposed(seed uint64, block int, shape []int) (*Block, error) {
	if len(shape) != 2 {
		return nil, fmt.Errorf("array: the transpose of a random block of shape %v: a matrix is needed", shape)
	}
	rows, cols := shape[0], shape[1]
	v := unzeroedOf[float64](rows * cols) // every element is written
	key := blockKey(seed, block)
	stride := uint64(cols) * golden
	for a := range cols {
		// Row a of the transpose is column a of the block: elements
		// b·cols + a, counters key + (b·cols + a + 1)·γ.
		row := v[a*rows : (a+1)*rows]
		s := key + uint64(a+1)*golden
		for b := range row {
			row[b] = float64(int64(mix64(s+uint64(b)*stride)>>11)) * (1.0 / (1 << 53))
		}
	}
	return blockOf(v, []int{cols, rows}), nil
}

// golden is SplitMix64's increment γ: 2^64 divided by the golden ratio,
// made odd.
const golden = 0x9e3779b97f4a7c15

// mix64 is SplitMix64's output function (a variant of MurmurHash3's
// finalizer): a bijection of 64-bit words that scrambles every bit.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// blockKey is the key of block's stream of numbers under seed.
func blockKey(seed uint64, block int) uint64 {
	return mix64(mix64(seed) + uint64(block+1)*golden)
}

// fillRandom sets v[j] to element from+j of the stream of key.
func fillRandom(v []float64, key uint64, from int) {
	s := key + uint64(from)*golden
	for j := range v {
		// The counter advanced by an addition, not computed by a
		// multiplication (a tenth faster).
		s += golden
		v[j] = uniform(s)
	}
}

// uniform is the number of counter s: the top 53 bits of mix64(s) as a
// float in [0, 1). int64 of a 53-bit value: one conversion instruction (a
// uint64's takes a test for the top bit).
func uniform(s uint64) float64 {
	return float64(int64(mix64(s)>>11)) * (1.0 / (1 << 53))
}

// clip limits the elements to [lo, hi] (blocks of one element).
func clip(b, lo, hi *Block) (*Block, error) {
	low, err := binaryOp(opLt, b, lo)
	if err != nil {
		return nil, err
	}
	x, err := where(low, lo, b)
	if err != nil {
		return nil, err
	}
	high, err := binaryOp(opGt, x, hi)
	if err != nil {
		return nil, err
	}
	x, err = where(high, hi, x)
	if err != nil {
		return nil, err
	}
	return astype(x, b.DType), nil
}

// combineSqueeze combines partial reductions and drops the reduced axes
// (kept as length 1 until then) when drop is set.
func combineSqueeze(op string, parts []*Block, drop []int) (*Block, error) {
	b, err := combine(op, parts)
	if err != nil || len(drop) == 0 {
		return b, err
	}
	var shape []int
	for i, n := range b.Shape {
		if !slices.Contains(drop, i) {
			shape = append(shape, n)
		}
	}
	return &Block{DType: b.DType, Shape: shape, data: b.data}, nil
}

// check makes sure a block a user's function made is of the type and
// shape its place in the array needs.
func check(ctx context.Context, b *Block, dt DType, shape []int, index []int) (*Block, error) {
	if b == nil {
		return nil, fmt.Errorf("array: the function made no block for block %v", index)
	}
	if b.DType != dt || !slices.Equal(b.Shape, shape) {
		return nil, fmt.Errorf("array: the function made a %s block of shape %v for block %v, which needs a %s block of shape %v", b.DType, b.Shape, index, dt, shape)
	}
	return b, nil
}
