package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dusk-go/dusk/wire"
)

// Slurm runs workers as Slurm batch jobs, one worker (under its nanny) per
// job, as dask-jobqueue's SLURMCluster does: the job script is made from
// the cores, memory, walltime, partition and account asked for; the
// worker's threads and memory limit come from the job's allocation; the
// cluster grows by submitting jobs (sbatch) and shrinks by retiring
// workers, whose jobs then end, and Close cancels what is left (scancel).
// The scheduler runs elsewhere (on the login node, or in the program that
// submits the jobs); the binary and the token file must be on a file
// system the compute nodes see.
type Slurm struct {
	// Scheduler is the address workers connect to (tcp://host:port).
	Scheduler string
	// Binary is the program a job runs (default: this one); it must call
	// dusk.Main first.
	Binary string
	// TokenFile is the file holding the cluster's token, readable by its
	// owner only, which workers read (--token-file).
	TokenFile string
	// Cores is the CPUs of a job (--cpus-per-task), the worker's threads
	// (default 1).
	Cores int
	// Memory is the memory of a job in bytes (--mem), the worker's memory
	// limit (default: the partition's default).
	Memory int64
	// Walltime is the job's time limit (--time; default: the partition's).
	Walltime time.Duration
	// Partition and Account go to --partition and --account when set.
	Partition, Account string
	// JobName is the jobs' name (default "dusk-worker").
	JobName string
	// Directives are more "#SBATCH" lines, without the prefix
	// ("--constraint=skylake").
	Directives []string
	// WorkerArgs are more flags of the worker command.
	WorkerArgs []string
	// Directory holds the job scripts and the jobs' output (default: a
	// new directory under the current one, which compute nodes usually
	// see).
	Directory string
	// Logger receives what the launcher does.
	Logger *slog.Logger
}

// SlurmCluster is the set of worker jobs a Slurm launcher submitted. It is
// a Launcher.
type SlurmCluster struct {
	s      Slurm
	script string

	mu      sync.Mutex       // protects the fields below
	remote  *RemoteScheduler // while adapting
	jobs    []string         // job IDs, in submission order
	members Members          // which jobs' workers count for the size
}

// JobScript returns the batch script of one worker job.
func (s Slurm) JobScript() (string, error) {
	if s.Scheduler == "" {
		return "", errors.New("dusk slurm: the scheduler's address is needed (the workers connect to it)")
	}
	if s.TokenFile == "" {
		return "", errors.New("dusk slurm: a token file the compute nodes can read is needed (dusk scheduler --token-file writes one)")
	}
	bin := s.Binary
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", err
		}
		bin = exe
	}
	abs := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return p
	}
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	d := func(format string, args ...any) { fmt.Fprintf(&b, "#SBATCH "+format+"\n", args...) }
	d("--job-name=%s", cmpOr(s.JobName, "dusk-worker"))
	d("--nodes=1")
	d("--ntasks=1")
	d("--cpus-per-task=%d", max(s.Cores, 1))
	if s.Memory > 0 {
		d("--mem=%dM", max(s.Memory>>20, 1))
	}
	if s.Walltime > 0 {
		sec := int(s.Walltime.Round(time.Second).Seconds())
		d("--time=%02d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	if s.Partition != "" {
		d("--partition=%s", s.Partition)
	}
	if s.Account != "" {
		d("--account=%s", s.Account)
	}
	if s.Directory != "" {
		d("--output=%s", filepath.Join(abs(s.Directory), "dusk-worker-%j.out"))
	}
	for _, x := range s.Directives {
		d("%s", x)
	}
	b.WriteString("\n# One worker, under its nanny, sized by the job's allocation.\n")
	args := []string{shellQuote(abs(bin)), "worker", shellQuote(s.Scheduler), "--name", `"slurm-$SLURM_JOB_ID"`,
		"--nthreads", `"${SLURM_CPUS_PER_TASK:-1}"`, "--token-file", shellQuote(abs(s.TokenFile))}
	if s.Memory > 0 {
		args = append(args, "--memory-limit", `"${SLURM_MEM_PER_NODE}MiB"`)
	}
	for _, a := range s.WorkerArgs {
		args = append(args, shellQuote(a))
	}
	b.WriteString("exec " + strings.Join(args, " ") + "\n")
	return b.String(), nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Start submits n worker jobs and returns the cluster; it does not wait
// for the jobs to run (Slurm may queue them). With adapt set, the
// cluster also follows the scheduler's recommendation (see Adapt) until
// Close.
func (s Slurm) Start(ctx context.Context, n int) (*SlurmCluster, error) {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Directory == "" {
		d, err := os.MkdirTemp(".", "dusk-slurm-")
		if err != nil {
			return nil, fmt.Errorf("dusk slurm: a directory for the job scripts: %w", err)
		}
		s.Directory = d
	}
	script, err := s.JobScript()
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		return nil, errors.New("dusk slurm: sbatch is not on the PATH: run this on a Slurm login node")
	}
	c := &SlurmCluster{s: s, script: script}
	if err := c.Launch(ctx, n); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// JobIDs returns the IDs of the jobs submitted, in order.
func (c *SlurmCluster) JobIDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.jobs)
}

