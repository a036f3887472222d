package worker

import (
	"runtime"
	"testing"
	"time"
)

// spin does n rounds of integer work and returns a value the compiler
// cannot drop.
func spin(n int) uint64 {
	x := uint64(1)
	for i := range n {
		x = x*6364136223846793005 + uint64(i)
	}
	return x
}

// A measured run tells CPU from time off the CPU: a task that computes
// has CPU time, one that sleeps has almost none; the run after a measured
// one on the same thread is measured only from the gap on.
func TestTaskCPUMeasures(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("task runs are measured on Linux only")
	}
	m := newTaskCPU(2)
	start := time.Now()
	s := m.begin(0, start)
	if !s.ok {
		t.Fatal("the first run of a thread was not measured")
	}
	if spin(50_000_000) == 0 {
		t.Log("unlikely")
	}
	stop := time.Now()
	cpu, wait := m.end(0, s, stop)
	// The kernel adds a thread's times at its context switches, so a
	// wait that began just before the first read can land in the
	// difference: the sum may pass the wall time by a switch's worth, not
	// by half of it.
	if cpu <= 0 || cpu+wait > stop.Sub(start)*3/2+5*time.Millisecond {
		t.Fatalf("computing: CPU %v, wait %v over %v", cpu, wait, stop.Sub(start))
	}
	if s := m.begin(0, stop); s.ok {
		t.Fatal("a run right after a measured one on its thread was measured")
	}
	if s := m.begin(1, stop); !s.ok {
		t.Fatal("another thread's first run was not measured")
	} else {
		m.end(1, s, time.Now())
	}
	start = stop.Add(sampleGap)
	s = m.begin(0, start)
	if !s.ok {
		t.Fatal("a run a gap after the last measured one was not measured")
	}
	time.Sleep(20 * time.Millisecond)
	cpu, _ = m.end(0, s, time.Now())
	if cpu >= 10*time.Millisecond {
		t.Fatalf("sleeping 20 ms took %v of CPU", cpu)
	}
	if s := m.begin(5, stop); s.ok {
		t.Fatal("a thread the worker does not have was measured")
	}
}

// BenchmarkTaskCPU is what measuring costs a task run: "measured" for a
// run in the sample (lock the thread, read its statistics twice),
// "skipped" for the others (one atomic load).
func BenchmarkTaskCPU(b *testing.B) {
	b.Run("measured", func(b *testing.B) {
		m := newTaskCPU(1)
		for b.Loop() {
			m.next[0].Store(0)
			s := m.begin(0, time.Unix(1, 0))
			m.end(0, s, time.Unix(1, 0))
		}
	})
	b.Run("skipped", func(b *testing.B) {
		m := newTaskCPU(1)
		m.next[0].Store(time.Now().Add(time.Hour).UnixNano())
		now := time.Now()
		for b.Loop() {
			s := m.begin(0, now)
			m.end(0, s, now)
		}
	})
}
