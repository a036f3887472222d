package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/registry"
	"github.com/dusk-go/dusk/scheduler/state"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// workerConn is a connected worker's stream.
type workerConn struct {
	id       string
	address  string
	name     string
	nthreads int
	registry []registry.Entry
	fp       string
	build    buildOf // what executable it runs (shipped binaries)
	out      *wire.Batcher[pb.WorkerCommandBatch]
	joined   time.Time
	// plugin results arrive here while plugins are being installed.
	pluginResults chan *pb.PluginResult
	cancel        context.CancelFunc
	dropped       chan string // the reason the state removed it (DropWorker)
}

// drop ends the worker's connection because the state removed it.
func (w *workerConn) drop(reason string) {
	select {
	case w.dropped <- reason:
	default: // already dropped
	}
}

// push queues commands for the worker.
func (w *workerConn) push(cmds ...*pb.WorkerCommand) {
	w.out.Edit(func(b *pb.WorkerCommandBatch) {
		// Keys freed before these commands must stay before them: the
		// worker applies the free column after the commands.
		if len(b.Free) > 0 {
			b.Cmds = append(b.Cmds, &pb.WorkerCommand{Cmd: &pb.WorkerCommand_Free{Free: &pb.FreeKeys{Keys: b.Free}}})
			b.Free = nil
		}
		b.Cmds = append(b.Cmds, cmds...)
	})
}

