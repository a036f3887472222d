package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/dusk-go/dusk/wire"
)

// SchedulerError is a worker that could not reach its scheduler, or lost
// it: not the worker's fault, so Serve connects a fresh worker again.
type SchedulerError struct{ Err error }

func (e *SchedulerError) Error() string { return e.Err.Error() }
func (e *SchedulerError) Unwrap() error { return e.Err }

// schedulerError explains err (no gRPC jargon) as a *SchedulerError.
func (w *Worker) schedulerError(err error) error {
	return &SchedulerError{Err: wire.Explain(err, "scheduler "+w.opts.Scheduler)}
}

// lostScheduler is schedulerError for a connection that ended.
func (w *Worker) lostScheduler(err error) error {
	return &SchedulerError{Err: fmt.Errorf("lost the connection: %w", wire.Explain(err, "scheduler "+w.opts.Scheduler))}
}

// ErrDeathTimeout is returned by Serve when the scheduler stayed out of
// reach for longer than the death timeout.
var ErrDeathTimeout = errors.New("dusk: the scheduler stayed out of reach past the worker's death timeout; the worker gives up")

// Reconnections after a lost or unreachable scheduler wait between
// reconnectMin and reconnectMax, doubling, with jitter.
const (
	reconnectMin = 200 * time.Millisecond
	reconnectMax = 10 * time.Second
)

// ServeOptions configure Serve.
type ServeOptions struct {
	// DeathTimeout is how long the scheduler may stay out of reach (not
	// there, refusing the token, or lost) before the worker gives up with
	// ErrDeathTimeout; 0 never gives up.
	DeathTimeout time.Duration
	// Grace is how long a worker told to stop (SIGTERM) may take to hand
	// its data over (Process only).
	Grace time.Duration
	// Logger receives what Serve says (once per outage).
	Logger *slog.Logger
	// Process is for a worker that is its process (under a nanny): the
	// first SIGTERM or SIGINT retires the worker gracefully (it hands its
	// data to other workers first; one not connected stops at once), and
	// a restart the scheduler asks for ends Serve with ErrRestart, for the
	// nanny to start a fresh process. Otherwise (workers inside another
	// program) a fresh worker replaces the old one in the process.
	Process bool
	// Lifetime, if above 0, is how long the worker lives before it
	// retires gracefully, as on SIGTERM; LifetimeStagger moves it by a
	// random amount up to that much either way, so that workers started
	// together leave at different times. Serve then returns nil, or
	// ErrRestart if LifetimeRestart (for a nanny to start a fresh one).
	Lifetime        time.Duration
	LifetimeStagger time.Duration
	LifetimeRestart bool
}

// Serve runs workers made by newWorker, one after another, until one ends
// for good: it returns nil when the worker closed or was told to stop,
// *RefusedError when the scheduler refused it, ErrDeathTimeout, ErrRestart
// (for a Process: the nanny starts a fresh one), or the error of a worker
// that failed on its own. A worker the scheduler asks to restart is
// otherwise replaced at once. When the scheduler cannot be reached, or is
// lost, the same worker connects again with back-off, at the same address
// and with the results it holds, which it registers with the scheduler: a
// scheduler started again after it died recovers them instead of
// computing them again. A scheduler outage is not a crash. An outage is
// logged once, when it begins.
func Serve(ctx context.Context, newWorker func() (*Worker, error), o ServeOptions) (err error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	var outage time.Time // when the scheduler went out of reach; zero while in reach
	wait := reconnectMin
	var w *Worker // kept through an outage
	// What a lost scheduler left running (Run keeps it for the next
	// attempt) stops when Serve gives up.
	defer func() {
		if w != nil && w.live {
			w.stop()
		}
	}()
	var current atomic.Pointer[Worker]
	var expired atomic.Bool // the lifetime ended
	if o.Process || o.Lifetime > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithCancel(ctx)
		defer stop()
		retireWhenTold(ctx, &current, o.Grace, stop, o.Process, staggered(o.Lifetime, o.LifetimeStagger), &expired)
	}
	// A worker whose lifetime ended leaves (nil) or, with LifetimeRestart,
	// asks its nanny for a fresh process (ErrRestart); a retired worker
	// ends with nil, one that was not connected with its last connection
	// error, after ctx was cancelled.
	defer func() {
		if expired.Load() && (err == nil || ctx.Err() != nil) {
			err = nil
			if o.LifetimeRestart {
				err = ErrRestart
			}
		}
	}()
	for {
		if w == nil {
			var err error
			if w, err = newWorker(); err != nil {
				return err
			}
			w.keep = true
			current.Store(w)
		}
		began := time.Now()
		err := w.Run(ctx)
		var se *SchedulerError
		switch {
		case errors.Is(err, ErrRestart) && ctx.Err() == nil && !o.Process:
			w = nil
			continue
		case !errors.As(err, &se):
			return err
		case ctx.Err() != nil:
			return err
		}
		if w.connected.Load() || time.Since(began) > time.Minute {
			// It was connected: a new outage.
			outage, wait = time.Time{}, reconnectMin
		}
		if outage.IsZero() {
			outage = time.Now()
			msg := "no scheduler to work for; trying again, with back-off"
			if o.DeathTimeout > 0 {
				msg = fmt.Sprintf("%s, for up to %s (--death-timeout)", msg, o.DeathTimeout)
			}
			log.Warn(msg, "err", err)
		}
		if o.DeathTimeout > 0 && time.Since(outage) > o.DeathTimeout {
			log.Error("giving up: the scheduler stayed out of reach", "for", time.Since(outage).Round(time.Second), "err", err)
			return ErrDeathTimeout
		}
		// Jitter spreads the reconnections of many workers.
		d := time.Duration(float64(wait) * (0.5 + rand.Float64()))
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return nil
		}
		wait = min(2*wait, reconnectMax)
	}
}

// ProcessServeOptions returns the ServeOptions of a worker that is its
// process (under a nanny), from its options: death timeout, lifetime, and
// 30 seconds to hand its data over when told to stop.
func ProcessServeOptions(o Options, log *slog.Logger) ServeOptions {
	return ServeOptions{
		DeathTimeout: o.DeathTimeout, Grace: 30 * time.Second, Logger: log, Process: true,
		Lifetime: o.Lifetime, LifetimeStagger: o.LifetimeStagger, LifetimeRestart: o.LifetimeRestart,
	}
}
