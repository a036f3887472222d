package array

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// sumChainF64AVX2 (scalarchain_amd64.s) adds to acc[j] the elements
// x[i], i mod 4 = j, of x[:n] in order, each put through the steps of a
// scalar chain first: sumChain's partial sums, four lanes of one vector
// register. n is a multiple of 32.
//
//go:noescape
func sumChainF64AVX2(x *float64, n int, steps unsafe.Pointer, nsteps int, acc *[4]float64)

// chainAVX2 says whether this CPU runs sumChainF64AVX2.
var chainAVX2 = cpu.X86.HasAVX2

// sumChainVector adds to acc what sumChain's loop adds for the first
// elements of the tile t, 32 at a time, and returns how many it took: 0
// where the CPU has no AVX2 or T is not float64. With no steps it is
// sumOf's loop (element i to acc[i mod 4]), which sumOf and pieceSum
// use.
func sumChainVector[T number](t []T, steps []chainStep[T], acc *[4]T) int {
	x, ok := any(t).([]float64)
	if !ok || !chainAVX2 {
		return 0
	}
	n := len(x) &^ 31
	if n == 0 {
		return 0
	}
	st := any(steps).([]chainStep[float64])
	var sp unsafe.Pointer
	if len(st) > 0 {
		sp = unsafe.Pointer(&st[0])
	}
	sumChainF64AVX2(&x[0], n, sp, len(st), (*[4]float64)(unsafe.Pointer(acc)))
	return n
}
