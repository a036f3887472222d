package array

import (
	"math"
	"slices"
	"testing"
)

// The stream is SplitMix64's: its published first outputs for seed 0
// (the state advanced by γ before each output) are those of mix64 here.
func TestMix64IsSplitMix64(t *testing.T) {
	// From the reference implementation (Vigna's splitmix64.c), state 0.
	want := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	for i, w := range want {
		if got := mix64(uint64(i+1) * golden); got != w {
			t.Fatalf("output %d: %#x, SplitMix64 gives %#x", i, got, w)
		}
	}
}

// Element i of a block is element i of its key's stream, whatever block
// of the stream is filled: the numbers depend on the seed, the block and
// the index alone.
func TestRandomIsCounterBased(t *testing.T) {
	b := random(7, 3, []int{40, 25})
	v := values[float64](b)
	part := make([]float64, 100)
	fillRandom(part, blockKey(7, 3), 450)
	for j, x := range part {
		if v[450+j] != x {
			t.Fatalf("element %d: %v in the block, %v filled from 450", 450+j, v[450+j], x)
		}
	}
	if w := random(7, 3, []int{1000}); !equalFloats(values[float64](w), v) {
		t.Fatal("a block of another shape but as many elements gave other numbers")
	}
	if o := random(7, 4, []int{1000}); values[float64](o)[0] == v[0] {
		t.Fatal("blocks 3 and 4 start with the same number")
	}
	if o := random(8, 3, []int{1000}); values[float64](o)[0] == v[0] {
		t.Fatal("seeds 7 and 8 start with the same number")
	}
}

// The numbers are uniform in [0, 1): the mean, variance and the share in
// each tenth are those of the uniform distribution within a few standard
// errors, and no two neighbours are correlated.
func TestRandomUniform(t *testing.T) {
	const n = 1 << 20
	v := values[float64](random(1, 0, []int{n}))
	var sum, sq, lag float64
	var bins [10]int
	for i, x := range v {
		if x < 0 || x >= 1 {
			t.Fatalf("element %d is %v, outside [0, 1)", i, x)
		}
		sum += x
		sq += (x - 0.5) * (x - 0.5)
		if i > 0 {
			lag += (x - 0.5) * (v[i-1] - 0.5)
		}
		bins[int(x*10)]++
	}
	// Standard errors: the mean's 1/sqrt(12n); the variance's about
	// sqrt(1/180n); the lag-1 product's 1/(12 sqrt n).
	if m := sum / n; math.Abs(m-0.5) > 5/math.Sqrt(12*n) {
		t.Errorf("mean %v, want 0.5", m)
	}
	if s := sq / n; math.Abs(s-1.0/12) > 5*math.Sqrt(1.0/(180*n)) {
		t.Errorf("variance %v, want 1/12", s)
	}
	if c := lag / n; math.Abs(c) > 5/(12*math.Sqrt(n)) {
		t.Errorf("lag-1 covariance %v, want 0", c)
	}
	for i, k := range bins {
		// Binomial(n, 0.1): sd = sqrt(n·0.09).
		if math.Abs(float64(k)-n/10) > 5*math.Sqrt(n*0.09) {
			t.Errorf("tenth %d holds %d of %d", i, k, n)
		}
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// randomTransposed makes exactly the transpose of random's block, for
// square, oblong and degenerate shapes, and refuses a block that is not a
// matrix.
func TestRandomTransposed(t *testing.T) {
	for _, shape := range [][]int{{40, 25}, {25, 40}, {1, 7}, {7, 1}, {3, 3}, {0, 4}} {
		want := transpose2(random(11, 5, shape))
		got, err := randomTransposed(11, 5, shape)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Shape, want.Shape) || !slices.Equal(values[float64](got), values[float64](want)) {
			t.Fatalf("%v: the transpose made directly differs from the block transposed (shapes %v, %v)", shape, got.Shape, want.Shape)
		}
	}
	if _, err := randomTransposed(1, 0, []int{2, 3, 4}); err == nil {
		t.Fatal("a 3-d block transposed as a matrix: no error")
	}
}
