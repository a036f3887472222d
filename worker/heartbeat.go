package worker

import (
	"time"

	"github.com/dusk-go/dusk/wire/pb"
)

// heartbeat reports the worker's memory and load to the scheduler.
func (w *Worker) heartbeat() {
	s := w.mem.latest()
	if s.Time.IsZero() {
		s = w.mem.measure(time.Now()) // before the monitor's first measure
	}
	w.sendHeartbeat(s)
}

// sendHeartbeat reports memory sample s, with the worker's load.
func (w *Worker) sendHeartbeat(s MemorySample) {
	w.mu.Lock()
	var executing, ready int
	if w.st != nil {
		s.Paused = w.st.Paused()
		executing, ready = w.st.Executing(), w.st.NReady()
	}
	w.mu.Unlock()
	h := heartbeatOf(s)
	h.Executing, h.Ready = int32(executing), int32(ready)
	h.BytesIn, h.BytesOut = w.bytesIn.Load(), w.bytesOut.Load()
	w.send(&pb.WorkerMsg{Msg: &pb.WorkerMsg_Heartbeat{Heartbeat: h}})
}
