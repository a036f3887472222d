package wire

import (
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/wire/pb"
)

// EventsToPB converts events to their protocol form.
func EventsToPB(evs []event.Event) []*pb.Event {
	out := make([]*pb.Event, len(evs))
	for i, e := range evs {
		p := &pb.Event{Kind: e.Kind.String(), TimeNs: nanos(e.Time), Key: e.Key, Worker: e.Worker, Peer: e.Peer,
			Thread: int32(e.Thread), From: e.From, To: e.To, StartNs: nanos(e.Start), StopNs: nanos(e.Stop),
			Nbytes: e.NBytes, Failed: e.Failed, Detail: e.Detail, Cause: e.Cause, Stimulus: e.Stimulus,
			Remedy: e.Remedy, Fixed: e.Fixed, CpuNs: int64(e.CPU), WaitNs: int64(e.Wait)}
		if m := e.Memory; m != nil {
			p.Memory = &pb.MemorySample{Managed: m.Managed, Unmanaged: m.Unmanaged, UnmanagedRecent: m.UnmanagedRecent, Spilled: m.Spilled, Limit: m.Limit,
				Cpu: m.CPU, Executing: int32(m.Executing), Ready: int32(m.Ready), Paused: m.Paused, BytesIn: m.BytesIn, BytesOut: m.BytesOut, Procs: int32(m.Procs)}
		}
		out[i] = p
	}
	return out
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

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
			Stop: fromNanos(p.GetStopNs()), NBytes: p.GetNbytes(), Failed: p.GetFailed(), Detail: p.GetDetail(),
			Cause: p.GetCause(), Stimulus: p.GetStimulus(), Remedy: p.GetRemedy(), Fixed: p.GetFixed(),
			CPU: time.Duration(p.GetCpuNs()), Wait: time.Duration(p.GetWaitNs())}
		if m := p.GetMemory(); m != nil {
			e.Memory = &event.MemorySample{Managed: m.GetManaged(), Unmanaged: m.GetUnmanaged(), UnmanagedRecent: m.GetUnmanagedRecent(), Spilled: m.GetSpilled(),
				Limit: m.GetLimit(), CPU: m.GetCpu(), Executing: int(m.GetExecuting()), Ready: int(m.GetReady()),
				Paused: m.GetPaused(), BytesIn: m.GetBytesIn(), BytesOut: m.GetBytesOut(), Procs: int(m.GetProcs())}
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
