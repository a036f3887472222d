package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/worker"
)

func workerCmd(args []string) error {
	fs := flag.NewFlagSet("dusk worker", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: dusk worker [flags] SCHEDULER-ADDRESS\n")
		fs.PrintDefaults()
	}
	host := fs.String("host", "127.0.0.1", "address to listen on for peers and clients")
	port := fs.Int("port", 0, "port to listen on (0: any free port)")
	name := fs.String("name", "", "a name for the worker")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	cfg, err := loadConfig(fs, args,
		"worker.nthreads", "worker.memory.limit", "worker.resources", "worker.nanny",
		"worker.heartbeat-interval", "worker.transfer.chunk-size", "worker.metrics-address",
		"comm.token", "comm.tls.cert", "comm.tls.key", "comm.tls.ca")
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("dusk worker: give the scheduler's address, as in: dusk worker tcp://127.0.0.1:8786")
	}
	addr := fs.Arg(0)
	log := newLogger(*logLevel)
	if cfg.Bool("worker.nanny") {
		// Supervise a worker process of this same binary, without a nanny
		// of its own, with the same settings.
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		childArgs := append([]string{"worker", "--nanny=false"}, args...)
		n := &worker.Nanny{
			Name:   addr,
			Logger: log,
			Command: func(ctx context.Context) *exec.Cmd {
				cmd := exec.CommandContext(ctx, exe, childArgs...)
				cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
				return cmd
			},
		}
		return n.Run(ctx)
	}
	opts, err := worker.OptionsFromConfig(cfg)
	if err != nil {
		return err
	}
	if opts.Security.Token == "" {
		return errors.New("dusk worker: the scheduler's token is needed: --token or DUSK_TOKEN (dusk scheduler prints it)")
	}
	opts.Scheduler, opts.Host, opts.Port, opts.Name = addr, *host, *port, *name
	opts.Logger, opts.Version = log, dusk.Version
	w, err := worker.New(opts)
	if err != nil {
		return err
	}
	fmt.Printf("dusk worker at %s, %d threads\n", w.Address(), opts.NThreads)
	err = worker.RunUntilSignal(context.Background(), w, 30*time.Second)
	if err != nil && !errors.Is(err, worker.ErrRestart) {
		log.Error("worker stopped", "err", err)
	}
	if code := worker.ExitCode(err); code != 0 {
		os.Exit(code)
	}
	return nil
}
