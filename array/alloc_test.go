package array

import (
	"slices"
	"testing"
)

// unzeroedOf gives as many elements as asked, each call its own memory.
func TestUnzeroedOf(t *testing.T) {
	for _, n := range []int{0, 1, 1 << 14} {
		a, b := unzeroedOf[float64](n), unzeroedOf[float64](n)
		if len(a) != n || len(b) != n {
			t.Fatalf("unzeroedOf(%d): %d and %d elements", n, len(a), len(b))
		}
		for i := range a {
			a[i], b[i] = 1, 2
		}
		if n > 0 && (a[0] != 1 || a[n-1] != 1) {
			t.Fatalf("unzeroedOf(%d): two calls share memory", n)
		}
	}
}

// assemble zeroes an output block its pieces do not cover, and fills one
// they tile (whose memory it does not zero first).
func TestAssembleUncovered(t *testing.T) {
	n := 200 // blocks of 200×100 float64s: above uninitMin
	left, right := newBlock(Float64, []int{n, 100}), newBlock(Float64, []int{n, 100})
	for i, v := range values[float64](left) {
		values[float64](left)[i], values[float64](right)[i] = float64(i)+1, -v-1
	}
	out, err := assemble([]*Block{left}, [][]int{{0, 0}}, []int{n, 200})
	if err != nil {
		t.Fatal(err)
	}
	got := values[float64](out)
	for r := range n {
		if !slices.Equal(got[r*200:r*200+100], values[float64](left)[r*100:r*100+100]) || slices.ContainsFunc(got[r*200+100:r*200+200], func(v float64) bool { return v != 0 }) {
			t.Fatalf("row %d of a half-covered block: %v", r, got[r*200:r*200+200])
		}
	}
	out, err = assemble([]*Block{right, left}, [][]int{{0, 100}, {0, 0}}, []int{n, 200})
	if err != nil {
		t.Fatal(err)
	}
	got = values[float64](out)
	for r := range n {
		if !slices.Equal(got[r*200:r*200+100], values[float64](left)[r*100:r*100+100]) || !slices.Equal(got[r*200+100:r*200+200], values[float64](right)[r*100:r*100+100]) {
			t.Fatalf("row %d of a tiled block: %v", r, got[r*200:r*200+200])
		}
	}
}
