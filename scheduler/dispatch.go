package scheduler

import (
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/scheduler/state"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// dispatch puts the state's events into the ring, then turns its actions
// into messages on the right streams: whoever hears of a result (a
// client) finds its events in the ring already.
func (s *Server) dispatch(r state.Ready) {
	s.ring.AddAll(r.Events...)
	if r.DroppedEvents > 0 {
		s.log.Info("diagnostic events dropped: one event produced more than the event ring holds", "dropped", r.DroppedEvents)
	}
	s.sendActions(r.Actions)
}

// sendActions turns the state's actions into messages on the right
// streams.
func (s *Server) sendActions(actions []state.Action) {
	msgs := newComputeMsgs(actions)
	for _, a := range actions {
		switch a := a.(type) {
		case *state.Compute:
			task, err := wire.EncodeTask(a.Task)
			if err != nil {
				s.log.Error("a task cannot be sent", "key", a.Task.Key, "err", err)
				continue
			}
			s.toWorker(a.Worker, msgs.next(task, a.Priority, s.depsToPB(a.Deps), a.Handle))
		case *state.Free:
			if w := s.workerConn(a.Worker); w != nil {
				w.out.Edit(func(b *pb.WorkerCommandBatch) {
					for _, k := range a.Keys {
						b.Free = append(b.Free, string(k))
					}
				})
			}
		case *state.Steal:
			s.toWorker(a.Worker, &pb.WorkerCommand{Cmd: &pb.WorkerCommand_Steal{Steal: &pb.StealRequest{Key: string(a.Key)}}})
		case *state.Acquire:
			s.toWorker(a.Worker, &pb.WorkerCommand{Cmd: &pb.WorkerCommand_Acquire{Acquire: &pb.AcquireKeys{Deps: s.depsToPB(a.Deps)}}})
		case *state.DropWorker:
			if w := s.workerConn(a.Worker); w != nil {
				s.log.Warn("worker removed; its connection is closed, and it may connect again as a new worker",
					"worker", a.Worker, "name", w.name, "reason", a.Reason)
				w.drop(a.Reason)
			}
		case *state.CloseWorker:
			s.toWorker(a.Worker, &pb.WorkerCommand{Cmd: &pb.WorkerCommand_Close{Close: &pb.CloseWorker{Reason: a.Reason}}})
		case *state.KeyInMemory:
			if c := s.clientConn(a.Client); c != nil {
				c.out.Edit(func(b *pb.ClientEventBatch) {
					m := b.Memory
					if m == nil {
						m = &pb.MemoryReports{}
						b.Memory = m
					}
					m.Keys = append(m.Keys, string(a.Key))
					m.Nbytes = append(m.Nbytes, a.NBytes)
					m.Type = append(m.Type, a.Type)
					m.Naddr = append(m.Naddr, int32(len(a.Workers)))
					for _, id := range a.Workers {
						m.Addresses = append(m.Addresses, s.address(id))
					}
				})
			}
		case *state.KeyErred:
			s.toClient(a.Client, &pb.ClientEvent{Ev: &pb.ClientEvent_Erred{Erred: &pb.KeyErred{Key: string(a.Key), Error: wire.TaskErrorToPB(a.Err)}}})
		case *state.KeyCancelled:
			s.toClient(a.Client, &pb.ClientEvent{Ev: &pb.ClientEvent_Cancelled{Cancelled: &pb.KeyCancelled{Key: string(a.Key), Reason: a.Reason}}})
		case *state.CoordReplied:
			s.toClient(a.Client, &pb.ClientEvent{Ev: &pb.ClientEvent_Coord{Coord: coordReply(a)}})
		case *state.KeyStalled:
			s.log.Warn("task cannot run on any worker now", "key", a.Key, "reason", a.Reason)
			s.toClient(a.Client, &pb.ClientEvent{Ev: &pb.ClientEvent_Stalled{Stalled: &pb.KeyStalled{Key: string(a.Key), Reason: a.Reason}}})
		}
	}
}

// computeMsgs allocates the messages of one call's Compute actions
// together, four kinds of message in four slices instead of four
// allocations a task: a map of tiny tasks sends one Compute per task.
type computeMsgs struct {
	cmds  []pb.WorkerCommand
	oneof []pb.WorkerCommand_Compute
	tasks []pb.ComputeTask
	prios []pb.Priority
}

// newComputeMsgs sizes the slices for the Compute actions among actions.
func newComputeMsgs(actions []state.Action) computeMsgs {
	n := 0
	for _, a := range actions {
		if _, ok := a.(*state.Compute); ok {
			n++
		}
	}
	if n == 0 {
		return computeMsgs{}
	}
	return computeMsgs{cmds: make([]pb.WorkerCommand, n), oneof: make([]pb.WorkerCommand_Compute, n),
		tasks: make([]pb.ComputeTask, n), prios: make([]pb.Priority, n)}
}

// next returns the command that computes task.
func (m *computeMsgs) next(task []byte, prio graph.Priority, deps []*pb.DepLocation, h state.TaskHandle) *pb.WorkerCommand {
	cmd, oneof, ct, p := &m.cmds[0], &m.oneof[0], &m.tasks[0], &m.prios[0]
	m.cmds, m.oneof, m.tasks, m.prios = m.cmds[1:], m.oneof[1:], m.tasks[1:], m.prios[1:]
	p.User, p.Generation, p.Order = prio.User, prio.Generation, prio.Order
	ct.Task, ct.Priority, ct.Deps, ct.Handle = task, p, deps, uint64(h)
	oneof.Compute = ct
	cmd.Cmd = oneof
	return cmd
}

func (s *Server) depsToPB(deps []state.DepLocation) []*pb.DepLocation {
	if len(deps) == 0 {
		return nil
	}
	out := make([]*pb.DepLocation, len(deps))
	backing := make([]pb.DepLocation, len(deps))
	for i, d := range deps {
		p := &backing[i]
		p.Key, p.Nbytes, p.Workers, p.Addresses = string(d.Key), d.NBytes, d.Workers, s.addresses(d.Workers)
		out[i] = p
	}
	return out
}

func (s *Server) toWorker(id string, cmd *pb.WorkerCommand) {
	if w := s.workerConn(id); w != nil {
		w.push(cmd)
	}
}

func (s *Server) toClient(id string, ev *pb.ClientEvent) {
	if c := s.clientConn(id); c != nil {
		c.out.Edit(func(b *pb.ClientEventBatch) { b.Events = append(b.Events, ev) })
	}
}

func coordReply(a *state.CoordReplied) *pb.CoordReply {
	r := &pb.CoordReply{Id: a.ID, Error: a.Err, Cancelled: a.Cancelled, Ok: a.OK, Meta: a.Meta, Lease: a.Lease,
		Size: int64(a.Size), Dropped: int64(a.Dropped), Names: a.Names}
	if it := a.Item; it.Data != nil || it.Key != "" || it.Type != "" {
		r.Item = &pb.CoordItem{Data: it.Data, Type: it.Type, Key: string(it.Key)}
	}
	for _, k := range a.Keys {
		r.Keys = append(r.Keys, string(k))
	}
	return r
}
