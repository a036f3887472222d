package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/advisor"
	"github.com/dusk-go/dusk/diagnostics/report"
	"github.com/dusk-go/dusk/internal/cli"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
	"github.com/dusk-go/dusk/worker/transfer"
)

const reportUsage = `usage: dusk report [flags] [-- COMMAND [ARGS...]]

Records what a running cluster does and writes a performance report: one
self-contained HTML file and the same data as JSON next to it. With a
command after "--", it records while the command runs (the command's exit
status is dusk's); without one, for --duration or until interrupted.

  dusk report --scheduler tcp://10.0.0.5:8786 --out report.html --duration 30s
  dusk report --out etl.html -- ./etl --input data/

flags:
`

func reportCmd(args []string) error {
	var command []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, command = args[:i], args[i+1:]
	}
	fs := flag.NewFlagSet("dusk report", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), reportUsage)
		fs.PrintDefaults()
	}
	addr := fs.String("scheduler", "tcp://127.0.0.1:8786", "the scheduler's address")
	out := fs.String("out", "report.html", "the report's file; its data goes next to it as .json")
	duration := fs.Duration("duration", 30*time.Second, "how long to record when no command is given (0: until interrupted)")
	sec, err := toolSecurity("dusk report", fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("dusk report: unexpected %q; put a command to record after \"--\"", fs.Arg(0))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cc, err := sec.Dial(*addr)
	if err != nil {
		return fmt.Errorf("dusk report: %w", err)
	}
	defer cc.Close()
	peers := transfer.NewPool(sec)
	defer peers.Close()
	rec, err := report.Record(ctx, pb.NewSchedulerClient(cc), peers.Client)
	if err != nil {
		return wire.Explain(err, "scheduler "+*addr)
	}
	fmt.Fprintf(os.Stderr, "dusk report: recording %s\n", *addr)
	var runErr error
	caller := "dusk report"
	if len(command) > 0 {
		caller = strings.Join(command, " ")
		cmd := exec.CommandContext(ctx, command[0], command[1:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		runErr = cmd.Run()
	} else {
		wait := ctx.Done()
		if *duration > 0 {
			t := time.NewTimer(*duration)
			defer t.Stop()
			select {
			case <-wait:
			case <-t.C:
			}
		} else {
			<-wait
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := rec.Stop(sctx)
	if err != nil {
		return errors.Join(runErr, fmt.Errorf("dusk report: %w", err))
	}
	in.Caller = caller
	in.Versions["dusk report"] = dusk.Version
	in.Versions["go"] = runtime.Version()
	in.Advisor = advisor.New()
	jsonPath, err := report.WriteFiles(*out, report.Build(in))
	if err != nil {
		return errors.Join(runErr, fmt.Errorf("dusk report: %w", err))
	}
	fmt.Fprintf(os.Stderr, "dusk report: wrote %s and %s (%d events)\n", *out, jsonPath, len(in.Events))
	return runErr
}

// toolSecurity parses the flags of a tool that connects to a running
// scheduler (dusk report, dusk doctor) and returns how to connect: the
// token (required) and TLS files.
func toolSecurity(name string, fs *flag.FlagSet, args []string) (wire.Security, error) {
	cfg, err := cli.LoadConfig(fs, args, cli.SecurityKeys...)
	if err != nil {
		return wire.Security{}, err
	}
	sec, err := cli.Security(cfg)
	if err != nil {
		return sec, fmt.Errorf("%s: %w", name, err)
	}
	if sec.Token == "" {
		return sec, fmt.Errorf("%s: give the scheduler's token with --token-file, DUSK_TOKEN or --token", name)
	}
	return sec, nil
}
