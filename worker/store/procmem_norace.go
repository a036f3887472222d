//go:build !race

package store

// MeasuresItself is false: the nanny measures its worker process from
// outside, through /proc, which works even when the worker is stuck.
const MeasuresItself = false

// processMemory is the process's resident set size.
func processMemory(pid int) (int64, error) { return residentSize(pid) }
