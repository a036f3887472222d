package worker

import (
	"github.com/dusk-go/dusk/wire/pb"
)

// heartbeat reports the worker's memory and load to the scheduler.
func (w *Worker) heartbeat() {
	rss, _ := procSample()
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
		Executing: int32(executing), Ready: int32(ready),
		BytesIn: w.bytesIn.Load(), BytesOut: w.bytesOut.Load(),
	}}})
}
