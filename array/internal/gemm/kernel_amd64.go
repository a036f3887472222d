package gemm

import "golang.org/x/sys/cpu"

// The kernels in kernel_amd64.s. Each adds to the tile of C at c (row
// stride ldc elements) the product of a packed panel of A and one of B,
// k deep, as microKernel.run describes.

//go:noescape
func dgemmAVX2(k int, a, b, c *float64, ldc int)

//go:noescape
func sgemmAVX2(k int, a, b, c *float32, ldc int)

//go:noescape
func dgemmAVX512(k int, a, b, c *float64, ldc int)

//go:noescape
func sgemmAVX512(k int, a, b, c *float32, ldc int)

// avx2 says whether this CPU runs the AVX2 kernels (which use FMA too),
// avx512 the AVX-512 ones.
var (
	avx2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	avx512 = cpu.X86.HasAVX512F
)

// dAVX2 is the float64 kernel for AVX2: a 6×8 tile of C in twelve ymm
// registers. A panel of B (256×8, 16 KiB) stays in L1, a block of A
// (192×256, 384 KiB) in L2.
var dAVX2 = &microKernel[float64]{name: "avx2", mr: 6, nr: 8, mc: 192, kc: 256, nc: 4096, run: dgemmAVX2}

// sAVX2 is the float32 kernel for AVX2: a 6×16 tile.
var sAVX2 = &microKernel[float32]{name: "avx2", mr: 6, nr: 16, mc: 192, kc: 256, nc: 4096, run: sgemmAVX2}

// dAVX512 is the float64 kernel for AVX-512: a 12×16 tile of C in 24
// zmm registers. A panel of B (256×16, 32 KiB) stays in L1 (48 KiB on the
// Xeon it was tuned on), a block of A (240×256, 480 KiB) in L2. On 2000²
// products kc of 256 to 384 ran at 63 GFLOP/s, 192 at 57, 128 at 33;
// mc mattered little.
var dAVX512 = &microKernel[float64]{name: "avx512", mr: 12, nr: 16, mc: 240, kc: 256, nc: 4096, run: dgemmAVX512}

// sAVX512 is the float32 kernel for AVX-512: a 12×32 tile.
var sAVX512 = &microKernel[float32]{name: "avx512", mr: 12, nr: 32, mc: 240, kc: 256, nc: 4096, run: sgemmAVX512}

// dKernels lists the float64 kernels this CPU runs, the fastest first.
func dKernels() []*microKernel[float64] {
	var ks []*microKernel[float64]
	if avx512 {
		ks = append(ks, dAVX512)
	}
	if avx2 {
		ks = append(ks, dAVX2)
	}
	return ks
}

// sKernels lists the float32 kernels this CPU runs, the fastest first.
func sKernels() []*microKernel[float32] {
	var ks []*microKernel[float32]
	if avx512 {
		ks = append(ks, sAVX512)
	}
	if avx2 {
		ks = append(ks, sAVX2)
	}
	return ks
}
