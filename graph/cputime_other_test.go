//go:build !linux

package graph

import "time"

// threadCPU returns the CPU time the calling thread has used, or false
// where that cannot be known. The caller must be locked to its thread.
func threadCPU() (time.Duration, bool) { return 0, false }
