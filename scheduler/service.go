package scheduler

import (
	"context"
	"time"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/scheduler/state"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// service implements the gRPC Scheduler service.
type service struct {
	pb.UnimplementedSchedulerServer
	s *Server
}

func (v *service) Worker(stream pb.Scheduler_WorkerServer) error { return v.s.serveWorker(stream) }

func (v *service) Client(stream pb.Scheduler_ClientServer) error { return v.s.serveClient(stream) }

func (v *service) Identity(ctx context.Context, _ *pb.IdentityRequest) (*pb.IdentityReply, error) {
	return v.s.Identity(ctx)
}

// Identity describes the scheduler and its workers.
func (s *Server) Identity(ctx context.Context) (*pb.IdentityReply, error) {
	reply := &pb.IdentityReply{SchedulerId: s.id, Address: s.addr, Version: s.opts.Version, Dashboard: s.DashboardURL(),
		Events: s.ring.Total()}
	err := s.withState(ctx, func(st *state.State) {
		reply.Tasks = int64(st.NTasks())
		for _, w := range st.Workers() {
			info := &pb.WorkerInfo{
				Id: w.ID, Address: w.Address, Name: w.Name, Nthreads: int32(w.NThreads), Resources: w.Resources,
				MemoryLimit: w.MemoryLimit, Status: w.Status.String(), Nbytes: w.NBytes(), Processing: int32(w.NProcessing()),
				Managed: w.Metrics.Managed, Unmanaged: w.Metrics.Unmanaged, Spilled: w.Metrics.Spilled,
				Process: w.Metrics.Process, UnmanagedRecent: w.Metrics.UnmanagedRecent, SpilledDisk: w.Metrics.SpilledDisk,
				SpilledKeys: w.Metrics.SpilledKeys, SpillFailed: w.Metrics.SpillFailed, Bandwidth: w.Metrics.Bandwidth,
			}
			reply.Workers = append(reply.Workers, info)
		}
	})
	if err != nil {
		return nil, err
	}
	for _, info := range reply.Workers {
		if c := s.workerConn(info.Id); c != nil {
			info.Fingerprint = c.fp
			info.BuildId = c.build.id
			for _, e := range c.registry {
				info.Registry = append(info.Registry, &pb.RegistryEntry{Name: e.Name, Signature: e.Signature})
			}
		}
	}
	return reply, nil
}

func (v *service) WhoHas(ctx context.Context, req *pb.WhoHasRequest) (*pb.WhoHasReply, error) {
	reply := &pb.WhoHasReply{WhoHas: make(map[string]*pb.Locations)}
	var found map[graph.Key][]string
	sizes := map[graph.Key]int64{}
	err := v.s.withState(ctx, func(st *state.State) {
		var keys []graph.Key
		if req.GetAll() {
			keys = st.InMemory()
		} else {
			keys = make([]graph.Key, len(req.GetKeys()))
			for i, k := range req.GetKeys() {
				keys[i] = graph.Key(k)
				if st.Task(keys[i]) == nil {
					reply.Unknown = append(reply.Unknown, k)
				}
			}
		}
		found = st.WhoHas(keys)
		for k := range found {
			sizes[k] = st.Task(k).NBytes
		}
	})
	if err != nil {
		return nil, err
	}
	for k, ids := range found {
		reply.WhoHas[string(k)] = &pb.Locations{Workers: ids, Addresses: v.s.addresses(ids), Nbytes: sizes[k]}
	}
	return reply, nil
}

func (v *service) Restart(ctx context.Context, req *pb.RestartRequest) (*pb.RestartReply, error) {
	timeout := time.Duration(req.GetTimeoutMs()) * time.Millisecond
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	n, err := v.s.Restart(ctx, req.GetReason())
	return &pb.RestartReply{Workers: int32(n)}, err
}

// Restart drops every task and replaces every worker, then waits until as
// many workers as before have joined again. It returns that number.
func (s *Server) Restart(ctx context.Context, reason string) (int, error) {
	if reason == "" {
		reason = "the cluster restarted"
	}
	s.mu.Lock()
	old := make([]*workerConn, 0, len(s.workers))
	for _, w := range s.workers {
		old = append(old, w)
	}
	s.mu.Unlock()
	s.log.Info("restarting", "workers", len(old), "reason", reason)
	err := s.withState(ctx, func(st *state.State) {
		st.Handle(&state.Restarted{At: state.At{Now: time.Now()}, Reason: reason})
		s.flush() // the clients hear of the restart before the workers go
		for _, w := range old {
			w.push(&pb.WorkerCommand{Cmd: &pb.WorkerCommand_Restart{Restart: &pb.RestartWorker{Reason: reason}}})
		}
	})
	if err != nil {
		return 0, err
	}
	// Wait for every old worker to leave and as many new ones to join.
	// Workers are told apart by their connection, not their ID: a fresh
	// worker may come back at the address (the ID) of an old one.
	for {
		left, fresh, joined := s.restartProgress(old)
		if left == 0 && fresh >= len(old) {
			return fresh, nil
		}
		select {
		case <-joined:
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return fresh, errorf("restart: %d of %d workers came back before the deadline, and %d old ones had not left: %w",
				fresh, len(old), left, ctx.Err())
		}
	}
}

// restartProgress counts the connections of old still connected and the
// other workers, and returns a channel closed when the next one joins. The
// state's workers are the connections' (they change together, under the
// state's lock: changeWorkers).
func (s *Server) restartProgress(old []*workerConn) (left, fresh int, joined <-chan struct{}) {
	s.stMu.Lock()
	defer s.stMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range old {
		if s.workers[w.id] == w {
			left++
		}
	}
	return left, len(s.workers) - left, s.joined
}

func (v *service) RegisterPlugin(ctx context.Context, req *pb.PluginRequest) (*pb.PluginReply, error) {
	timeout := time.Duration(req.GetTimeoutMs()) * time.Millisecond
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return v.s.RegisterPlugin(ctx, &pb.InstallPlugin{Name: req.GetName(), Config: req.GetConfig()})
}

// RegisterPlugin installs a plugin on every worker now and on every worker
// that joins later. Workers whose plugin setup fails are refused and leave.
func (s *Server) RegisterPlugin(ctx context.Context, p *pb.InstallPlugin) (*pb.PluginReply, error) {
	s.mu.Lock()
	replaced := false
	for i, q := range s.plugins {
		if q.GetName() == p.GetName() {
			s.plugins[i] = p
			replaced = true
		}
	}
	if !replaced {
		s.plugins = append(s.plugins, p)
	}
	workers := make([]*workerConn, 0, len(s.workers))
	for _, w := range s.workers {
		workers = append(workers, w)
	}
	s.mu.Unlock()
	for _, w := range workers {
		w.push(&pb.WorkerCommand{Cmd: &pb.WorkerCommand_Plugin{Plugin: p}})
	}
	reply := &pb.PluginReply{Errors: map[string]string{}}
	for _, w := range workers {
		for {
			var r *pb.PluginResult
			select {
			case r = <-w.pluginResults:
			case <-ctx.Done():
				reply.Errors[w.id] = "no answer: " + ctx.Err().Error()
			}
			if r == nil {
				break
			}
			if r.GetName() != p.GetName() {
				continue
			}
			if r.GetError() != "" {
				reply.Errors[w.id] = r.GetError()
				w.push(&pb.WorkerCommand{Cmd: &pb.WorkerCommand_Refuse{Refuse: &pb.RefuseWorker{
					Reason: "plugin " + p.GetName() + " refused this worker: " + r.GetError()}}})
			} else {
				reply.Installed++
			}
			break
		}
	}
	return reply, nil
}

func (v *service) Events(req *pb.EventsRequest, stream pb.Scheduler_EventsServer) error {
	return v.s.streamEvents(stream.Context(), req.GetHistory(), stream.Send)
}

// streamEvents sends the ring's events to one reader (a progress bar, a
// performance report; the dashboard's pages do not come this way) from
// now on, or from the oldest held with history, polling the ring every
// 50ms. The first batch always goes at once, even empty: it tells the
// reader that every later event will reach it. Each batch carries the
// ring's sequence number after it, which the reader compares with
// IdentityReply.events to know it has caught up.
func (s *Server) streamEvents(ctx context.Context, history bool, send func(*pb.EventBatch) error) error {
	seq := s.ring.Total()
	if history {
		seq = 0
	}
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for first := true; ; first = false {
		evs, next, _ := s.ring.Since(seq, historyBatch)
		if len(evs) > 0 || first {
			if err := send(&pb.EventBatch{Events: wire.EventsToPB(evs), Next: next}); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
		}
		seq = next
		if len(evs) == historyBatch {
			continue // more are waiting
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// historyBatch is the most events sent in one message.
const historyBatch = 10000
