package worker

import (
	"context"
	"math/rand/v2"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// retireWhenTold retires the worker that runs now (current) gracefully
// when told so: by the first SIGTERM or SIGINT (if signals: a worker that
// is its process), or when lifetime (if above 0) has passed, which it
// marks in expired. The worker gets no new tasks and hands its data to
// other workers before it leaves; if that takes longer than grace, or a
// signal arrives, stop is called. A worker not connected to a scheduler
// has nothing to hand over: stop is called at once. It watches until ctx
// ends.
func retireWhenTold(ctx context.Context, current *atomic.Pointer[Worker], grace time.Duration, stop func(),
	signals bool, lifetime time.Duration, expired *atomic.Bool) {
	sig := make(chan os.Signal, 2)
	if signals {
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	}
	var end <-chan time.Time
	if lifetime > 0 {
		t := time.NewTimer(lifetime)
		end = t.C
		context.AfterFunc(ctx, func() { t.Stop() })
	}
	go func() {
		defer signal.Stop(sig)
		select {
		case <-sig:
		case <-end:
			expired.Store(true)
			if w := current.Load(); w != nil {
				w.log.Info("retiring: the worker's lifetime ended", "lifetime", lifetime.Round(time.Second))
			}
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

// staggered returns lifetime moved by a random amount up to stagger
// either way (never below a second).
func staggered(lifetime, stagger time.Duration) time.Duration {
	if lifetime <= 0 || stagger <= 0 {
		return lifetime
	}
	d := lifetime + time.Duration((2*rand.Float64()-1)*float64(stagger))
	return max(d, time.Second)
}
