package dusk

import "github.com/dusk-go/dusk/worker"

// FreedMemory is what WorkerGC freed on a worker.
type FreedMemory = worker.FreedMemory

// WorkerGC is a built-in function that runs Go's garbage collector on a
// worker and returns the memory it freed to the OS, reporting the bytes
// freed: the guide's worker garbage collection, for unmanaged memory that
// has not been given back yet. Call it on every worker with Run:
//
//	freed, err := dusk.Run[dusk.FreedMemory](ctx, c, dusk.WorkerGC)
//
// In-process workers share the program's process: each call collects the
// whole process. Workers collect on their own too (Go's collector runs
// against a soft limit set from the worker's memory limit); this is for
// when you want the memory back now.
var WorkerGC = Register("dusk.worker-gc", worker.CollectGarbage)
