package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// BenchmarkGemm compares this package's products (with each kernel the
// CPU runs; Dgemm uses the first listed) with gonum's (the array
// package's kernel before it) on the same square sizes, in one run. Run it with -cpu 1 for one core: gonum's Gemm splits a product
// between GOMAXPROCS goroutines, this package's does not (an array task
// uses one core). It reports GFLOP/s.
//
//	go test -run - -bench Gemm -cpu 1 ./array/internal/gemm
func BenchmarkGemm(b *testing.B) {
	for _, n := range []int{64, 256, 1000, 2000} {
		r := rand.New(rand.NewPCG(1, uint64(n)))
		x, y, z := make([]float64, n*n), make([]float64, n*n), make([]float64, n*n)
		x32, y32, z32 := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
		for i := range x {
			x[i], y[i] = r.Float64(), r.Float64()
			x32[i], y32[i] = float32(x[i]), float32(y[i])
		}
		flops := func(b *testing.B) {
			b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		for _, k := range dKernels() {
			b.Run(fmt.Sprintf("float64/n=%d/%s", n, k.name), func(b *testing.B) {
				for b.Loop() {
					run(k, false, false, n, n, n, 1, x, n, y, n, 0, z, n)
				}
				flops(b)
			})
		}
		b.Run(fmt.Sprintf("float64/n=%d/gonum", n), func(b *testing.B) {
			for b.Loop() {
				blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, blas64.General{Rows: n, Cols: n, Stride: n, Data: x},
					blas64.General{Rows: n, Cols: n, Stride: n, Data: y}, 0, blas64.General{Rows: n, Cols: n, Stride: n, Data: z})
			}
			flops(b)
		})
		for _, k := range sKernels() {
			b.Run(fmt.Sprintf("float32/n=%d/%s", n, k.name), func(b *testing.B) {
				for b.Loop() {
					run(k, false, false, n, n, n, 1, x32, n, y32, n, 0, z32, n)
				}
				flops(b)
			})
		}
		b.Run(fmt.Sprintf("float32/n=%d/gonum", n), func(b *testing.B) {
			for b.Loop() {
				blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, blas32.General{Rows: n, Cols: n, Stride: n, Data: x32},
					blas32.General{Rows: n, Cols: n, Stride: n, Data: y32}, 0, blas32.General{Rows: n, Cols: n, Stride: n, Data: z32})
			}
			flops(b)
		})
	}
}
