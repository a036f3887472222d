package worker

import (
	"math"
	"runtime"
	"time"

	"github.com/dusk-go/dusk/wire/pb"
	"github.com/dusk-go/dusk/worker/store"
)

// cpuMeter turns the process's CPU time into cores used between two
// heartbeats. Only the heartbeat goroutine uses it. Workers that share a
// process (a local cluster's in-process workers) each report the whole
// process's use.
type cpuMeter struct {
	lastCPU  time.Duration
	lastWall time.Time
}

// cores returns the cores used since the previous call (0 on the first).
func (m *cpuMeter) cores(cpu time.Duration, now time.Time) float64 {
	var out float64
	if !m.lastWall.IsZero() && now.After(m.lastWall) && cpu >= m.lastCPU {
		out = float64(cpu-m.lastCPU) / float64(now.Sub(m.lastWall))
	}
	m.lastCPU, m.lastWall = cpu, now
	return out
}

// heartbeat reports the worker's memory and load to the scheduler.
func (w *Worker) heartbeat() {
	s := w.mem.Latest()
	if s.Time.IsZero() {
		s = w.mem.Measure(time.Now()) // before the monitor's first measure
	}
	_, cpu := store.ProcSample()
	w.cores.Store(math.Float64bits(w.cpu.cores(cpu, time.Now())))
	w.sendHeartbeat(s)
}

// sendHeartbeat reports memory sample s, with the worker's load (its CPU
// use as of the last regular heartbeat). The memory monitor calls it too,
// when the worker pauses or resumes.
func (w *Worker) sendHeartbeat(s store.MemorySample) {
	w.mu.Lock()
	var executing, ready int
	if w.st != nil {
		s.Paused = w.st.Paused()
		executing, ready = w.st.Executing(), w.st.NReady()
	}
	w.mu.Unlock()
	h := heartbeatOf(s)
	h.Executing, h.Ready = int32(executing), int32(ready)
	h.Cpu = math.Float64frombits(w.cores.Load())
	h.Procs = int32(runtime.GOMAXPROCS(0))
	h.BytesIn, h.BytesOut = w.bytesIn.Load(), w.bytesOut.Load()
	h.Bandwidth = w.fetchRate.get()
	w.send(&pb.WorkerMsg{Msg: &pb.WorkerMsg_Heartbeat{Heartbeat: h}})
}