// serveWorker runs one worker's connection from registration to its end.
func (s *Server) serveWorker(stream pb.Scheduler_WorkerServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	var reg *pb.RegisterWorker
	if len(first.GetMsgs()) > 0 {
		reg = first.GetMsgs()[0].GetRegister()
	}
	if reg == nil {
		return errorf("a worker's first message must register it")
	}
	if reg.GetAddress() == "" {
		return errorf("a worker registered without an address")
	}
	// A worker that runs another build than the one a client shipped
	// switches to it before it joins.
	build := buildOf{id: reg.GetBuildId(), goos: reg.GetGoos(), goarch: reg.GetGoarch(), supervised: reg.GetSupervised()}
	if b := s.bins.current(); b != nil && build.id != b.GetBuildId() && build.cannotRun(b) == "" {
		s.log.Info("worker told to switch to the shipped binary before it joins", "worker", reg.GetAddress(), "binary", b.GetSha256()[:12])
		return stream.Send(&pb.WorkerCommandBatch{Cmds: []*pb.WorkerCommand{{Cmd: &pb.WorkerCommand_SwitchBinary{SwitchBinary: &pb.SwitchBinary{Binary: b}}}}})
	}
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	w := &workerConn{
		id: reg.GetAddress(), address: reg.GetAddress(), name: reg.GetName(), nthreads: int(reg.GetNthreads()),
		fp: reg.GetFingerprint(), build: build, out: wire.NewBatcher[pb.WorkerCommandBatch](), joined: time.Now(),
		pluginResults: make(chan *pb.PluginResult, 16), cancel: cancel, dropped: make(chan string, 1),
	}
	for _, e := range reg.GetRegistry() {
		w.registry = append(w.registry, registry.Entry{Name: e.GetName(), Signature: e.GetSignature()})
	}
	// A worker at the same address is a dead predecessor: replace it. Its
	// removal is done here, so that its connection, when it ends, removes
	// nothing (it would remove this worker, which has its ID).
	replaced := false
	s.changeWorkers(func() []state.Event {
		old := s.workers[w.id]
		if old == nil {
			return nil
		}
		replaced = true
		old.cancel()
		delete(s.workers, w.id)
		return []state.Event{&state.WorkerRemoved{At: state.At{Now: time.Now()}, ID: w.id, Reason: "replaced by a new worker at the same address"}}
	})
	if replaced {
		s.log.Warn("worker re-registered at the same address; dropped the old connection", "address", w.id)
	}
	if err := stream.Send(&pb.WorkerCommandBatch{Cmds: []*pb.WorkerCommand{{Cmd: &pb.WorkerCommand_Welcome{Welcome: &pb.Welcome{Id: w.id, SchedulerId: s.id}}}}}); err != nil {
		return err
	}
	// The sender runs from now on: plugin installation uses it.
	sendErr := make(chan error, 1)
	go func() {
		sendErr <- w.out.Run(ctx, stream.Send)
	}()
	if err := s.installPlugins(ctx, w, stream); err != nil {
		w.push(&pb.WorkerCommand{Cmd: &pb.WorkerCommand_Refuse{Refuse: &pb.RefuseWorker{Reason: err.Error()}}})
		w.out.Close()
		s.log.Warn("worker refused by a plugin", "worker", w.id, "err", err)
		select {
		case <-sendErr:
		case <-time.After(5 * time.Second):
		}
		return err
	}
	held := make([]state.HeldKey, len(reg.GetHeld()))
	for i, h := range reg.GetHeld() {
		held[i] = state.HeldKey{Key: graph.Key(h.GetKey()), NBytes: h.GetNbytes(), Type: h.GetType()}
	}
	s.changeWorkers(func() []state.Event {
		now := time.Now()
		var evs []state.Event
		if old := s.workers[w.id]; old != nil {
			// Another connection at this address joined meanwhile (it
			// registered first): this one replaces it too.
			old.cancel()
			evs = append(evs, &state.WorkerRemoved{At: state.At{Now: now}, ID: w.id, Reason: "replaced by a new worker at the same address"})
		}
		s.workers[w.id] = w
		close(s.joined)
		s.joined = make(chan struct{})
		return append(evs, &state.WorkerAdded{At: state.At{Now: now}, ID: w.id, Address: w.address, Name: w.name,
			NThreads: w.nthreads, Resources: reg.GetResources(), MemoryLimit: reg.GetMemoryLimit(), Held: held})
	})
	s.log.Info("worker joined", "worker", w.id, "name", w.name, "threads", w.nthreads)
	if len(held) > 0 {
		s.log.Info("worker joined with results it kept", "worker", w.id, "keys", len(held))
	}

	reason := "connection closed"
	defer func() {
		w.out.Close()
		cancel()
		s.log.Info("worker left", "worker", w.id, "reason", reason)
		// Only while it is the worker at its address: a successor there
		// (same ID) removed it already and must stay.
		s.changeWorkers(func() []state.Event {
			if s.workers[w.id] != w {
				return nil
			}
			delete(s.workers, w.id)
			return []state.Event{&state.WorkerRemoved{At: state.At{Now: time.Now()}, ID: w.id, Reason: reason}}
		})
	}()
	// Batches are applied by this goroutine as they arrive.
	recvErr := make(chan error, 1)
	go func() {
		for {
			b, err := stream.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			s.workerMessages(w, b)
		}
	}()
	select {
	case err := <-recvErr:
		if !errors.Is(err, io.EOF) && ctx.Err() == nil {
			reason = err.Error()
		}
	case err := <-sendErr:
		if err != nil {
			reason = "sending failed: " + err.Error()
		}
	case r := <-w.dropped:
		reason = "removed by the scheduler: " + r
		return status.Errorf(codes.Unavailable, "the scheduler removed this worker: %s; connect again as a new worker", r)
	case <-ctx.Done():
	}
	return nil
}

// installPlugins installs every registered plugin on a new worker before it
// gets work; a plugin that refuses the worker keeps it out.
func (s *Server) installPlugins(ctx context.Context, w *workerConn, stream pb.Scheduler_WorkerServer) error {
	s.mu.Lock()
	plugins := append([]*pb.InstallPlugin(nil), s.plugins...)
	s.mu.Unlock()
	for _, p := range plugins {
		w.push(&pb.WorkerCommand{Cmd: &pb.WorkerCommand_Plugin{Plugin: p}})
		for {
			// The worker answers promptly; a stuck Setup is bounded by the
			// stream's context (the worker's connection).
			b, err := stream.Recv()
			if err != nil {
				return errorf("worker %s left while installing plugin %s: %v", w.id, p.GetName(), err)
			}
			var res *pb.PluginResult
			for _, m := range b.GetMsgs() {
				if r := m.GetPlugin(); r != nil && r.GetName() == p.GetName() {
					res = r
				}
			}
			if res == nil {
				continue
			}
			if res.GetError() != "" {
				return fmt.Errorf("plugin %s refused worker %s: %s", p.GetName(), w.id, res.GetError())
			}
			break
		}
	}
	return nil
}

