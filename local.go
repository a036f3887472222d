package dusk

import (
	"context"

	"github.com/dusk-go/dusk/cluster"
	"github.com/dusk-go/dusk/diagnostics/event"
)

// LocalCluster is the cluster that Connect(ctx, "") started: a scheduler
// and its workers in this process, or as processes of this binary
// (LocalProcesses). It ends with the client's Close.
type LocalCluster struct{ l *cluster.Local }

// Token returns the token the cluster requires: other clients and
// workers connect with it (Connect's Token option, dusk worker --token).
func (lc *LocalCluster) Token() string { return lc.l.Token() }

// PIDs returns the process ID of each worker process by worker name
// (empty for in-process workers). A worker restarted by its nanny has a
// new PID.
func (lc *LocalCluster) PIDs() map[string]int { return lc.l.PIDs() }

// Events returns the scheduler's ring of diagnostic events (transitions
// with their causes, task runs, transfers, spills, worker samples, log
// lines): the stream the dashboard and reports read.
func (lc *LocalCluster) Events() *event.Ring { return lc.l.Scheduler.Events() }

// Snapshot returns the scheduler's last published snapshot of its tasks
// and workers, at most a tick (100ms) old; it never waits for the
// scheduler.
func (lc *LocalCluster) Snapshot() *event.Snapshot { return lc.l.Scheduler.Snapshot() }

// Scale sets the number of workers to n: it starts more, or retires the
// idle workers holding the least data, whose data is handed to the others
// first (nothing is computed again). Busy workers are not retired: the
// cluster stays larger until they are idle and Scale is called again.
func (lc *LocalCluster) Scale(ctx context.Context, n int) error { return lc.l.Scale(ctx, n) }

// Adapt keeps the cluster between minimum and maximum workers, sized to
// its work (Dask's cluster.adapt): every second the scheduler says how
// many workers the running and queued tasks want for them to take about 5
// seconds (and twice the workers while their data fills more than 60% of
// their memory); more are started at once, and idle workers are retired
// gracefully after three recommendations in a row asked for fewer. A
// later Adapt replaces this one; StopAdapting ends it, and so does Close.
func (lc *LocalCluster) Adapt(minimum, maximum int) error {
	return lc.l.Adapt(cluster.AdaptOptions{Minimum: minimum, Maximum: maximum})
}

// StopAdapting ends Adapt; the workers stay as they are.
func (lc *LocalCluster) StopAdapting() { lc.l.StopAdapting() }
