package dashboard

import (
	"syscall"
	"time"
)

// rusageThread is RUSAGE_THREAD: the calling thread's use.
const rusageThread = 1

// cpuTimes returns the CPU time (user and system) used so far by the
// calling OS thread and by the whole process.
func cpuTimes() (thread, process time.Duration) {
	var t, p syscall.Rusage
	_ = syscall.Getrusage(rusageThread, &t)
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &p)
	return tv(t.Utime) + tv(t.Stime), tv(p.Utime) + tv(p.Stime)
}

func tv(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
