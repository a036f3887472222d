package dusk

import (
	"runtime"
	"runtime/debug"

	"github.com/dusk-go/dusk/worker/store"
)

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
var WorkerGC = Register("dusk.worker-gc", collectGarbage)

// FreedMemory is what WorkerGC freed on a worker.
type FreedMemory struct {
	// Heap is the drop of the Go heap (bytes of live and unswept objects);
	// Process the drop of the process's memory as the OS counts it, which
	// is what the worker compares with its thresholds. Either may be
	// negative when tasks allocated meanwhile.
	Heap    int64
	Process int64
	// HeapAfter and ProcessAfter are the sizes after the collection.
	HeapAfter    int64
	ProcessAfter int64
}

// collectGarbage runs Go's garbage collector and returns the memory it
// freed to the OS (runtime.GC, then debug.FreeOSMemory), and reports how
// much that freed.
func collectGarbage() FreedMemory {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	procBefore, _ := store.ProcessMemory(0)
	runtime.GC()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&after)
	procAfter, _ := store.ProcessMemory(0)
	return FreedMemory{
		Heap:         int64(before.HeapAlloc) - int64(after.HeapAlloc),
		Process:      procBefore - procAfter,
		HeapAfter:    int64(after.HeapAlloc),
		ProcessAfter: procAfter,
	}
}
