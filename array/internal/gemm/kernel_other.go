//go:build !amd64

package gemm

// Other architectures multiply with gonum.
var (
	dkernel *microKernel[float64]
	skernel *microKernel[float32]
)
