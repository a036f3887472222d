//go:build linux

package graph

import (
	"syscall"
	"time"
)

// threadCPU returns the CPU time the calling thread has used, or false
// where that cannot be known. The caller must be locked to its thread.
func threadCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_THREAD, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
