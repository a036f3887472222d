package task

import "context"

// WorkerInfo describes the worker a plugin is installed on.
type WorkerInfo struct {
	ID          string
	Address     string
	Name        string
	NThreads    int
	Resources   map[string]float64
	MemoryLimit int64
}

// Plugin is code installed on every worker (Client.RegisterWorkerPlugin):
// Setup runs when it is installed on a worker, before the worker takes any
// task; an error from Setup refuses the worker, which leaves the cluster
// with that error. Plugin types are registered by name so that workers can
// build them (dusk.RegisterPlugin).
type Plugin interface {
	Setup(ctx context.Context, w *WorkerInfo) error
}

// Teardowner is a Plugin that also cleans up when its worker closes or a
// plugin registered under the same name replaces it. If a plugin does not
// implement it, nothing runs then.
type Teardowner interface {
	Teardown(ctx context.Context, w *WorkerInfo) error
}
