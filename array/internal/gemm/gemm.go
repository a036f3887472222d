package gemm

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Dgemm sets c to alpha·op(a)·op(b) + beta·c for row-major matrices:
// op(a) is m×k (a itself with row stride lda, or the transpose of a k×m
// a when transA), op(b) is k×n (likewise with ldb and transB), c is m×n
// with row stride ldc. A beta of 0 overwrites c (NaNs in it do not
// survive), as BLAS does. It runs on the calling goroutine only, and
// panics on sizes the slices do not hold.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	checkSizes(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if dkernel == nil {
		gonumDgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	run(dkernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Sgemm is Dgemm for float32.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkSizes(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if skernel == nil {
		gonumSgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	run(skernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// The kernels Dgemm and Sgemm use, chosen once from the CPU's features:
// nil where it has none of them.
var (
	dkernel = first(dKernels())
	skernel = first(sKernels())
)

// first returns ks's first kernel, or nil.
func first[T float](ks []*microKernel[T]) *microKernel[T] {
	if len(ks) == 0 {
		return nil
	}
	return ks[0]
}

// Kernel names the micro-kernel Dgemm and Sgemm use on this machine
// ("avx512", "avx2" or "gonum"), for benchmarks' labels.
func Kernel() string {
	if dkernel == nil {
		return "gonum"
	}
	return dkernel.name
}

// checkSizes panics when a slice is too short for its matrix.
func checkSizes(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative size %d×%d×%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	check := func(name string, rows, cols, l, ld int) {
		if ld < max(cols, 1) {
			panic(fmt.Sprintf("gemm: %s's row stride %d is below its %d columns", name, ld, cols))
		}
		if rows > 0 && cols > 0 && l < (rows-1)*ld+cols {
			panic(fmt.Sprintf("gemm: %s of %d×%d (stride %d) needs %d elements, has %d", name, rows, cols, ld, (rows-1)*ld+cols, l))
		}
	}
	check("a", ar, ac, la, lda)
	check("b", br, bc, lb, ldb)
	check("c", m, n, lc, ldc)
}

// trans maps a flag to gonum's.
func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// gonumDgemm is the pure-Go fallback (gonum's Dgemm, which may use more
// than one goroutine).
func gonumDgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	gonum.Implementation{}.Dgemm(trans(transA), trans(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gonumSgemm is gonumDgemm for float32.
func gonumSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	gonum.Implementation{}.Sgemm(trans(transA), trans(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
