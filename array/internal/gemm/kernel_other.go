//go:build !amd64

package gemm

// dKernels lists no kernel: other architectures multiply with gonum.
func dKernels() []*microKernel[float64] { return nil }

// sKernels lists no kernel: other architectures multiply with gonum.
func sKernels() []*microKernel[float32] { return nil }
