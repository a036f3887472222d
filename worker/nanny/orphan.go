package nanny

import (
	"log/slog"
	"os"
	"strconv"
	"time"
)

// EnvNannyPID names the process ID of the nanny that started a worker
// process: the worker dies with it (WatchParent).
const EnvNannyPID = "DUSK_NANNY_PID"

// A worker process must not outlive its nanny: unsupervised, it would
// run on with nobody to restart or kill it, while a new nanny started in
// its place could take its directory. The kernel kills it when the nanny
// dies (the parent-death signal, on Linux); WatchParent is the second
// wall, for the cases that signal misses (the nanny died before the
// worker could ask for it, or on systems without it).

// parentPoll is how often WatchParent looks at its parent.
const parentPoll = 250 * time.Millisecond

// WatchParent, in a worker process that a nanny started, ends the process
// once the nanny is gone (its parent is no longer the nanny). It returns
// at once; in other processes it does nothing.
func WatchParent(log *slog.Logger) {
	pid, err := strconv.Atoi(os.Getenv(EnvNannyPID))
	if err != nil || pid <= 0 {
		return
	}
	go func() {
		for {
			if os.Getppid() != pid {
				log.Error("the worker's nanny is gone; the worker stops with it", "nanny", pid)
				os.Exit(ExitOrphaned)
			}
			time.Sleep(parentPoll)
		}
	}()
}
