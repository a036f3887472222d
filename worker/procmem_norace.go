//go:build !race

package worker

// processMemory is the process's resident set size.
func processMemory(pid int) (int64, error) { return residentSize(pid) }
