package worker

import (
	"context"
	"runtime/pprof"
	"time"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/worker/exec"
	wstate "github.com/dusk-go/dusk/worker/state"
)

// execute runs a task on its own goroutine with a cancellable context, and
// posts the outcome to the loop. w.mu is held.
func (w *Worker) execute(t *graph.Task, thread int) {
	ctx, cancel := context.WithCancel(w.ctx)
	w.execMu.Lock()
	w.cancels[t.Key] = cancel
	w.execMu.Unlock()
	session := w.sessions.Load()
	w.inflight.add()
	w.runners.run(func() {
		defer w.inflight.done()
		// While a profile is recorded, the task's key prefix labels its
		// samples; the task's context carries the label too (pprof.Label
		// reads it).
		ctx := ctx
		if w.profiling.Load() > 0 {
			ctx = pprof.WithLabels(ctx, pprof.Labels("task", t.Key.Prefix()))
			pprof.SetGoroutineLabels(ctx)
			// The goroutine runs other tasks after this one.
			defer pprof.SetGoroutineLabels(context.Background())
		}
		// The task's inputs stay in memory while it runs: spilling them
		// would free nothing, as the task holds them.
		unpin := w.store.Pin(exec.Refs(nil, t.Args)...)
		start := time.Now()
		m := w.taskCPU.begin(thread, start)
		res, err := w.run.Run(ctx, t.Func, t.Args)
		stop := time.Now()
		cpu, wait := w.taskCPU.end(thread, m, stop)
		unpin()
		if w.sessions.Load() != session {
			// Its scheduler was lost and the session it belongs to
			// ended without waiting for it: nobody wants its result.
			cancel()
			return
		}
		ev := &wstate.Executed{Key: t.Key, Thread: thread, Start: start, Stop: stop, Err: err, CPU: cpu, Wait: wait}
		if err == nil {
			ev.NBytes, ev.Type = w.store.Put(t.Key, res)
			w.mem.SpillToTarget() // before the thread takes the next task
		}
		w.execMu.Lock()
		delete(w.cancels, t.Key)
		w.execMu.Unlock()
		cancel()
		w.handle(ev)
	})
}
