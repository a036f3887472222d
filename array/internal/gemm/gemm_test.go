package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naive is the triple loop the kernels are checked against, in float64,
// with the magnitude of each result (the sum of the terms' absolute
// values) that scales its tolerance.
func naive[T float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) (want, mag []float64) {
	want, mag = make([]float64, m*n), make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, abs float64
			for p := range k {
				var x, y T
				if transA {
					x = a[p*lda+i]
				} else {
					x = a[i*lda+p]
				}
				if transB {
					y = b[j*ldb+p]
				} else {
					y = b[p*ldb+j]
				}
				s += float64(x) * float64(y)
				abs += math.Abs(float64(x) * float64(y))
			}
			v := float64(alpha) * s
			abs *= math.Abs(float64(alpha))
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
				abs += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
			want[i*n+j], mag[i*n+j] = v, abs
		}
	}
	return want, mag
}

// product is one multiplication to check: sizes, transposes, scalars and
// the extra stride each matrix gets beyond its columns.
type product struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	pad            int
}

func (p product) String() string {
	return fmt.Sprintf("m%d n%d k%d tA%v tB%v alpha%g beta%g pad%d", p.m, p.n, p.k, p.transA, p.transB, p.alpha, p.beta, p.pad)
}

// check runs p with mul and compares with the triple loop; eps is the
// type's rounding unit.
func check[T float](t *testing.T, p product, eps float64, r *rand.Rand,
	mul func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	t.Helper()
	ar, ac := p.m, p.k
	if p.transA {
		ar, ac = p.k, p.m
	}
	br, bc := p.k, p.n
	if p.transB {
		br, bc = p.n, p.k
	}
	lda, ldb, ldc := ac+p.pad, bc+p.pad, p.n+p.pad
	fill := func(rows, ld int) []T {
		s := make([]T, max(rows*ld, 1))
		for i := range s {
			s[i] = T(r.Float64()*2 - 1)
		}
		return s
	}
	a, b, c := fill(ar, max(lda, 1)), fill(br, max(ldb, 1)), fill(p.m, max(ldc, 1))
	if p.beta == 0 {
		// BLAS's beta of 0 ignores what C held, NaNs included.
		for i := range c {
			c[i] = T(math.NaN())
		}
	}
	before := append([]T(nil), c...)
	want, mag := naive(p.transA, p.transB, p.m, p.n, p.k, T(p.alpha), a, max(lda, 1), b, max(ldb, 1), T(p.beta), c, max(ldc, 1))
	mul(p.transA, p.transB, p.m, p.n, p.k, T(p.alpha), a, max(lda, 1), b, max(ldb, 1), T(p.beta), c, max(ldc, 1))
	for i := range p.m {
		for j := range max(ldc, 1) {
			got := float64(c[i*max(ldc, 1)+j])
			if j >= p.n {
				// The padding between rows is not C's: left as it was.
				if was := float64(before[i*max(ldc, 1)+j]); got != was && !(math.IsNaN(got) && math.IsNaN(was)) {
					t.Fatalf("%v: C[%d][%d] past the row's end changed from %g to %g", p, i, j, was, got)
				}
				continue
			}
			tol := 4 * float64(p.k+2) * eps * mag[i*p.n+j]
			if d := math.Abs(got - want[i*p.n+j]); !(d <= tol) {
				t.Fatalf("%v: C[%d][%d] = %g, want %g (off by %g, tolerance %g)", p, i, j, got, want[i*p.n+j], d, tol)
			}
		}
	}
}

// products lists the cases: each size from 1 to 67 in each dimension
// with the others odd, every transpose, some scalars and strides, and
// random shapes.
func products(r *rand.Rand) []product {
	var ps []product
	scalars := [][2]float64{{1, 0}, {1, 1}, {-0.5, 2}, {0, 0.5}, {2, 0}}
	for s := 1; s <= 67; s++ {
		for t := range 4 {
			tA, tB := t&1 == 1, t&2 == 2
			sc := scalars[(s+t)%len(scalars)]
			ps = append(ps,
				product{transA: tA, transB: tB, m: s, n: 13, k: 29, alpha: sc[0], beta: sc[1], pad: s % 3},
				product{transA: tA, transB: tB, m: 17, n: s, k: 31, alpha: sc[0], beta: sc[1], pad: (s + 1) % 3},
				product{transA: tA, transB: tB, m: 7, n: 19, k: s, alpha: sc[0], beta: sc[1]},
			)
		}
	}
	for range 200 {
		sc := scalars[r.IntN(len(scalars))]
		ps = append(ps, product{transA: r.IntN(2) == 0, transB: r.IntN(2) == 0,
			m: r.IntN(67) + 1, n: r.IntN(67) + 1, k: r.IntN(67) + 1, alpha: sc[0], beta: sc[1], pad: r.IntN(4)})
	}
	// Empty dimensions.
	ps = append(ps, product{m: 0, n: 5, k: 3, alpha: 1}, product{m: 4, n: 0, k: 3, alpha: 1},
		product{m: 4, n: 5, k: 0, alpha: 1, beta: 0}, product{m: 4, n: 5, k: 0, alpha: 1, beta: 3})
	return ps
}

