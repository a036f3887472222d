//go:build race

package store

import (
	"errors"
	"os"
	"runtime/metrics"
)

// Under the race detector a Go process keeps shadow memory, about twice
// the memory it ever touched, and never gives it back to the OS. Counted
// as the program's own, it would make every memory budget mean something
// else in race builds than in normal ones (a worker would pause for good
// once its heap had peaked). Leaving the detector's mappings out of the
// resident set means walking /proc/PID/smaps, whose huge shadow mappings
// cost tens of milliseconds of kernel time per read: too much to do every
// 100 ms. So race builds measure a process by the Go runtime's own count
// of the memory it holds from the OS (and not yet released), which this
// process reads cheaply about itself, and which a worker process reports
// to its nanny (see package nanny's Reporter).
const MeasuresItself = true

// processMemory is this process's Go memory; other processes cannot be
// measured this way (their nannies use what they report).
func processMemory(pid int) (int64, error) {
	if pid != 0 && pid != os.Getpid() {
		return 0, errors.New("dusk: race builds measure only their own process")
	}
	return goMemory(), nil
}

var goMemorySamples = []metrics.Sample{
	{Name: "/memory/classes/total:bytes"},
	{Name: "/memory/classes/heap/released:bytes"},
}

// goMemory is the memory the Go runtime holds from the OS, minus the heap
// memory it released.
func goMemory() int64 {
	s := make([]metrics.Sample, len(goMemorySamples))
	copy(s, goMemorySamples)
	metrics.Read(s)
	return int64(s[0].Value.Uint64()) - int64(s[1].Value.Uint64())
}
