package worker

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// RunUntilSignal runs w until it ends on its own or the process is told to
// stop. The first SIGTERM or SIGINT retires the worker gracefully: it gets
// no new tasks and hands its data to other workers before it leaves. If
// that takes longer than grace, or a second signal arrives, it stops at
// once.
func RunUntilSignal(ctx context.Context, w *Worker, grace time.Duration) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(sig)
	go func() {
		select {
		case <-sig:
		case <-ctx.Done():
			return
		}
		w.Retire()
		select {
		case <-sig:
		case <-time.After(grace):
		case <-ctx.Done():
			return
		}
		cancel()
	}()
	return w.Run(ctx)
}
