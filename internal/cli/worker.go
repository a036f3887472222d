package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/worker"
	"github.com/dusk-go/dusk/worker/nanny"
)

// Worker is "dusk worker": it serves a worker of the scheduler named in
// args, under a nanny (a process of this same program) unless
// --nanny=false. version is the program's dusk version.
func Worker(args []string, version string) error {
	fs := flag.NewFlagSet("dusk worker", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: dusk worker [flags] SCHEDULER-ADDRESS\n")
		fs.PrintDefaults()
	}
	host := fs.String("host", "127.0.0.1", "address to listen on for peers and clients")
	port := fs.Int("port", 0, "port to listen on (0: any free port)")
	name := fs.String("name", "", "a name for the worker")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	nworkers := fs.Int("nworkers", 1, "how many workers to start, each under its own nanny")
	schedFile := fs.String("scheduler-file", "", "read the scheduler's address from this file (written by dusk scheduler --scheduler-file), waiting for it to appear")
	cfg, err := LoadConfig(fs, args, append([]string{
		"worker.nthreads", "worker.memory.limit", "worker.resources", "worker.nanny",
		"worker.memory.target", "worker.memory.spill", "worker.memory.pause", "worker.memory.terminate",
		"worker.memory.max-spill", "worker.memory.monitor-interval", "worker.memory.gc-heap-floor", "worker.spill-directory",
		"worker.heartbeat-interval", "worker.transfer.chunk-size", "worker.metrics-address", "worker.death-timeout",
		"worker.lifetime", "worker.lifetime-stagger", "worker.lifetime-restart", "worker.accept-binaries"},
		SecurityKeys...)...)
	if err != nil {
		return err
	}
	log := NewLogger(*logLevel)
	addr, err := workerTarget(fs, *schedFile, cfg.Duration("worker.death-timeout"), log)
	if err != nil {
		return err
	}
	opts, err := worker.OptionsFromConfig(cfg)
	if err != nil {
		return err
	}
	// The token file is checked here, by the nanny too, so that a bad one
	// stops the worker at once instead of failing every worker process.
	if opts.Security, err = opts.Security.Resolve(); err != nil {
		return err
	}
	if opts.Security.Token == "" {
		return errors.New("dusk worker: the scheduler's token is needed: --token-file, DUSK_TOKEN or --token (dusk scheduler prints it or writes it to its --token-file)")
	}
	if *nworkers < 1 {
		return fmt.Errorf("dusk worker: --nworkers %d: give 1 or more", *nworkers)
	}
	if *nworkers > 1 && *port != 0 {
		return fmt.Errorf("dusk worker: --nworkers %d with --port %d: the workers cannot share a port; leave --port out (any free port)", *nworkers, *port)
	}
	if *nworkers > 1 && !WantsNanny(cfg) {
		return errors.New("dusk worker: --nworkers above 1 needs the nanny (leave out --nanny=false): each worker is a process of its own")
	}
	if WantsNanny(cfg) {
		// Supervise a worker process of this same binary, without a nanny
		// of its own, with the same settings. The nanny kills it past the
		// terminate threshold of its memory limit.
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		// "auto" is resolved once, here, for the nanny and its workers;
		// the workers read the scheduler file themselves (the scheduler
		// may move).
		childArgs := append([]string{"worker", "--nanny=false"}, args...)
		childArgs = append(childArgs, "--memory-limit="+strconv.FormatInt(opts.MemoryLimit, 10), "--nworkers=1")
		if opts.MemoryLimit > 0 {
			log.Info("nanny watching worker memory", "limit", config.FormatBytes(opts.MemoryLimit), "terminate", opts.Thresholds.Terminate)
		}
		nannies := make([]*nanny.Nanny, *nworkers)
		for i := range nannies {
			args := childArgs
			if *nworkers > 1 && *name != "" {
				args = append(slices.Clip(args), "--name="+*name+"-"+strconv.Itoa(i))
			}
			nannies[i] = &nanny.Nanny{
				Name:            addr,
				Logger:          log,
				MemoryLimit:     opts.MemoryLimit,
				Terminate:       opts.Thresholds.Terminate,
				MonitorInterval: opts.MemoryMonitorInterval,
				Directory:       opts.LocalDirectory,
				Command: func(ctx context.Context) *exec.Cmd {
					cmd := exec.CommandContext(ctx, exe, args...)
					cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
					return cmd
				},
			}
		}
		return runNannies(ctx, nannies)
	}
	opts.OwnsProcess = true
	opts.Directory = os.Getenv(nanny.EnvDirectory)
	opts.Scheduler, opts.Host, opts.Port, opts.Name = addr, *host, *port, *name
	opts.Logger, opts.Version = log, version
	nanny.WatchParent(log) // a worker never outlives its nanny
	err = worker.Serve(context.Background(), func() (*worker.Worker, error) {
		w, err := worker.New(opts)
		if err == nil {
			fmt.Printf("dusk worker at %s, %d threads, memory limit %s\n", w.Address(), opts.NThreads, limitText(opts.MemoryLimit))
		}
		return w, err
	}, worker.ProcessServeOptions(opts, log))
	if worker.Failed(err) {
		log.Error("worker stopped", "err", err)
	}
	if code := worker.ExitCode(err); code != 0 {
		os.Exit(code)
	}
	return nil
}

// workerTarget returns the scheduler address a worker connects to: the
// one argument, or the address in the scheduler file, waited for (up to
// the death timeout, if there is one).
func workerTarget(fs *flag.FlagSet, schedFile string, deathTimeout time.Duration, log *slog.Logger) (string, error) {
	switch {
	case schedFile != "" && fs.NArg() == 0:
		ctx := context.Background()
		if deathTimeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, deathTimeout)
			defer cancel()
		}
		if _, err := os.Stat(schedFile); err != nil {
			log.Info("waiting for the scheduler file", "file", schedFile)
		}
		f, err := wire.ReadSchedulerFile(ctx, schedFile)
		if err != nil {
			return "", fmt.Errorf("dusk worker: %w", err)
		}
		return f.Address, nil
	case schedFile == "" && fs.NArg() == 1:
		return fs.Arg(0), nil
	}
	fs.Usage()
	return "", errors.New("dusk worker: give the scheduler's address, as in: dusk worker tcp://127.0.0.1:8786, or --scheduler-file, not both")
}

// runNannies runs the nannies until ctx ends or every one has returned,
// and returns the first error.
func runNannies(ctx context.Context, nannies []*nanny.Nanny) error {
	errs := make(chan error, len(nannies))
	for _, n := range nannies {
		go func() { errs <- n.Run(ctx) }()
	}
	var first error
	for range nannies {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// limitText writes a memory limit for people.
func limitText(n int64) string {
	if n <= 0 {
		return "none"
	}
	return config.FormatBytes(n)
}

// WantsNanny reports whether dusk worker runs its worker under a nanny
// (worker.nanny, --nanny).
func WantsNanny(cfg *config.Config) bool { return cfg.Bool("worker.nanny") }
