package array

import (
	"math/rand/v2"
	"testing"
)

func TestRandomSameAsRandFloat64(t *testing.T) {
	b := random(7, 3, []int{1000})
	r := rand.New(rand.NewPCG(7, 3))
	for i, v := range values[float64](b) {
		if w := r.Float64(); v != w {
			t.Fatalf("element %d: %v, rand gives %v", i, v, w)
		}
	}
}
