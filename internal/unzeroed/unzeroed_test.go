package unzeroed

import (
	"runtime"
	"testing"
	"unsafe"
)

// The buffers are as long as asked, aligned, writable whole, and stay
// the caller's: a collection does not take them back while held (the
// bytes written survive other allocations).
func TestBytes(t *testing.T) {
	for _, n := range []int{1, 7, Min - 1, Min, Min + 3, 8 << 20} {
		b := Bytes(n)
		if len(b) != n || cap(b) < n || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%8 != 0 {
			t.Fatalf("Bytes(%d): len %d cap %d at %p", n, len(b), cap(b), unsafe.SliceData(b))
		}
		for i := range b {
			b[i] = byte(i * 7)
		}
		runtime.GC()
		junk := make([][]byte, 64)
		for i := range junk {
			junk[i] = make([]byte, n)
			for j := range junk[i] {
				junk[i][j] = 0xFF
			}
		}
		runtime.GC()
		for i, v := range b {
			if v != byte(i*7) {
				t.Fatalf("Bytes(%d): byte %d changed to %d after other allocations", n, i, v)
			}
		}
		runtime.KeepAlive(junk)
	}
	if Bytes(0) != nil || Bytes(-1) != nil {
		t.Fatal("Bytes of nothing is not nil")
	}
}
