package dusk

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"

	"github.com/dusk-go/dusk/cluster"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/internal/cli"
	"github.com/dusk-go/dusk/worker"
	"github.com/dusk-go/dusk/worker/nanny"
)

// Main makes any program a dusk program: call it first in main. Run as
// "yourprog scheduler [flags]" or "yourprog worker [flags] ADDRESS", the
// program serves a scheduler or a worker, with the same flags as the dusk
// binary's commands (the worker under a nanny, a process of the same
// program), and exits: its workers know its functions. Started by a local
// cluster as a worker process (the DUSK_ROLE environment variable), it
// serves that worker and exits. In any other case Main returns at once and
// the program goes on; a program whose own first argument may be
// "scheduler" or "worker" must not call Main with those arguments.
func Main() {
	if len(os.Args) > 1 && cli.IsProcessCommand(os.Args[1]) {
		os.Exit(cli.Run(os.Args[1:], Version))
	}
	if os.Getenv(cluster.EnvRole) != "worker" {
		return
	}
	os.Exit(runWorkerFromEnv())
}

func runWorkerFromEnv() int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg, warns, err := config.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	for _, w := range warns {
		log.Warn(w.String())
	}
	opts, err := worker.OptionsFromConfig(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	opts.Scheduler = os.Getenv(cluster.EnvScheduler)
	opts.Name = os.Getenv(cluster.EnvName)
	opts.Directory = os.Getenv(nanny.EnvDirectory)
	opts.OwnsProcess = true
	opts.Logger = log
	opts.Version = Version
	nanny.WatchParent(log) // a worker never outlives its nanny
	if path := os.Getenv("DUSK_CPUPROFILE"); path != "" {
		// A CPU profile of this worker process, for performance work.
		f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid()))
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	err = worker.Serve(context.Background(), func() (*worker.Worker, error) { return worker.New(opts) },
		worker.ProcessServeOptions(opts, log))
	if worker.Failed(err) {
		log.Error("worker stopped", "err", err)
	}
	return worker.ExitCode(err)
}
