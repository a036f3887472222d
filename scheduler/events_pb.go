package scheduler

import (
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/wire/pb"
)

// EventsFromPB converts events from their protocol form (the Events RPC)
// back to diagnostic events; kinds this build does not know are skipped.
func EventsFromPB(ps []*pb.Event) []event.Event {
	out := make([]event.Event, 0, len(ps))
	for _, p := range ps {
		k := event.ParseKind(p.GetKind())
		if k == 0 {
			continue
		}
		e := event.Event{Kind: k, Time: fromNanos(p.GetTimeNs()), Key: p.GetKey(), Worker: p.GetWorker(), Peer: p.GetPeer(),
			Thread: int(p.GetThread()), From: p.GetFrom(), To: p.GetTo(), Start: fromNanos(p.GetStartNs()),
			Stop: fromNanos(p.GetStopNs()), NBytes: p.GetNbytes(), Failed: p.GetFailed(), Detail: p.GetDetail()}
		if m := p.GetMemory(); m != nil {
			e.Memory = &event.MemorySample{Managed: m.GetManaged(), Unmanaged: m.GetUnmanaged(), Spilled: m.GetSpilled(),
				Limit: m.GetLimit(), CPU: m.GetCpu(), Executing: int(m.GetExecuting()), Ready: int(m.GetReady()),
				Paused: m.GetPaused(), BytesIn: m.GetBytesIn(), BytesOut: m.GetBytesOut()}
		}
		out = append(out, e)
	}
	return out
}

func fromNanos(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}
