package worker

import (
	"runtime"
	"runtime/debug"
)

// FreedMemory is what a garbage collection gave back.
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

// CollectGarbage runs Go's garbage collector and returns the memory it
// freed to the OS (runtime.GC, then debug.FreeOSMemory), and reports how
// much that freed. Run on every worker through dusk.WorkerGC, it is the
// guide's remedy for unmanaged memory that has not been given back yet.
func CollectGarbage() FreedMemory {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	procBefore, _ := ProcessMemory(0)
	runtime.GC()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&after)
	procAfter, _ := ProcessMemory(0)
	return FreedMemory{
		Heap:         int64(before.HeapAlloc) - int64(after.HeapAlloc),
		Process:      procBefore - procAfter,
		HeapAfter:    int64(after.HeapAlloc),
		ProcessAfter: procAfter,
	}
}
