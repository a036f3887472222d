package worker

import (
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/internal/gcfloor"
	"github.com/dusk-go/dusk/wire/pb"
	"github.com/dusk-go/dusk/worker/nanny"
	wstate "github.com/dusk-go/dusk/worker/state"
	"github.com/dusk-go/dusk/worker/store"
)

// startMemory prepares the worker's memory management before it connects:
// the spill directory, when the worker has a limit to keep to, and Go's
// soft memory limit, when the worker is alone in its process.
func (w *Worker) startMemory() error {
	if w.opts.OwnsProcess {
		if r := nanny.ReporterFromEnv(); r != nil {
			w.mem.Report = r.Report
		}
	}
	if w.opts.OwnsProcess {
		gcfloor.Start(w.opts.GCHeapFloor) // for the process's life
	}
	limit := w.opts.MemoryLimit
	if limit <= 0 {
		return nil
	}
	dir, err := w.scratchDir()
	if err != nil {
		return err
	}
	d, err := store.NewSpillDir(filepath.Join(dir, "spill"), w.opts.MaxSpill)
	if err != nil {
		return err
	}
	w.store.SpillTo(d, w.opts.Thresholds.TargetBytes(limit))
	w.log.Debug("spilling to disk", "dir", d.Dir(), "direct-io", d.DirectIO())
	if w.opts.OwnsProcess && os.Getenv("GOMEMLIMIT") == "" {
		if soft := w.opts.Thresholds.GoMemoryLimit(limit); soft > 0 {
			debug.SetMemoryLimit(soft)
			w.log.Debug("set Go's soft memory limit", "GOMEMLIMIT", config.FormatBytes(soft), "limit", config.FormatBytes(limit))
		}
	}
	return nil
}

// pauseChanged is called by the memory monitor when the worker must pause
// or may resume: the state machine stops or resumes starting tasks and
// fetches, and the scheduler hears of it at once, so that it moves
// unstarted tasks elsewhere.
func (w *Worker) pauseChanged(paused bool, s store.MemorySample) {
	w.handle(&wstate.Pause{Paused: paused})
	w.sendHeartbeat(s)
}

// Memory returns the worker's last memory measure.
func (w *Worker) Memory() store.MemorySample { return w.mem.Latest() }

// SpillDirectory returns the directory the worker spills to, or "" when it
// does not spill (it has no memory limit).
func (w *Worker) SpillDirectory() string { return w.store.SpillDirectory() }

// heartbeatOf is the heartbeat message reporting a memory sample.
func heartbeatOf(s store.MemorySample) *pb.Heartbeat {
	return &pb.Heartbeat{
		Managed: s.Managed, Unmanaged: s.Unmanaged, Spilled: s.Spilled, Paused: s.Paused,
		Process: s.Process, UnmanagedRecent: s.UnmanagedRecent, SpilledDisk: s.Disk,
		SpilledKeys: int64(s.SpilledKeys), MemoryLimit: s.Limit, SpillFailed: s.SpillFailed,
	}
}

// spillReported tells the scheduler of a value written to or read from the
// spill directory: an event for the dashboard, the performance report and
// the metrics.
func (w *Worker) spillReported(e store.SpillEvent) {
	w.send(&pb.WorkerMsg{Msg: &pb.WorkerMsg_Spill{Spill: &pb.SpillDone{Key: string(e.Key), Nbytes: e.Bytes,
		StartNs: e.Start.UnixNano(), StopNs: e.Stop.UnixNano(), Unspill: e.Back}}})
}
