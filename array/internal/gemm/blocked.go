package gemm

// float is the element types the blocked product handles.
type float interface{ float32 | float64 }

// microKernel is a register-blocked kernel and the cache blocking that
// feeds it. run adds to the mr×nr tile of C at c (row stride ldc, in
// elements) the product of a packed mr×k panel of A (k columns of mr
// values) and a packed k×nr panel of B (k rows of nr values).
type microKernel[T float] struct {
	name   string
	mr, nr int
	// kc is the depth of the panels (a B micro-panel, kc×nr, stays in L1),
	// mc the rows of A packed at once (mc×kc stays in L2), nc the columns
	// of B packed at once (kc×nc stays in L3).
	mc, kc, nc int
	run        func(k int, a, b, c *T, ldc int)
}

// run computes c = alpha·op(a)·op(b) + beta·c with kern, in the loop order
// of Goto's algorithm: a kc×nc block of B packed once, an mc×kc block of
// A packed against it, and the micro-kernel over their panels.
func run[T float](kern *microKernel[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if beta != 1 {
		for i := range m {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
				continue
			}
			for j := range row {
				row[j] *= beta
			}
		}
	}
	if alpha == 0 || k == 0 {
		return
	}
	mr, nr := kern.mr, kern.nr
	kc, mc, nc := min(kern.kc, k), min(kern.mc, roundUp(m, mr)), min(kern.nc, roundUp(n, nr))
	packedA := make([]T, mc*kc)
	packedB := make([]T, nc*kc)
	edge := make([]T, mr*nr)
	for jc := 0; jc < n; jc += nc {
		nb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			packB(packedB, transB, b, ldb, pc, kb, jc, nb, nr)
			for ic := 0; ic < m; ic += mc {
				mb := min(mc, m-ic)
				packA(packedA, transA, a, lda, ic, mb, pc, kb, mr, alpha)
				for jr := 0; jr < nb; jr += nr {
					nw := min(nr, nb-jr)
					bp := &packedB[jr*kb]
					for ir := 0; ir < mb; ir += mr {
						mh := min(mr, mb-ir)
						ap := &packedA[ir*kb]
						if mh == mr && nw == nr {
							kern.run(kb, ap, bp, &c[(ic+ir)*ldc+jc+jr], ldc)
							continue
						}
						// A tile on C's edge: the kernel writes a whole
						// tile, so into a buffer, then the part of it
						// that is in C.
						clear(edge)
						kern.run(kb, ap, bp, &edge[0], nr)
						for i := range mh {
							row := c[(ic+ir+i)*ldc+jc+jr:][:nw]
							for j := range row {
								row[j] += edge[i*nr+j]
							}
						}
					}
				}
			}
		}
	}
}

// roundUp rounds x up to a multiple of q.
func roundUp(x, q int) int {
	return (x + q - 1) / q * q
}
