package nanny

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/worker/store"
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
	// ExitOrphaned: the worker's nanny died (see WatchParent).
	ExitOrphaned = 5
	// ExitDeathTimeout: the scheduler stayed out of reach past the
	// worker's death timeout; the worker gave up.
	ExitDeathTimeout = 6
	// ExitSwitch: the worker fetched another executable (a binary a
	// client shipped) and named it in its directory (SwitchTo); start
	// that in its place from now on.
	ExitSwitch = 7
)

// EnvDirectory is the environment variable in which a nanny gives a worker
// process its own directory (Options.Directory).
const EnvDirectory = "DUSK_WORKER_DIR"

// Nanny supervises a worker process: it starts it, starts a fresh one when
// it asks for a restart or dies, kills it when its memory passes the
// terminate threshold, and stops it when its context ends. Every process
// it starts gets a fresh directory of its own (EnvDirectory), which the
// nanny removes once the process ended, spill files included; it keeps
// the directory locked meanwhile, so that the directories of a nanny that
// was itself killed are removed by the next worker or nanny to start
// under the same base directory (a nanny looks again each time one of its
// processes ends: the dead one may still have held its lock at the start).
type Nanny struct {
	// Command builds the worker process's command; it is called for every
	// start.
	Command func(ctx context.Context) *exec.Cmd
	// Name names the worker in logs.
	Name string
	// Logger receives the nanny's log; nil means slog.Default().
	Logger *slog.Logger
	// MaxRestarts, if positive, bounds the crashes in a row after which
	// the nanny gives up (ErrGaveUp); by default it never does. Kills for
	// memory are not crashes; a process that lived a minute resets the
	// count.
	MaxRestarts int
	// Started is called with the PID of every process started (optional).
	Started func(pid int)
	// MemoryLimit is the worker's memory limit in bytes, and Terminate the
	// fraction of it past which the nanny kills the process (SIGKILL) and
	// starts a fresh one; either 0 disables the check. The process's
	// memory is measured every MonitorInterval (default 100ms).
	MemoryLimit     int64
	Terminate       float64
	MonitorInterval time.Duration
	// Directory is where the nanny makes each process's directory; empty
	// means the OS temporary directory.
	Directory string
	// Killed is called after the nanny killed a process for its memory,
	// with its PID and the memory measured (optional).
	Killed func(pid int, memory int64)

	// binary, once a worker process asked for it (ExitSwitch), is the
	// executable the nanny starts instead of the one Command names.
	binary string
}

// ErrRefused is returned by Nanny.Run when the scheduler refused the
// worker (the process exited with ExitRefused; its log says why).
var ErrRefused = errors.New("dusk: the scheduler refused the worker process (see its log)")

// ErrDeathTimeout is returned by Nanny.Run when the worker gave up on a
// scheduler out of reach past its death timeout.
var ErrDeathTimeout = errors.New("dusk: the worker gave up on a scheduler out of reach past its death timeout")

// Restarts after crashes wait between restartMin and restartMax,
// doubling with each crash in a row, with jitter.
const (
	restartMin = 100 * time.Millisecond
	restartMax = 30 * time.Second
)

// Run supervises until ctx ends (nil), the worker closes normally (nil), is
// refused (ErrRefused), gives up on its scheduler (ErrDeathTimeout), or
// crashes MaxRestarts times in a row (ErrGaveUp; by default the nanny
// never gives up). A crash is a worker that exits on its own for any other
// reason: the next start waits, longer after each crash in a row (capped,
// with jitter), and a process that lived a minute starts the count again.
// A process the nanny killed for its memory is started again at once and
// is not a crash; nor is a scheduler out of reach, which the worker
// process rides out itself (worker.Serve).
func (n *Nanny) Run(ctx context.Context) error {
	log := n.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "nanny", "worker", n.Name)
	crashes := 0
	for {
		code, began, killed, next, err := n.runOnce(ctx, log)
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case killed:
			// Reported by runOnce: start a fresh one at once.
			continue
		case code == ExitClosed:
			log.Info("worker process closed")
			return nil
		case code == ExitRestart:
			log.Info("restarting worker process")
			crashes = 0
			continue
		case code == ExitSwitch && next != "":
			log.Info("starting the worker process on a shipped binary", "binary", next)
			n.binary = next
			crashes = 0
			continue
		case code == ExitRefused:
			return ErrRefused
		case code == ExitDeathTimeout:
			return ErrDeathTimeout
		}
		if time.Since(began) > time.Minute {
			crashes = 0
		}
		crashes++
		if n.MaxRestarts > 0 && crashes > n.MaxRestarts {
			return ErrGaveUp
		}
		wait := restartMin << min(crashes-1, 10)
		wait = min(wait, restartMax)
		wait = time.Duration(float64(wait) * (0.5 + rand.Float64()))
		log.Warn("worker process died; starting a new one", "exit", code, "crashes in a row", crashes, "after", wait.Round(time.Millisecond))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil
		}
	}
}

