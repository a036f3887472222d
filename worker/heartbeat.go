package worker

import (
	"time"

	"github.com/dusk-go/dusk/wire/pb"
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
	rss, cpu := procSample()
	cores := w.cpu.cores(cpu, time.Now())
	w.mu.Lock()
	paused, executing, ready := w.st.Paused(), w.st.Executing(), w.st.NReady()
	w.mu.Unlock()
	managed := w.store.Managed()
	unmanaged := rss - managed
	if unmanaged < 0 {
		unmanaged = 0
	}
	w.send(&pb.WorkerMsg{Msg: &pb.WorkerMsg_Heartbeat{Heartbeat: &pb.Heartbeat{
		Managed: managed, Unmanaged: unmanaged, Paused: paused,
		Executing: int32(executing), Ready: int32(ready), Cpu: cores,
		BytesIn: w.bytesIn.Load(), BytesOut: w.bytesOut.Load(),
	}}})
}
