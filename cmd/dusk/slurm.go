package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/dusk-go/dusk/cluster"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/internal/cli"
	"github.com/dusk-go/dusk/wire"
)

// slurmCmd is "dusk slurm": it submits workers of a running scheduler as
// Slurm batch jobs, and cancels them when it is interrupted.
func slurmCmd(args []string) error {
	fs := flag.NewFlagSet("dusk slurm", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: dusk slurm [flags] [-- WORKER-FLAGS]\n")
		fs.PrintDefaults()
	}
	addr := fs.String("scheduler-address", "", "the scheduler the workers connect to (tcp://host:port)")
	schedFile := fs.String("scheduler-file", "", "read the scheduler's address from this file instead")
	tokenFile := fs.String("token-file", "", "the cluster's token file, on a file system the compute nodes see (dusk scheduler --token-file writes it)")
	jobs := fs.Int("jobs", 1, "how many worker jobs to submit")
	cores := fs.Int("cores", 1, "CPUs per job (--cpus-per-task), the worker's threads")
	memory := fs.String("memory", "", "memory per job (--mem), the worker's memory limit, as 4GiB (default: the partition's)")
	walltime := fs.Duration("walltime", 0, "time limit of a job, as 2h (default: the partition's)")
	partition := fs.String("partition", "", "the partition (--partition)")
	account := fs.String("account", "", "the account (--account)")
	binary := fs.String("binary", "", "the program a job runs (default: this dusk); your own program must call dusk.Main first")
	dir := fs.String("directory", "", "where the job script and the jobs' output go (default: a new dusk-slurm-* directory here)")
	printScript := fs.Bool("print-script", false, "print the job script and exit")
	adaptMin := fs.Int("adapt-min", 0, "with --adapt-max: the fewest worker jobs")
	adaptMax := fs.Int("adapt-max", 0, "adapt the number of worker jobs to the work, up to this many (0: --jobs, fixed)")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	var directives repeated
	fs.Var(&directives, "directive", "another #SBATCH option, as --directive=--constraint=skylake (repeat it)")
	args, workerArgs := splitWorkerArgs(args)
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *schedFile != "" {
		f, err := wire.ReadSchedulerFile(ctx, *schedFile)
		if err != nil {
			return fmt.Errorf("dusk slurm: %w", err)
		}
		*addr = f.Address
	}
	s := cluster.Slurm{
		Scheduler: *addr, Binary: *binary, TokenFile: *tokenFile, Cores: *cores, Walltime: *walltime,
		Partition: *partition, Account: *account, Directives: directives, WorkerArgs: workerArgs,
		Directory: *dir, Logger: cli.NewLogger(*logLevel),
	}
	if *memory != "" {
		n, err := config.ParseBytes(*memory)
		if err != nil {
			return fmt.Errorf("dusk slurm: --memory %q: %w", *memory, err)
		}
		s.Memory = n
	}
	if *printScript {
		script, err := s.JobScript()
		if err != nil {
			return err
		}
		fmt.Print(script)
		return nil
	}
	if *tokenFile == "" {
		return errors.New("dusk slurm: give --token-file: the workers read the token from it")
	}
	tok, err := wire.ReadTokenFile(*tokenFile)
	if err != nil {
		return fmt.Errorf("dusk slurm: %w", err)
	}
	n := *jobs
	if *adaptMax > 0 {
		n = max(*adaptMin, 1)
	}
	c, err := s.Start(ctx, n)
	if err != nil {
		return err
	}
	fmt.Printf("dusk slurm: submitted jobs %s\n", strings.Join(c.JobIDs(), ", "))
	adapted := make(chan error, 1)
	if *adaptMax > 0 {
		go func() {
			adapted <- c.Adapt(ctx, wire.Security{Token: tok}, cluster.AdaptOptions{Minimum: *adaptMin, Maximum: *adaptMax})
		}()
	} else {
		adapted <- nil
	}
	<-ctx.Done()
	<-adapted
	fmt.Println("dusk slurm: cancelling the worker jobs")
	return c.Close()
}
