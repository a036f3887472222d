package shrink

import (
	"runtime"
	"testing"
)

func TestMapKeepsItsContents(t *testing.T) {
	m := map[int]int{}
	peak := 0
	for i := range 10000 {
		m[i] = i * 2
	}
	for i := range 9990 {
		delete(m, i)
		m = Map(m, &peak)
	}
	if len(m) != 10 {
		t.Fatalf("%d entries left, want 10", len(m))
	}
	for i := 9990; i < 10000; i++ {
		if m[i] != i*2 {
			t.Fatalf("m[%d] = %d, want %d", i, m[i], i*2)
		}
	}
	if peak > 2500 {
		t.Errorf("peak %d after the map emptied to 10; want it reset by a rebuild", peak)
	}
}

// TestMapGivesMemoryBack checks that a map emptied through Map lets the
// garbage collector take the slots it grew to, and that a plain map does not.
func TestMapGivesMemoryBack(t *testing.T) {
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	const n = 200000
	fill := func() map[int]int {
		m := make(map[int]int)
		for i := range n {
			m[i] = i
		}
		return m
	}
	base := heap()
	plain := fill()
	for i := range n {
		delete(plain, i)
	}
	held := heap() - base
	runtime.KeepAlive(plain)
	plain = nil

	base = heap()
	m, peak := fill(), 0
	for i := range n {
		delete(m, i)
		m = Map(m, &peak)
	}
	var shrunk uint64
	if after := heap(); after > base {
		shrunk = after - base
	}
	runtime.KeepAlive(m)
	if held < 1<<20 {
		t.Fatalf("an emptied plain map of %d entries holds %d bytes; the premise of the package is wrong", n, held)
	}
	if shrunk > held/8 {
		t.Errorf("an emptied map of %d entries holds %d bytes through Map (a plain one %d)", n, shrunk, held)
	}
}