// dmul and smul run a product with one kernel (gonum's when nil).
func dmul(k *microKernel[float64]) func(transA, transB bool, m, n, kk int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	return func(transA, transB bool, m, n, kk int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
		if k == nil {
			gonumDgemm(transA, transB, m, n, kk, alpha, a, lda, b, ldb, beta, c, ldc)
			return
		}
		run(k, transA, transB, m, n, kk, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

func smul(k *microKernel[float32]) func(transA, transB bool, m, n, kk int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	return func(transA, transB bool, m, n, kk int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		if k == nil {
			gonumSgemm(transA, transB, m, n, kk, alpha, a, lda, b, ldb, beta, c, ldc)
			return
		}
		run(k, transA, transB, m, n, kk, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// TestDgemm checks Dgemm, every float64 kernel this CPU runs and the
// fallback against the triple loop.
func TestDgemm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	t.Logf("kernel %s", Kernel())
	for _, p := range products(r) {
		check(t, p, 0x1p-53, r, Dgemm)
	}
	for _, k := range append(dKernels(), nil) {
		for _, p := range products(r) {
			check(t, p, 0x1p-53, r, dmul(k))
		}
	}
}

// TestSgemm is TestDgemm for float32.
func TestSgemm(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, p := range products(r) {
		check(t, p, 0x1p-24, r, Sgemm)
	}
	for _, k := range append(sKernels(), nil) {
		for _, p := range products(r) {
			check(t, p, 0x1p-24, r, smul(k))
		}
	}
}

// TestBlocking runs each kernel with small cache blocks, so that products
// of a few dozen rows cross every block boundary (mc, kc and nc), edges
// included.
func TestBlocking(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, k := range dKernels() {
		small := *k
		small.mc, small.kc, small.nc = 2*k.mr, 5, 3*k.nr
		for _, p := range products(r) {
			check(t, p, 0x1p-53, r, dmul(&small))
		}
	}
	for _, k := range sKernels() {
		small := *k
		small.mc, small.kc, small.nc = 3*k.mr, 7, 2*k.nr
		for _, p := range products(r) {
			check(t, p, 0x1p-24, r, smul(&small))
		}
	}
}

// TestLarge crosses the default blocks: k beyond kc, m beyond mc, n
// beyond nc.
func TestLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, p := range []product{
		{m: 401, n: 67, k: 777, alpha: 1},
		{m: 3, n: 4100, k: 5, alpha: 1, beta: 1},
		{transA: true, transB: true, m: 250, n: 130, k: 300, alpha: 0.5, beta: -1, pad: 1},
	} {
		for _, k := range dKernels() {
			check(t, p, 0x1p-53, r, dmul(k))
		}
		for _, k := range sKernels() {
			check(t, p, 0x1p-24, r, smul(k))
		}
	}
}

// TestFallbackAgrees checks that the assembly kernels and the pure-Go
// fallback (gonum) give the same products, within rounding.
func TestFallbackAgrees(t *testing.T) {
	if dkernel == nil {
		t.Skip("no assembly kernel on this machine: Dgemm is the fallback")
	}
	r := rand.New(rand.NewPCG(9, 10))
	for _, p := range []product{{m: 61, n: 67, k: 59, alpha: 1}, {transA: true, m: 130, n: 9, k: 300, alpha: 2, beta: 1, pad: 2}, {transB: true, m: 5, n: 300, k: 260, alpha: -1, beta: 0.5}} {
		lda, ldb := p.k, p.n
		if p.transA {
			lda = p.m
		}
		if p.transB {
			ldb = p.k
		}
		a, b := make([]float64, p.m*p.k), make([]float64, p.k*p.n)
		for i := range a {
			a[i] = r.NormFloat64()
		}
		for i := range b {
			b[i] = r.NormFloat64()
		}
		c1 := make([]float64, p.m*p.n)
		for i := range c1 {
			c1[i] = r.NormFloat64()
		}
		c2 := append([]float64(nil), c1...)
		Dgemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, a, lda, b, ldb, p.beta, c1, p.n)
		gonumDgemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, a, lda, b, ldb, p.beta, c2, p.n)
		for i := range c1 {
			if d := math.Abs(c1[i] - c2[i]); d > 1e-12*float64(p.k) {
				t.Fatalf("%v: element %d: assembly %g, gonum %g", p, i, c1[i], c2[i])
			}
		}
		a32, b32 := make([]float32, len(a)), make([]float32, len(b))
		for i := range a {
			a32[i] = float32(a[i])
		}
		for i := range b {
			b32[i] = float32(b[i])
		}
		s1, s2 := make([]float32, p.m*p.n), make([]float32, p.m*p.n)
		Sgemm(p.transA, p.transB, p.m, p.n, p.k, float32(p.alpha), a32, lda, b32, ldb, 0, s1, p.n)
		gonumSgemm(p.transA, p.transB, p.m, p.n, p.k, float32(p.alpha), a32, lda, b32, ldb, 0, s2, p.n)
		for i := range s1 {
			if d := math.Abs(float64(s1[i] - s2[i])); d > 1e-5*float64(p.k) {
				t.Fatalf("%v: float32 element %d: assembly %g, gonum %g", p, i, s1[i], s2[i])
			}
		}
	}
}

// TestShortSlices checks the panics on slices too short for their sizes
// (the kernels do not check bounds themselves).
func TestShortSlices(t *testing.T) {
	for _, f := range []func(){
		func() {
			Dgemm(false, false, 2, 2, 2, 1, make([]float64, 3), 2, make([]float64, 4), 2, 0, make([]float64, 4), 2)
		},
		func() {
			Dgemm(false, false, 2, 2, 2, 1, make([]float64, 4), 2, make([]float64, 4), 2, 0, make([]float64, 3), 2)
		},
		func() {
			Dgemm(false, true, 2, 3, 2, 1, make([]float64, 4), 2, make([]float64, 4), 2, 0, make([]float64, 6), 3)
		},
		func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 4), 1, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}