// workerMessages turns a batch from a worker into state events.
func (s *Server) workerMessages(w *workerConn, b *pb.WorkerBatch) {
	now := time.Now()
	at := state.At{Now: now}
	r := b.GetReports()
	evs := make([]state.Event, 0, len(b.GetMsgs())+len(r.GetStarted())+len(r.GetFinished()))
	evs = reportEvents(evs, w.id, at, r)
	for _, m := range b.GetMsgs() {
		switch x := m.GetMsg().(type) {
		case *pb.WorkerMsg_Failed:
			f := x.Failed
			evs = append(evs, &state.TaskFailed{At: at, Worker: w.id, Key: graph.Key(f.GetKey()), Err: wire.TaskErrorFromPB(f.GetError()),
				Thread: int(f.GetThread()), Start: time.Unix(0, f.GetStartNs()), Stop: time.Unix(0, f.GetStopNs()),
				Handle: state.TaskHandle(f.GetHandle())})
		case *pb.WorkerMsg_Added:
			evs = append(evs, &state.KeysAdded{At: at, Worker: w.id, Keys: wire.KeySizes(x.Added.GetKeys(), x.Added.GetNbytes())})
		case *pb.WorkerMsg_Missing:
			evs = append(evs, &state.DataMissing{At: at, Worker: w.id, Task: graph.Key(x.Missing.GetTask()), Key: graph.Key(x.Missing.GetKey()), Tried: x.Missing.GetTried()})
		case *pb.WorkerMsg_Rejected:
			evs = append(evs, &state.TaskRejected{At: at, Worker: w.id, Key: graph.Key(x.Rejected.GetKey()), Handle: state.TaskHandle(x.Rejected.GetHandle())})
		case *pb.WorkerMsg_Steal:
			evs = append(evs, &state.StealReplied{At: at, Worker: w.id, Key: graph.Key(x.Steal.GetKey()), Stolen: x.Steal.GetStolen()})
		case *pb.WorkerMsg_Heartbeat:
			h := x.Heartbeat
			evs = append(evs, &state.Heartbeat{At: at, Worker: w.id, Process: h.GetProcess(), Managed: h.GetManaged(), Unmanaged: h.GetUnmanaged(),
				UnmanagedRecent: h.GetUnmanagedRecent(), Spilled: h.GetSpilled(), SpilledDisk: h.GetSpilledDisk(), SpilledKeys: h.GetSpilledKeys(),
				SpillFailed: h.GetSpillFailed(), Paused: h.GetPaused(), Executing: int(h.GetExecuting()), Ready: int(h.GetReady()), CPU: h.GetCpu(),
				BytesIn: h.GetBytesIn(), BytesOut: h.GetBytesOut(), Procs: int(h.GetProcs()), Bandwidth: h.GetBandwidth()})
		case *pb.WorkerMsg_Retire:
			evs = append(evs, &state.WorkerRetiring{At: at, ID: w.id})
		case *pb.WorkerMsg_Plugin:
			select {
			case w.pluginResults <- x.Plugin:
			default:
			}
		case *pb.WorkerMsg_Transfer:
			t := x.Transfer
			s.ring.Add(event.Event{Kind: event.Transfer, Time: now, Key: t.GetKey(), Worker: w.id, Peer: t.GetPeer(),
				NBytes: t.GetNbytes(), Start: time.Unix(0, t.GetStartNs()), Stop: time.Unix(0, t.GetStopNs())})
		case *pb.WorkerMsg_Spill:
			sp, kind := x.Spill, event.Spill
			if sp.GetUnspill() {
				kind = event.Unspill
			}
			s.ring.Add(event.Event{Kind: kind, Time: now, Key: sp.GetKey(), Worker: w.id,
				NBytes: sp.GetNbytes(), Start: time.Unix(0, sp.GetStartNs()), Stop: time.Unix(0, sp.GetStopNs())})
		}
	}
	if len(evs) > 0 {
		s.submitFrom(w, evs)
	}
}

