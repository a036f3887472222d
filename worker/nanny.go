package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"time"
)

// Exit codes a worker process uses to tell its nanny what to do next.
const (
	// ExitClosed: the worker closed normally; do not start another.
	ExitClosed = 0
	// ExitRestart: the scheduler asked for a fresh worker.
	ExitRestart = 3
	// ExitRefused: the scheduler refused the worker; starting another
	// would fail the same way.
	ExitRefused = 4
)

// Nanny supervises a worker process: it starts it, starts a fresh one when
// it asks for a restart or dies, and stops it when its context ends.
type Nanny struct {
	// Command builds the worker process's command; it is called for every
	// start.
	Command func(ctx context.Context) *exec.Cmd
	// Name names the worker in logs.
	Name string
	// Logger receives the nanny's log; nil means slog.Default().
	Logger *slog.Logger
	// MaxRestarts bounds restarts after crashes in a row (default 10); a
	// worker that keeps dying is given up on.
	MaxRestarts int
	// Started is called with the PID of every process started (optional).
	Started func(pid int)
}

// ErrGaveUp is returned by Nanny.Run when the worker died too often.
var ErrGaveUp = errors.New("dusk: the worker process kept dying; the nanny gave up")

// Run supervises until ctx ends (nil), the worker closes normally (nil), it
// is refused (*RefusedError), or it crashes too often (ErrGaveUp).
func (n *Nanny) Run(ctx context.Context) error {
	log := n.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "nanny", "worker", n.Name)
	maxCrashes := n.MaxRestarts
	if maxCrashes <= 0 {
		maxCrashes = 10
	}
	crashes := 0
	for {
		cmd := n.Command(ctx)
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
		cmd.WaitDelay = 10 * time.Second
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("dusk: starting worker process %s: %w", cmd.Path, err)
		}
		if n.Started != nil {
			n.Started(cmd.Process.Pid)
		}
		began := time.Now()
		err := cmd.Wait()
		if ctx.Err() != nil {
			return nil
		}
		code := cmd.ProcessState.ExitCode()
		switch code {
		case ExitClosed:
			log.Info("worker process closed")
			return nil
		case ExitRestart:
			log.Info("restarting worker process")
			crashes = 0
			continue
		case ExitRefused:
			return &RefusedError{Reason: "see the worker's log"}
		}
		if time.Since(began) > time.Minute {
			crashes = 0
		}
		crashes++
		log.Warn("worker process died; starting a new one", "exit", code, "err", err, "crashes", crashes)
		if crashes > maxCrashes {
			return ErrGaveUp
		}
		select {
		case <-time.After(time.Duration(crashes) * 100 * time.Millisecond):
		case <-ctx.Done():
			return nil
		}
	}
}

// Supervise runs in-process workers made by newWorker one after another:
// a fresh one whenever the scheduler asks for a restart. It returns when a
// worker ends for any other reason.
func Supervise(ctx context.Context, newWorker func() (*Worker, error)) error {
	for {
		w, err := newWorker()
		if err != nil {
			return err
		}
		err = w.Run(ctx)
		if errors.Is(err, ErrRestart) && ctx.Err() == nil {
			continue
		}
		return err
	}
}

// ExitCode is the process exit code that reports err from Run to a nanny.
func ExitCode(err error) int {
	var refused *RefusedError
	switch {
	case err == nil:
		return ExitClosed
	case errors.Is(err, ErrRestart):
		return ExitRestart
	case errors.As(err, &refused):
		return ExitRefused
	}
	return 1
}
