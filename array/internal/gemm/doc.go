// Package gemm multiplies dense row-major matrices of float64 and float32
// (C = alpha·op(A)·op(B) + beta·C) on one core, for the array package's
// block products.
//
// On amd64 with AVX2 and FMA (or AVX-512) it packs panels of A and B into
// contiguous buffers sized for the caches and runs a micro-kernel in
// assembly that keeps a tile of C in vector registers; elsewhere it calls
// gonum's pure-Go BLAS. The choice is made once, from the CPU's features
// (golang.org/x/sys/cpu).
package gemm
