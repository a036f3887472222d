package kernels

import "testing"

// TestPairTableNumbersEachPairOnce numbers pairs in batches, first few
// (its matrix), then more than its matrix holds (its hash table): a pair
// keeps its number across the move, distinct pairs have distinct numbers,
// and each number gives its pair back.
func TestPairTableNumbersEachPairOnce(t *testing.T) {
	pt := &pairTable{}
	seen := map[[2]int32]int32{}
	for _, span := range []int32{5, 40, 3000, 5} {
		var ls, rs []int32
		for i := range 3 * span {
			ls, rs = append(ls, (i*7)%span), append(rs, (i*13)%(span+1))
		}
		gs := append([]int32(nil), ls...)
		pt.groups(gs, rs)
		for i, g := range gs {
			p := [2]int32{ls[i], rs[i]}
			if old, ok := seen[p]; ok && old != g {
				t.Fatalf("pair %v was group %d, now %d (span %d, hashed %v)", p, old, g, span, pt.hashed)
			}
			seen[p] = g
			if pt.left[g] != p[0] || pt.right[g] != p[1] {
				t.Fatalf("group %d gives back (%d, %d), want %v", g, pt.left[g], pt.right[g], p)
			}
		}
		if int(pt.n) != len(seen) {
			t.Fatalf("%d groups for %d pairs", pt.n, len(seen))
		}
	}
	if !pt.hashed {
		t.Fatal("3000 by 3001 groups stayed in the matrix")
	}
}
