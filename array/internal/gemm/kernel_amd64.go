package gemm

import "golang.org/x/sys/cpu"

// The kernels in kernel_amd64.s. Each adds to the tile of C at c (row
// stride ldc elements) the product of a packed panel of A and one of B,
// k deep, as microKernel.run describes.

//go:noescape
func dgemmAVX2(k int, a, b, c *float64, ldc int)

//go:noescape
func sgemmAVX2(k int, a, b, c *float32, ldc int)

// avx2 says whether this CPU runs the AVX2 kernels (which use FMA too).
var avx2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// The kernels Dgemm and Sgemm use: nil where the CPU lacks them.
var (
	dkernel = pickD()
	skernel = pickS()
)

// dAVX2 is the float64 kernel for AVX2: a 6×8 tile of C in twelve ymm
// registers. A panel of B (256×8, 16 KiB) stays in L1, a block of A
// (192×256, 384 KiB) in L2.
var dAVX2 = &microKernel[float64]{name: "avx2", mr: 6, nr: 8, mc: 192, kc: 256, nc: 4096, run: dgemmAVX2}

// sAVX2 is the float32 kernel for AVX2: a 6×16 tile.
var sAVX2 = &microKernel[float32]{name: "avx2", mr: 6, nr: 16, mc: 192, kc: 256, nc: 4096, run: sgemmAVX2}

func pickD() *microKernel[float64] {
	if avx2 {
		return dAVX2
	}
	return nil
}

func pickS() *microKernel[float32] {
	if avx2 {
		return sAVX2
	}
	return nil
}
