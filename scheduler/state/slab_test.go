package state

import "testing"

// TestLinkSlabListsDoNotOverlap: lists carved from one block keep to their
// capacity, so appending past one moves it out instead of writing over
// its neighbour.
func TestLinkSlabListsDoNotOverlap(t *testing.T) {
	var sl linkSlab
	a, b := &Task{Key: "a"}, &Task{Key: "b"}
	x := sl.next(2)
	y := sl.next(1)
	y = append(y, b)
	x = append(x, a, a)
	x = append(x, a) // past its capacity: moved
	if y[0] != b {
		t.Fatalf("y[0] = %v after appends to x, want b", y[0].Key)
	}
	if len(x) != 3 || cap(sl.next(slabSize)) != slabSize {
		t.Fatalf("len(x) = %d, want 3", len(x))
	}
}

// TestTaskSlabHandsOutDistinctZeroRecords: every record handed out is
// new and zero, across blocks.
func TestTaskSlabHandsOutDistinctZeroRecords(t *testing.T) {
	var sl taskSlab
	sl.reset(2*slabSize + 3)
	seen := map[*Task]bool{}
	for i := range 2*slabSize + 10 { // more than announced: still served
		x := sl.next()
		if seen[x] || x.Key != "" || x.State != 0 {
			t.Fatalf("record %d reused or not zero", i)
		}
		seen[x] = true
		x.Key = "k"
	}
}

// TestSpillClearsItsPlace: a list of one carved from a block that takes a
// second element leaves the block, and its place there no longer keeps
// the first alive.
func TestSpillClearsItsPlace(t *testing.T) {
	var f firstSlots[*Worker]
	w1, w2 := &Worker{ID: "w1"}, &Worker{ID: "w2"}
	l, _ := f.next()
	l = append(l, w1)
	block := l[:1:1]
	l = append(spill(l), w2)
	if len(l) != 2 || l[0] != w1 || l[1] != w2 {
		t.Fatalf("list after spill: %v", l)
	}
	if block[0] != nil {
		t.Fatalf("the block's place still holds %s", block[0].ID)
	}
}