// ErrGaveUp is returned by Nanny.Run when the worker crashed MaxRestarts
// times in a row.
var ErrGaveUp = errors.New("dusk: the worker process kept crashing; the nanny gave up (MaxRestarts)")

// runOnce starts one worker process in a fresh directory and waits for it
// to end, watching its memory. It returns the exit code, when the process
// started, whether the nanny killed it for memory, and the executable it
// asked to be started on next (ExitSwitch); the error is a failure to
// start it.
func (n *Nanny) runOnce(ctx context.Context, log *slog.Logger) (code int, began time.Time, killed bool, next string, err error) {
	base := n.Directory
	if base == "" {
		base = os.TempDir()
	}
	wd, err := store.NewWorkDir(base, log)
	if err != nil {
		return 0, time.Time{}, false, "", err
	}
	defer func() {
		if err := wd.Remove(); err != nil {
			log.Warn("removing the worker process's directory", "dir", wd.Path(), "err", err)
		}
		// A dead process's directory that was still locked when this one
		// started (its owner was dying: a nanny started again at once
		// after a kill) goes now.
		store.PurgeStale(base, log)
	}()
	dir := wd.Path()
	cmd := n.Command(ctx)
	if n.binary != "" {
		cmd.Path = n.binary
		cmd.Args[0] = n.binary
		cmd.Err = nil
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	switchFile := dir + ".switch"
	defer os.Remove(switchFile)
	cmd.Env = append(cmd.Env, EnvDirectory+"="+dir, EnvSwitchFile+"="+switchFile)
	// The process reports its memory on a pipe (used where the nanny
	// cannot measure it from outside).
	reports, reportW, err := os.Pipe()
	if err != nil {
		return 0, time.Time{}, false, "", fmt.Errorf("dusk: starting worker process: %w", err)
	}
	defer reports.Close()
	cmd.ExtraFiles = append(cmd.ExtraFiles, reportW)
	cmd.Env = append(cmd.Env, EnvNannyFD+"="+strconv.Itoa(2+len(cmd.ExtraFiles)), EnvNannyPID+"="+strconv.Itoa(os.Getpid()))
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = diesWithParent()
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Start()
	reportW.Close() // the child has its copy
	if err != nil {
		return 0, time.Time{}, false, "", fmt.Errorf("dusk: starting worker process %s: %w", cmd.Path, err)
	}
	began = time.Now()
	var reported atomic.Int64
	go readReports(reports, &reported)
	if n.Started != nil {
		n.Started(cmd.Process.Pid)
	}
	var wasKilled atomic.Bool
	watchCtx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		n.watchMemory(watchCtx, cmd.Process, &reported, log, &wasKilled)
	}()
	purged := make(chan struct{})
	go func() {
		defer close(purged)
		purgeWhileRunning(watchCtx, base, log)
	}()
	_ = cmd.Wait() // the exit code says what happened
	stopWatch()
	<-watched
	<-purged
	code = cmd.ProcessState.ExitCode()
	if code == ExitSwitch {
		if next, err = switchedTo(switchFile); err != nil {
			log.Error("the worker process asked for another binary, but did not name a usable one; starting the same again", "err", err)
			next = ""
		}
	}
	return code, began, wasKilled.Load(), next, nil
}

// purgeWhileRunning removes dead processes' worker directories under base
// again and again (after a second, then twice as long each time up to a
// minute) until ctx ends: one whose owner was still exiting when this
// nanny started (a nanny started again at once after a kill: a process
// holds its lock until its last thread has exited, after it already reads
// as dead) goes within seconds, not when this nanny's worker ends.
func purgeWhileRunning(ctx context.Context, base string, log *slog.Logger) {
	wait := time.Second
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		store.PurgeStale(base, log)
		wait = min(2*wait, time.Minute)
	}
}

// watchMemory kills p once its memory passes the terminate threshold. It
// measures p itself, or, in builds where that is not possible, uses what p
// reported.
func (n *Nanny) watchMemory(ctx context.Context, p *os.Process, reported *atomic.Int64, log *slog.Logger, killed *atomic.Bool) {
	if n.Terminate <= 0 || n.MemoryLimit <= 0 {
		return
	}
	limit := int64(n.Terminate * float64(n.MemoryLimit))
	interval := n.MonitorInterval
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var mem int64
		if store.MeasuresItself {
			mem = reported.Load()
		} else {
			var err error
			if mem, err = store.ProcessMemory(p.Pid); err != nil {
				continue // the process is gone, and Wait returns
			}
		}
		if mem <= limit {
			continue
		}
		killed.Store(true)
		log.Warn("worker process exceeded its memory budget; killing it and starting a fresh one",
			"pid", p.Pid, "memory", config.FormatBytes(mem), "terminate", n.Terminate, "limit", config.FormatBytes(n.MemoryLimit))
		if err := p.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			log.Error("killing the worker process", "pid", p.Pid, "err", err)
		}
		if n.Killed != nil {
			n.Killed(p.Pid, mem)
		}
		return
	}
}
