package worker

import (
	"context"
	"errors"
	"time"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/registry"
	"github.com/dusk-go/dusk/task"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
	"github.com/dusk-go/dusk/worker/exec"
	wstate "github.com/dusk-go/dusk/worker/state"
)

// commands applies a batch from the scheduler. done is true when the
// worker must stop, with the error Run returns.
func (w *Worker) commands(ctx context.Context, b *pb.WorkerCommandBatch) (done bool, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	defer w.carryOut()
	// The free column holds keys freed after the last command.
	defer func() {
		if free := b.GetFree(); len(free) > 0 && !done {
			w.st.Handle(&wstate.Free{Keys: wire.GraphKeys(free)})
		}
	}()
	for _, c := range b.GetCmds() {
		switch x := c.GetCmd().(type) {
		case *pb.WorkerCommand_Compute:
			ct := x.Compute
			t, err := wire.DecodeTask(ct.GetTask())
			if err != nil {
				w.log.Error("bad task from the scheduler", "err", err)
				continue
			}
			w.st.Handle(&wstate.Compute{Task: t, Priority: wire.PriorityFromPB(ct.GetPriority()), Deps: depsFromPB(ct.GetDeps()), Handle: ct.GetHandle()})
		case *pb.WorkerCommand_Free:
			w.st.Handle(&wstate.Free{Keys: wire.GraphKeys(x.Free.GetKeys())})
		case *pb.WorkerCommand_Steal:
			w.st.Handle(&wstate.Steal{Key: graph.Key(x.Steal.GetKey())})
		case *pb.WorkerCommand_Acquire:
			w.st.Handle(&wstate.Acquire{Deps: depsFromPB(x.Acquire.GetDeps())})
		case *pb.WorkerCommand_Plugin:
			p := x.Plugin
			go func() {
				res := &pb.PluginResult{Name: p.GetName()}
				if err := w.installPlugin(ctx, p.GetName(), p.GetConfig()); err != nil {
					res.Error = err.Error()
					w.log.Warn("plugin refused this worker", "plugin", p.GetName(), "err", err)
				}
				w.send(&pb.WorkerMsg{Msg: &pb.WorkerMsg_Plugin{Plugin: res}})
			}()
		case *pb.WorkerCommand_Close:
			w.log.Info("closing at the scheduler's request", "reason", x.Close.GetReason())
			return true, nil
		case *pb.WorkerCommand_Restart:
			w.log.Info("restarting at the scheduler's request", "reason", x.Restart.GetReason())
			return true, ErrRestart
		case *pb.WorkerCommand_Refuse:
			return true, &RefusedError{Reason: x.Refuse.GetReason()}
		}
	}
	return false, nil
}

func depsFromPB(ps []*pb.DepLocation) []wstate.Dep {
	if len(ps) == 0 {
		return nil
	}
	out := make([]wstate.Dep, len(ps))
	for i, p := range ps {
		peers := p.GetAddresses()
		if len(peers) == 0 {
			peers = p.GetWorkers()
		}
		out[i] = wstate.Dep{Key: graph.Key(p.GetKey()), NBytes: p.GetNbytes(), Peers: peers}
	}
	return out
}

// carryOut carries out what the state machine decided since the last
// time, and acknowledges it. w.mu must be held.
func (w *Worker) carryOut() {
	out := w.st.Ready()
	w.act(out.Instructions)
	w.st.Advance()
}