// Launch submits n more worker jobs.
func (c *SlurmCluster) Launch(ctx context.Context, n int) error {
	for range n {
		path := filepath.Join(c.s.Directory, "dusk-worker.sh")
		if err := os.WriteFile(path, []byte(c.script), 0o700); err != nil {
			return fmt.Errorf("dusk slurm: %w", err)
		}
		out, err := exec.CommandContext(ctx, "sbatch", "--parsable", path).CombinedOutput()
		if err != nil {
			return fmt.Errorf("dusk slurm: sbatch %s: %v: %s", path, err, strings.TrimSpace(string(out)))
		}
		id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";") // "id;cluster" on federated clusters
		c.mu.Lock()
		c.jobs = append(c.jobs, id)
		c.mu.Unlock()
		c.s.Logger.Info("dusk slurm: submitted a worker job", "job", id)
	}
	return nil
}

// Launched returns how many jobs count for the cluster's size: queued or
// running (squeue), and not holding a worker that is retiring or gone.
func (c *SlurmCluster) Launched(ctx context.Context) (int, error) {
	ids := c.JobIDs()
	if len(ids) == 0 {
		return 0, nil
	}
	out, err := exec.CommandContext(ctx, "squeue", "-h", "-o", "%i %T", "-j", strings.Join(ids, ",")).Output()
	if err != nil {
		// squeue fails when every job it is asked about has left its
		// memory: none is alive.
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return 0, nil
		}
		return 0, fmt.Errorf("dusk slurm: squeue: %w", err)
	}
	alive := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		if len(f) == 2 && f[1] != "COMPLETING" && f[1] != "COMPLETED" && f[1] != "CANCELLED" && f[1] != "FAILED" && f[1] != "TIMEOUT" {
			alive[f[0]] = true
		}
	}
	c.mu.Lock()
	remote := c.remote
	c.mu.Unlock()
	status, err := remote.Statuses(ctx)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, id := range ids {
		if alive[id] && c.members.Counts("slurm-"+id, status) {
			n++
		}
	}
	return n, nil
}

// Adapt follows the scheduler's recommendation (see the function Adapt)
// until ctx ends: jobs are submitted while work queues, and idle workers
// retire (their jobs end) when it is done. sec is how to reach the
// scheduler (its token).
func (c *SlurmCluster) Adapt(ctx context.Context, sec wire.Security, o AdaptOptions) error {
	if o.Logger == nil {
		o.Logger = c.s.Logger
	}
	return AdaptRemote(ctx, c.s.Scheduler, sec, c, o, func(r *RemoteScheduler) {
		c.mu.Lock()
		c.remote = r
		c.mu.Unlock()
	})
}

// Close cancels every job still queued or running (scancel sends the
// worker SIGTERM: it hands its data over and leaves).
func (c *SlurmCluster) Close() error {
	ids := c.JobIDs()
	if len(ids) == 0 {
		return nil
	}
	out, err := exec.Command("scancel", ids...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("dusk slurm: scancel: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
