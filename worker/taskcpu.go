package worker

import (
	"runtime"
	"sync/atomic"
	"time"
)

// sampleGap is the least time between the end of a measured task and the
// start of the next one measured on the same thread. Reading a thread's
// scheduler statistics costs some microseconds (see BenchmarkTaskCPU), so
// the worker measures a sample of its tasks: on each thread, the next
// task that starts at least this long after the last measured one ended.
// Tiny tasks are then measured about once per gap and thread; tasks
// longer than the gap at least every other one.
const sampleGap = 10 * time.Millisecond

// taskCPU measures, for a sample of task runs, their time on the CPU and
// their time waiting for a core, from the kernel's statistics of the
// thread that runs them: the goroutine is locked to its thread while it
// runs, so the thread's time is the task's (goroutines the task starts
// are not counted). What is neither is time off the CPU: blocked in I/O,
// sleeping, or waiting for a Go processor when more goroutines compute
// than GOMAXPROCS allows.
type taskCPU struct {
	next []atomic.Int64 // per thread slot: unix nanoseconds before which no task is measured
}

func newTaskCPU(nthreads int) *taskCPU {
	return &taskCPU{next: make([]atomic.Int64, nthreads)}
}

// measurement is an open measurement of one task run.
type measurement struct {
	cpu, wait time.Duration
	ok        bool
}

// begin starts measuring the run that starts now on thread, if it is in
// the sample; the goroutine stays locked to its thread until end.
func (m *taskCPU) begin(thread int, now time.Time) measurement {
	if m == nil || thread < 0 || thread >= len(m.next) || now.UnixNano() < m.next[thread].Load() {
		return measurement{}
	}
	runtime.LockOSThread()
	cpu, wait, ok := threadTimes()
	if !ok {
		runtime.UnlockOSThread()
		return measurement{}
	}
	return measurement{cpu: cpu, wait: wait, ok: true}
}

// end finishes the measurement of a run that stopped at stop and returns
// its CPU and wait times (0, 0 for a run not measured).
func (m *taskCPU) end(thread int, s measurement, stop time.Time) (cpu, wait time.Duration) {
	if !s.ok {
		return 0, 0
	}
	c, w, ok := threadTimes()
	runtime.UnlockOSThread()
	m.next[thread].Store(stop.Add(sampleGap).UnixNano())
	if !ok || c <= s.cpu {
		return 0, 0
	}
	return c - s.cpu, max(w-s.wait, 0)
}