// act carries out the state machine's instructions. The reports of tasks
// started and finished go to the outbox together, in one edit, before the
// other messages (a task's report and the next task's start came in two
// edits, each taking the outbox's lock).
func (w *Worker) act(ins []wstate.Instruction) {
	var msgs []*pb.WorkerMsg
	var reps []wstate.Instruction
	for _, in := range ins {
		switch i := in.(type) {
		case *wstate.Execute:
			w.execute(i.Task, i.Thread)
		case *wstate.CancelTask:
			w.cancelRun(i.Key, i.Thread)
		case *wstate.FetchFrom:
			w.inflight.add()
			go w.fetch(w.ctx, w.sessions.Load(), i.Peer, i.Keys)
		case *wstate.Drop:
			w.store.Delete(i.Keys...)
			w.actors.release(i.Keys)
		case *wstate.Started, *wstate.Finished:
			reps = append(reps, in)
		case *wstate.Failed:
			msgs = append(msgs, &pb.WorkerMsg{Msg: &pb.WorkerMsg_Failed{Failed: &pb.TaskFailed{Key: string(i.Key),
				Error: w.taskError(i.Key, i.Err), Thread: int32(i.Thread), StartNs: nanos(i.Start), StopNs: nanos(i.Stop), Handle: i.Handle}}})
		case *wstate.Added:
			a := &pb.KeysAdded{}
			for _, k := range i.Keys {
				a.Keys = append(a.Keys, string(k.Key))
				a.Nbytes = append(a.Nbytes, k.NBytes)
			}
			msgs = append(msgs, &pb.WorkerMsg{Msg: &pb.WorkerMsg_Added{Added: a}})
		case *wstate.Missing:
			msgs = append(msgs, &pb.WorkerMsg{Msg: &pb.WorkerMsg_Missing{Missing: &pb.DataMissing{Task: string(i.Task), Key: string(i.Key), Tried: i.Tried}}})
		case *wstate.Rejected:
			msgs = append(msgs, &pb.WorkerMsg{Msg: &pb.WorkerMsg_Rejected{Rejected: &pb.TaskRejected{Key: string(i.Key), Handle: i.Handle}}})
		case *wstate.StealReply:
			msgs = append(msgs, &pb.WorkerMsg{Msg: &pb.WorkerMsg_Steal{Steal: &pb.StealReply{Key: string(i.Key), Stolen: i.Stolen}}})
		}
	}
	if len(reps) > 0 || len(msgs) > 0 {
		w.outbox().Edit(func(b *pb.WorkerBatch) {
			for _, in := range reps {
				addReport(b, in)
			}
			b.Msgs = append(b.Msgs, msgs...)
		})
	}
}

// addReport adds the report of a task started or finished to b's columns.
func addReport(b *pb.WorkerBatch, in wstate.Instruction) {
	r := reports(b)
	switch i := in.(type) {
	case *wstate.Started:
		r.Started = append(r.Started, string(i.Key))
		r.StartedThread = append(r.StartedThread, int32(i.Thread))
		r.StartedHandle = append(r.StartedHandle, i.Handle)
	case *wstate.Finished:
		r.Finished = append(r.Finished, string(i.Key))
		r.Nbytes = append(r.Nbytes, i.NBytes)
		r.Type = append(r.Type, i.Type)
		r.Thread = append(r.Thread, int32(i.Thread))
		r.StartNs = append(r.StartNs, nanos(i.Start))
		r.StopNs = append(r.StopNs, nanos(i.Stop))
		r.CpuNs = append(r.CpuNs, int64(i.CPU))
		r.WaitNs = append(r.WaitNs, int64(i.Wait))
		r.Handle = append(r.Handle, i.Handle)
	}
}

func reports(b *pb.WorkerBatch) *pb.TaskReports {
	if b.Reports == nil {
		b.Reports = &pb.TaskReports{}
	}
	return b.Reports
}

func (w *Worker) taskError(k graph.Key, err error) *pb.TaskError {
	p := &task.TaskError{Kind: task.ErrTask, Key: string(k), Worker: w.ID(), Message: err.Error()}
	// A fused task reports the step that failed, as the task it was.
	var step *exec.StepError
	if errors.As(err, &step) {
		p.Key, p.Func, p.Message = string(step.Key), step.Func, step.Err.Error()
		err = step.Err
	}
	var panicked *registry.PanicError
	var unknown *exec.UnknownFuncError
	switch {
	case errors.As(err, &unknown):
		p.Kind = task.ErrUnknownFunc
		p.Func = unknown.Func
	case errors.As(err, &panicked):
		p.Kind = task.ErrPanic
		p.Func = panicked.Func
		p.Stack = panicked.Stack
	}
	return wire.TaskErrorToPB(p)
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
