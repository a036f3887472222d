package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/advisor"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/diagnostics/report"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

const doctorUsage = `usage: dusk doctor [flags]

Examines a running cluster: describes the scheduler and its workers, and
applies the optimization guide to what the cluster did lately (the events
the scheduler still holds), printing each finding with what to do.

  dusk doctor --scheduler tcp://10.0.0.5:8786

flags:
`

func doctorCmd(args []string) error {
	fs := flag.NewFlagSet("dusk doctor", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), doctorUsage)
		fs.PrintDefaults()
	}
	addr := fs.String("scheduler", "tcp://127.0.0.1:8786", "the scheduler's address")
	sec, err := toolSecurity("dusk doctor", fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("dusk doctor: unexpected %q", fs.Arg(0))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cc, err := sec.Dial(*addr)
	if err != nil {
		return fmt.Errorf("dusk doctor: %w", err)
	}
	defer cc.Close()
	in, err := report.Recent(ctx, pb.NewSchedulerClient(cc))
	if err != nil {
		return wire.Explain(err, "scheduler "+*addr)
	}
	in.Advisor = advisor.New()
	diagnose(os.Stdout, in, report.Build(in))
	return nil
}

// diagnose prints the cluster's description and the advisor's findings.
func diagnose(w io.Writer, in report.Input, d *report.Data) {
	threads := 0
	for _, wk := range in.Workers {
		threads += wk.Threads
	}
	fmt.Fprintf(w, "scheduler tcp://%s (dusk %s; this dusk is %s): %d workers, %d threads\n",
		in.Scheduler, in.Versions["dusk scheduler"], dusk.Version, len(in.Workers), threads)
	if len(in.Workers) == 0 {
		fmt.Fprintln(w, "  no workers: start some with \"dusk worker ADDRESS\"; tasks wait until one joins")
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, wk := range in.Workers {
		limit := "no memory limit"
		if wk.MemoryLimit > 0 {
			limit = "memory limit " + config.FormatBytes(wk.MemoryLimit)
		}
		var res []string
		for _, k := range slices.Sorted(maps.Keys(wk.Resources)) {
			res = append(res, fmt.Sprintf("%s=%g", k, wk.Resources[k]))
		}
		name := wk.Address
		if wk.Name != "" && wk.Name != wk.Address {
			name += " (" + wk.Name + ")"
		}
		fmt.Fprintf(tw, "  %s\t%d threads\t%s\t%s\n", name, wk.Threads, limit, strings.Join(res, ","))
	}
	tw.Flush()
	if in.Versions["dusk scheduler"] != dusk.Version {
		fmt.Fprintf(w, "note: the scheduler runs dusk %s and this program %s; clients and workers should run the same\n",
			in.Versions["dusk scheduler"], dusk.Version)
	}
	s := d.Summary
	fmt.Fprintf(w, "\nlately (%d events over %.1f s): %d task runs, %d failed, %d transfers\n",
		s.Events, s.Duration, s.Tasks, s.Failed, s.Transfers)
	if len(d.Findings) == 0 {
		fmt.Fprintln(w, "no findings: nothing the optimization guide warns about")
		return
	}
	for _, f := range d.Findings {
		fmt.Fprintf(w, "\n[%s] %s: %s\n  what to do: %s\n", f.Severity, f.Rule, f.Message, f.Advice)
	}
}
