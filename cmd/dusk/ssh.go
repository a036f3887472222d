package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/dusk-go/dusk/cluster"
	"github.com/dusk-go/dusk/internal/cli"
)

// repeated is a flag that may be given many times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, " ") }
func (r *repeated) Set(s string) error { *r = append(*r, s); return nil }

// splitWorkerArgs splits a launcher's arguments at "--": what follows
// goes to every worker.
func splitWorkerArgs(args []string) (own, worker []string) {
	if i := slices.Index(args, "--"); i >= 0 {
		return args[:i], args[i+1:]
	}
	return args, nil
}

// sshCmd is "dusk ssh": it starts a scheduler and workers on hosts over
// SSH and stops them when it is interrupted.
func sshCmd(args []string) error {
	fs := flag.NewFlagSet("dusk ssh", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: dusk ssh [flags] --scheduler HOST WORKER-HOST... [-- WORKER-FLAGS]\n")
		fs.PrintDefaults()
	}
	sched := fs.String("scheduler", "", "the host the scheduler runs on (host, user@host or an alias of ~/.ssh/config)")
	port := fs.Int("port", 8786, "the scheduler's port")
	binary := fs.String("binary", "", "the program to run on the hosts (default: this dusk); your own program must call dusk.Main first")
	remoteDir := fs.String("remote-dir", ".dusk", "directory on each host for the binary and the token (relative to the remote home)")
	tokenFile := fs.String("token-file", "", "file with the cluster's token, written with a fresh one if it does not exist (default: a fresh token, printed)")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	adaptMin := fs.Int("adapt-min", 0, "with --adapt-max: the fewest workers of the adaptive cluster")
	adaptMax := fs.Int("adapt-max", 0, "adapt the number of workers to the work, up to this many (0: one worker per host, fixed); the worker hosts are used in turn")
	var sshOpts, schedArgs repeated
	fs.Var(&sshOpts, "ssh-option", "an option for ssh (repeat it: --ssh-option -i --ssh-option ~/.ssh/key)")
	fs.Var(&schedArgs, "scheduler-arg", "a flag for the scheduler (repeat it)")
	args, workerArgs := splitWorkerArgs(args)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sched == "" || fs.NArg() == 0 {
		fs.Usage()
		return errors.New("dusk ssh: give --scheduler HOST and at least one worker host")
	}
	s := cluster.SSH{
		Scheduler: *sched, Workers: fs.Args(), Port: *port, Binary: *binary, RemoteDir: *remoteDir,
		SSHOptions: sshOpts, SchedulerArgs: schedArgs, WorkerArgs: workerArgs, Logger: cli.NewLogger(*logLevel),
	}
	if *adaptMax > 0 {
		s.Adapt = &cluster.AdaptOptions{Minimum: *adaptMin, Maximum: *adaptMax}
	}
	fresh := false
	if *tokenFile != "" {
		tok, created, err := cli.TokenFromFile(*tokenFile)
		if err != nil {
			return err
		}
		s.Token, fresh = tok, created
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := s.Start(ctx)
	if err != nil {
		return err
	}
	if s.Adapt != nil {
		fmt.Printf("dusk ssh: scheduler at %s, adapting between %d and %d workers\n", c.Address(), *adaptMin, *adaptMax)
	} else {
		fmt.Printf("dusk ssh: scheduler at %s, %d workers\n", c.Address(), len(s.Workers))
	}
	switch {
	case *tokenFile == "":
		fmt.Printf("token: %s\n", c.Token())
	case fresh:
		fmt.Printf("token: written to %s\n", *tokenFile)
	}
	<-ctx.Done()
	fmt.Println("dusk ssh: stopping the workers and the scheduler")
	return c.Close()
}
