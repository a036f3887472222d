package worker

import (
	"context"
	"runtime/pprof"
	"time"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/worker/exec"
	wstate "github.com/dusk-go/dusk/worker/state"
)

// execute runs a task on a runner with a context of its own, and posts
// the outcome to the state machine. w.mu is held. A task that the runner
// reporting the previous one starts goes to that runner (w.tail): it
// takes it as soon as its report is done, where handing it to another
// goroutine cost a wake-up of that goroutine per task.
func (w *Worker) execute(t *graph.Task, thread int) {
	tc := newTaskContext(w.ctx, t.Key)
	if thread >= 0 {
		if thread >= len(w.running) {
			w.running = append(w.running, make([]*taskContext, thread+1-len(w.running))...)
		}
		w.running[thread] = tc
	}
	session := w.sessions.Load()
	w.inflight.add()
	job := func(r *runner) {
		defer w.inflight.done()
		// While a profile is recorded, the task's key prefix labels its
		// samples; the task's context carries the label too (pprof.Label
		// reads it).
		var ctx context.Context = tc
		if w.profiling.Load() > 0 {
			ctx = pprof.WithLabels(ctx, pprof.Labels("task", t.Key.Prefix()))
			pprof.SetGoroutineLabels(ctx)
			// The goroutine runs other tasks after this one.
			defer pprof.SetGoroutineLabels(context.Background())
		}
		// The task's inputs stay in memory while it runs: spilling them
		// would free nothing, as the task holds them. Those on disk are
		// read back first, so that the task's time and CPU are its
		// function's, not the disk's.
		refs := exec.Refs(nil, t.Args)
		unpin := w.store.Pin(refs...)
		w.store.Load(refs...)
		start := time.Now()
		m := w.taskCPU.begin(thread, start)
		res, err := w.run.Run(ctx, t.Func, t.Args)
		stop := time.Now()
		cpu, wait := w.taskCPU.end(thread, m, stop)
		unpin()
		tc.cancel(context.Canceled) // the run is over
		if w.sessions.Load() != session {
			// Its scheduler was lost and the session it belongs to
			// ended without waiting for it: nobody wants its result.
			return
		}
		ev := &wstate.Executed{Key: t.Key, Thread: thread, Start: start, Stop: stop, Err: err, CPU: cpu, Wait: wait}
		if err == nil {
			ev.NBytes, ev.Type = w.store.Put(t.Key, res)
			w.mem.SpillToTarget() // before the thread takes the next task
		}
		w.handleRun(r, ev)
	}
	if r := w.tail; r != nil && r.next == nil {
		r.next = job
		return
	}
	w.runners.run(job)
}

// handleRun is handle for the runner r reporting its task's run: a task
// the report lets start is left to r (see execute).
func (w *Worker) handleRun(r *runner, ev wstate.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.st == nil {
		return // not connected
	}
	w.st.Handle(ev)
	w.tail = r
	defer func() { w.tail = nil }()
	w.carryOut()
}

// cancelRun cancels the context of the run of key k on thread, if that
// run is the last one started there. w.mu is held.
func (w *Worker) cancelRun(k graph.Key, thread int) {
	if thread >= 0 && thread < len(w.running) {
		if tc := w.running[thread]; tc != nil && tc.key == k {
			tc.cancel(context.Canceled)
		}
	}
}

// cancelRuns cancels the context of every run. w.mu is held.
func (w *Worker) cancelRuns() {
	for _, tc := range w.running {
		if tc != nil {
			tc.cancel(context.Canceled)
		}
	}
	clear(w.running)
}
