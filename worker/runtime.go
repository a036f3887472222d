package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"

	"github.com/dusk-go/dusk/task"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
	"github.com/dusk-go/dusk/worker/store"
)

// taskRuntime is the worker's task.Runtime: what a running task can reach of
// it (task.FromContext).
type taskRuntime struct{ w *Worker }

var _ task.Runtime = (*taskRuntime)(nil)

func (r *taskRuntime) Address() string { return r.w.addr }

func (r *taskRuntime) ID() string { return r.w.ID() }

func (r *taskRuntime) NThreads() int { return r.w.opts.NThreads }

func (r *taskRuntime) MemoryLimit() int64 { return r.w.opts.MemoryLimit }

func (r *taskRuntime) Logger() *slog.Logger { return r.w.log }

func (r *taskRuntime) Dir() (string, error) { return r.w.scratchDir() }

func (r *taskRuntime) Scheduler() (task.SchedulerConn, error) {
	sec, err := r.w.opts.Security.Resolve()
	if err != nil {
		return task.SchedulerConn{}, err
	}
	return task.SchedulerConn{Address: r.w.opts.Scheduler, Token: sec.Token, CertFile: sec.CertFile, KeyFile: sec.KeyFile, CAFile: sec.CAFile}, nil
}

func (r *taskRuntime) Extension(name string) (task.Extension, error) { return r.w.extension(name) }

func (r *taskRuntime) Deliver(ctx context.Context, peer, extension string, msgs []task.Message) error {
	w := r.w
	if peer == w.addr {
		ext, err := w.extension(extension)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if err := ext.Receive(ctx, m.Topic, m.Data); err != nil {
				return err
			}
		}
		return nil
	}
	cli, err := w.peers.Client(peer)
	if err != nil {
		return err
	}
	stream, err := cli.Deliver(ctx)
	if err != nil {
		return wire.Explain(err, "worker "+peer)
	}
	var sent int64
	for _, m := range msgs {
		if err := stream.Send(&pb.ExtensionMsg{Extension: extension, Topic: m.Topic, Data: m.Data}); err != nil {
			return wire.Explain(wire.StreamError(err, stream.RecvMsg), "worker "+peer)
		}
		sent += int64(len(m.Data))
	}
	reply, err := stream.CloseAndRecv()
	if err != nil {
		return wire.Explain(err, "worker "+peer)
	}
	if reply.GetError() != "" {
		return fmt.Errorf("dusk: extension %s on worker %s: %s", extension, peer, reply.GetError())
	}
	w.bytesOut.Add(sent)
	return nil
}

// extensions holds a worker's extension instances.
type extensions struct {
	mu   sync.Mutex // protects m
	m    map[string]task.Extension
	errs map[string]error
}

func (w *Worker) extension(name string) (task.Extension, error) {
	w.exts.mu.Lock()
	defer w.exts.mu.Unlock()
	if e, ok := w.exts.m[name]; ok {
		return e, nil
	}
	if err, ok := w.exts.errs[name]; ok {
		return nil, err
	}
	f, ok := w.reg.Extension(name)
	if !ok {
		return nil, fmt.Errorf("dusk: worker extension %q is not registered in worker %s's binary", name, w.addr)
	}
	factory, ok := f.(task.ExtensionFactory)
	if !ok {
		return nil, fmt.Errorf("dusk: worker extension %q was registered with a %T, not a task.ExtensionFactory", name, f)
	}
	e, err := factory(&taskRuntime{w: w})
	if err != nil {
		err = fmt.Errorf("dusk: starting worker extension %q: %w", name, err)
		if w.exts.errs == nil {
			w.exts.errs = map[string]error{}
		}
		w.exts.errs[name] = err
		return nil, err
	}
	if w.exts.m == nil {
		w.exts.m = map[string]task.Extension{}
	}
	w.exts.m[name] = e
	return e, nil
}

func (w *Worker) closeExtensions() {
	w.exts.mu.Lock()
	defer w.exts.mu.Unlock()
	for name, e := range w.exts.m {
		if c, ok := e.(io.Closer); ok {
			if err := c.Close(); err != nil {
				w.log.Warn("closing extension", "extension", name, "err", err)
			}
		}
	}
	w.exts.m, w.exts.errs = nil, nil
}

// scratchDir returns the worker's scratch directory, creating it.
func (w *Worker) scratchDir() (string, error) {
	w.dirMu.Lock()
	defer w.dirMu.Unlock()
	if w.dir != "" {
		return w.dir, nil
	}
	if d := w.opts.Directory; d != "" {
		// Made and locked by the nanny: this process holds the lock too,
		// so that the directory outlives neither.
		wd, err := store.JoinWorkDir(d)
		if err != nil {
			return "", err
		}
		w.dir, w.ownDir = d, wd
		return d, nil
	}
	base := w.opts.LocalDirectory
	if base == "" {
		base = os.TempDir()
	}
	d, err := store.NewWorkDir(base, w.log)
	if err != nil {
		return "", err
	}
	w.dir, w.ownDir = d.Path(), d
	return d.Path(), nil
}

// removeScratch removes the worker's directory (which its nanny also does,
// if it made it).
func (w *Worker) removeScratch() {
	w.dirMu.Lock()
	defer w.dirMu.Unlock()
	if w.dir == "" {
		return
	}
	var err error
	if w.ownDir != nil {
		err = w.ownDir.Remove()
	} else {
		err = os.RemoveAll(w.dir)
	}
	if err != nil {
		w.log.Warn("removing the worker directory", "dir", w.dir, "err", err)
	}
	w.dir, w.ownDir = "", nil
}

// Deliver receives messages for an extension from a peer.
func (d *dataService) Deliver(stream pb.Worker_DeliverServer) error {
	w := d.w
	var n int64
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&pb.ExtensionReply{Messages: n})
		}
		if err != nil {
			return err
		}
		ext, err := w.extension(m.GetExtension())
		if err == nil {
			err = ext.Receive(stream.Context(), m.GetTopic(), m.GetData())
		}
		if err != nil {
			return stream.SendAndClose(&pb.ExtensionReply{Messages: n, Error: err.Error()})
		}
		w.bytesIn.Add(int64(len(m.GetData())))
		n++
	}
}
