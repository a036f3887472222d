package worker

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// stopOnSignal watches for SIGTERM and SIGINT until ctx ends, for a worker
// that is its process. The first signal retires the worker that runs now
// (current) gracefully: it gets no new tasks and hands its data to other
// workers before it leaves; if that takes longer than grace, or a second
// signal arrives, stop is called. A worker not connected to a scheduler
// has nothing to hand over: stop is called at once.
func stopOnSignal(ctx context.Context, current *atomic.Pointer[Worker], grace time.Duration, stop func()) {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	go func() {
		defer signal.Stop(sig)
		select {
		case <-sig:
		case <-ctx.Done():
			return
		}
		w := current.Load()
		if w == nil || !w.connected.Load() {
			stop()
			return
		}
		w.Retire()
		select {
		case <-sig:
		case <-time.After(grace):
		case <-ctx.Done():
			return
		}
		stop()
	}()
}
