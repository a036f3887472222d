package store

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// ProcessMemory returns the memory the process pid uses, in bytes: its
// resident set size as the OS reports it in /proc (see processMemory for
// the one exception, builds with the race detector). pid 0 means this
// process. It fails where /proc is not available.
func ProcessMemory(pid int) (int64, error) {
	return processMemory(pid)
}

// residentSize reads a process's resident set size from /proc/PID/statm.
func residentSize(pid int) (int64, error) {
	b, err := os.ReadFile(procPath(pid, "statm"))
	if err != nil {
		return 0, fmt.Errorf("dusk: reading the memory of process %d: %w", pid, err)
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, fmt.Errorf("dusk: reading the memory of process %d: unexpected statm %q", pid, b)
	}
	pages, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("dusk: reading the memory of process %d: %w", pid, err)
	}
	return pages * int64(os.Getpagesize()), nil
}

// procPath returns /proc/PID/name, or /proc/self/name for pid 0.
func procPath(pid int, name string) string {
	if pid == 0 {
		return "/proc/self/" + name
	}
	return "/proc/" + strconv.Itoa(pid) + "/" + name
}
