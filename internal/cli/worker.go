package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/dusk-go/dusk/config"
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
	cfg, err := LoadConfig(fs, args, append([]string{
		"worker.nthreads", "worker.memory.limit", "worker.resources", "worker.nanny",
		"worker.memory.target", "worker.memory.spill", "worker.memory.pause", "worker.memory.terminate",
		"worker.memory.max-spill", "worker.memory.monitor-interval", "worker.spill-directory",
		"worker.heartbeat-interval", "worker.transfer.chunk-size", "worker.metrics-address", "worker.death-timeout"},
		SecurityKeys...)...)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("dusk worker: give the scheduler's address, as in: dusk worker tcp://127.0.0.1:8786")
	}
	addr := fs.Arg(0)
	log := NewLogger(*logLevel)
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
		// "auto" is resolved once, here, for the nanny and its workers.
		childArgs := append([]string{"worker", "--nanny=false"}, args...)
		childArgs = append(childArgs, "--memory-limit="+strconv.FormatInt(opts.MemoryLimit, 10))
		n := &nanny.Nanny{
			Name:            addr,
			Logger:          log,
			MemoryLimit:     opts.MemoryLimit,
			Terminate:       opts.Thresholds.Terminate,
			MonitorInterval: opts.MemoryMonitorInterval,
			Directory:       opts.LocalDirectory,
			Command: func(ctx context.Context) *exec.Cmd {
				cmd := exec.CommandContext(ctx, exe, childArgs...)
				cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
				return cmd
			},
		}
		if opts.MemoryLimit > 0 {
			log.Info("nanny watching worker memory", "limit", config.FormatBytes(opts.MemoryLimit), "terminate", opts.Thresholds.Terminate)
		}
		return n.Run(ctx)
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
	}, worker.ServeOptions{DeathTimeout: opts.DeathTimeout, Grace: 30 * time.Second, Logger: log, Process: true})
	if err != nil && !errors.Is(err, worker.ErrRestart) {
		log.Error("worker stopped", "err", err)
	}
	if code := worker.ExitCode(err); code != 0 {
		os.Exit(code)
	}
	return nil
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
