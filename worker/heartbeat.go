package worker

import (
	"github.com/dusk-go/dusk/wire/pb"
)

// heartbeat reports the worker's memory and load to the scheduler.
func (w *Worker) heartbeat() {
	rss, _ := procSample()
	managed := w.store.Managed()
	unmanaged := rss - managed
	if unmanaged < 0 {
		unmanaged = 0
	}
	w.out.Push(&pb.WorkerMsg{Msg: &pb.WorkerMsg_Heartbeat{Heartbeat: &pb.Heartbeat{
		Managed: managed, Unmanaged: unmanaged, Paused: w.st.Paused(),
		Executing: int32(w.st.Executing()), Ready: int32(w.st.NReady()),
		BytesIn: w.bytesIn.Load(), BytesOut: w.bytesOut.Load(),
	}}})
}
