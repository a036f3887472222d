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
		stop := cpuProfileFromEnv(os.Args[1])
		code := cli.Run(os.Args[1:], Version)
		stop()
		os.Exit(code)
	}
	if os.Getenv(cluster.EnvRole) != "worker" {
		return
	}
	os.Exit(runWorkerFromEnv())
}

// cpuProfileFromEnv starts a CPU profile of this process, for performance
// work, when the DUSK_CPUPROFILE environment variable names a path: the
// profile goes to PATH.PID for a worker process, PATH.ROLE.PID for a
// "scheduler" or "worker" command. It returns what stops it.
func cpuProfileFromEnv(role string) func() {
	path := os.Getenv("DUSK_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	name := fmt.Sprintf("%s.%d", path, os.Getpid())
	if role != "worker" || os.Getenv(cluster.EnvRole) == "" {
		name = fmt.Sprintf("%s.%s.%d", path, role, os.Getpid())
	}
	f, err := os.Create(name)
	if err != nil {
		return func() {}
	}
	if pprof.StartCPUProfile(f) != nil {
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
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
	defer cpuProfileFromEnv("worker")()
	err = worker.Serve(context.Background(), func() (*worker.Worker, error) { return worker.New(opts) },
		worker.ProcessServeOptions(opts, log))
	if worker.Failed(err) {
		log.Error("worker stopped", "err", err)
	}
	return worker.ExitCode(err)
}