// changeWorkers runs change, which edits the worker connections (s.mu is
// held), and hands the events it returns to the state, in one step under
// the state's lock: the connections and the state's workers change
// together, so that no event comes between a worker's removal and the
// join of its successor at the same address (which has its ID), nor
// between a worker's connection joining and the state learning of it.
func (s *Server) changeWorkers(change func() []state.Event) {
	s.stMu.Lock()
	defer s.stMu.Unlock()
	s.mu.Lock()
	evs := change()
	s.mu.Unlock()
	if len(evs) == 0 || s.ctx.Err() != nil {
		return
	}
	for _, ev := range evs {
		s.st.Handle(ev)
	}
	s.flush()
}

// submitFrom hands the events of a batch from w to the state, unless w is
// no longer the worker at its address (a batch read before its connection
// was dropped, applied after): a successor with its ID must not be
// credited with what w reported.
func (s *Server) submitFrom(w *workerConn, evs []state.Event) {
	if s.ctx.Err() != nil {
		return
	}
	s.stMu.Lock()
	defer s.stMu.Unlock()
	s.mu.Lock()
	current := s.workers[w.id] == w
	s.mu.Unlock()
	if !current {
		return
	}
	for _, ev := range evs {
		s.st.Handle(ev)
	}
	s.flush()
}

// Column readers that tolerate a short column from a faulty peer.
func at64(xs []int64, i int) int64 {
	if i < len(xs) {
		return xs[i]
	}
	return 0
}

// reportEvents appends the events of a worker's columns of tasks started
// and finished. A column the worker left short (an older worker's handles,
// say) reads as zeros.
func reportEvents(evs []state.Event, worker string, at state.At, r *pb.TaskReports) []state.Event {
	// The events are allocated together, one slice of each kind (a map of
	// tiny tasks reports thousands in a batch).
	started := make([]state.TaskStarted, len(r.GetStarted()))
	for i, k := range r.GetStarted() {
		started[i] = state.TaskStarted{At: at, Worker: worker, Key: graph.Key(k), Thread: int(at32(r.GetStartedThread(), i)),
			Handle: state.TaskHandle(atU64(r.GetStartedHandle(), i))}
		evs = append(evs, &started[i])
	}
	finished := make([]state.TaskFinished, len(r.GetFinished()))
	for i, k := range r.GetFinished() {
		finished[i] = state.TaskFinished{At: at, Worker: worker, Key: graph.Key(k), NBytes: at64(r.GetNbytes(), i),
			Type: atStr(r.GetType(), i), Thread: int(at32(r.GetThread(), i)),
			Start: time.Unix(0, at64(r.GetStartNs(), i)), Stop: time.Unix(0, at64(r.GetStopNs(), i)),
			CPU: time.Duration(at64(r.GetCpuNs(), i)), Wait: time.Duration(at64(r.GetWaitNs(), i)),
			Handle: state.TaskHandle(atU64(r.GetHandle(), i))}
		evs = append(evs, &finished[i])
	}
	return evs
}

func atU64(xs []uint64, i int) uint64 {
	if i < len(xs) {
		return xs[i]
	}
	return 0
}

func at32(xs []int32, i int) int32 {
	if i < len(xs) {
		return xs[i]
	}
	return 0
}

func atStr(xs []string, i int) string {
	if i < len(xs) {
		return xs[i]
	}
	return ""
}
