package dusk

import (
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
