package worker

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadTimes returns the calling thread's time on the CPU and waiting
// for a core (on a run queue), from /proc/thread-self/schedstat.
func threadTimes() (cpu, wait time.Duration, ok bool) {
	fd, err := unix.Open("/proc/thread-self/schedstat", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, 0, false
	}
	var buf [96]byte
	n, err := unix.Read(fd, buf[:])
	_ = unix.Close(fd)
	if err != nil || n <= 0 {
		return 0, 0, false
	}
	// "run_ns wait_ns timeslices\n"
	var vals [2]int64
	i := 0
	for f := range vals {
		for i < n && buf[i] == ' ' {
			i++
		}
		start := i
		for i < n && buf[i] >= '0' && buf[i] <= '9' {
			vals[f] = vals[f]*10 + int64(buf[i]-'0')
			i++
		}
		if i == start {
			return 0, 0, false
		}
	}
	return time.Duration(vals[0]), time.Duration(vals[1]), true
}
