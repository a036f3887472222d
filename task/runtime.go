package task

import (
	"context"
	"log/slog"
)

// Runtime is what a running task can reach of the worker it runs on: its
// identity, limits, scratch directory, and extensions, local and on peers.
// Get it with FromContext inside a task's function. It is safe for
// concurrent use.
type Runtime interface {
	// Address returns where peers reach the worker.
	Address() string
	// ID returns the worker's ID at the scheduler.
	ID() string
	// NThreads returns the worker's number of threads.
	NThreads() int
	// MemoryLimit returns the worker's memory limit in bytes (0: none).
	MemoryLimit() int64
	// Logger returns the worker's logger.
	Logger() *slog.Logger
	// Dir returns a scratch directory of this worker (for extensions
	// that spill); it is created on first use and removed when the
	// worker closes.
	Dir() (string, error)
	// Extension returns this worker's instance of the named extension,
	// building it on first use.
	Extension(name string) (Extension, error)
	// Deliver sends messages to the named extension on the worker at peer
	// (or on this worker, without a network hop) and returns once the
	// extension received them all.
	Deliver(ctx context.Context, peer, extension string, msgs []Message) error
	// Scheduler returns how this worker reaches its scheduler, for code
	// in a task that connects to it as a client (dusk.TaskClient).
	Scheduler() (SchedulerConn, error)
}

// SchedulerConn is how a worker reaches its scheduler: its address and
// the credentials the worker presents.
type SchedulerConn struct {
	// Address is the scheduler's address, as the worker was given it.
	Address string
	// Token is the scheduler's token.
	Token string
	// CertFile, KeyFile and CAFile are the worker's mutual TLS files
	// (all empty without TLS).
	CertFile, KeyFile, CAFile string
}

type runtimeKey struct{}

// NewContext returns a copy of ctx that carries rt: the worker runs its
// tasks under such a context.
func NewContext(ctx context.Context, rt Runtime) context.Context {
	return context.WithValue(ctx, runtimeKey{}, rt)
}

// FromContext returns the Runtime of the worker running the task whose
// context ctx is; false outside a task.
func FromContext(ctx context.Context) (Runtime, bool) {
	rt, ok := ctx.Value(runtimeKey{}).(Runtime)
	return rt, ok
}
