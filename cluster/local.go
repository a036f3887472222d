package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/dusk-go/dusk/advisor"
	"github.com/dusk-go/dusk/cluster/resources"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/scheduler"
	"github.com/dusk-go/dusk/scheduler/state"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
	"github.com/dusk-go/dusk/worker"
	"github.com/dusk-go/dusk/worker/nanny"
	"github.com/dusk-go/dusk/worker/store"
)

// Environment variables a local cluster sets for worker processes, besides
// the DUSK_ configuration variables of package config; Main in package
// dusk reads them.
const (
	EnvRole      = "DUSK_ROLE" // "worker"
	EnvScheduler = "DUSK_SCHEDULER"
	EnvName      = "DUSK_WORKER_NAME"
)

// Options configure a local cluster.
type Options struct {
	// Workers is the number of workers (default: CPUs, at most 4).
	Workers int
	// Threads per worker (default: CPUs divided among the workers).
	Threads int
	// Processes runs each worker as a process of this binary, supervised
	// by a nanny; the binary must call dusk.Main() first in main.
	Processes bool
	// Resources every worker supplies.
	Resources map[string]float64
	// MemoryLimit per worker in bytes; config.AutoBytes shares the
	// machine's memory among the workers; 0 takes worker.memory.limit from
	// Config (auto unless set; 0 there means no limit).
	MemoryLimit int64
	// Directory is where workers make their directories for spill and
	// scratch files (default: worker.spill-directory, or the OS temporary
	// directory).
	Directory string
	// Config holds the settings of the cluster's workers (memory
	// thresholds, spilling, heartbeats); nil means config.Load(): the
	// defaults, the YAML file, DUSK_ variables and config.Set in code.
	// Worker processes receive it as DUSK_ variables.
	Config *config.Config
	// Host to bind to (default 127.0.0.1).
	Host string
	// State configures scheduling; zero means the scheduler.* settings of
	// Config.
	State state.Config
	// Logger receives the cluster's log; nil means a quiet logger that
	// prints warnings and errors only.
	Logger *slog.Logger
	// Token to require; empty generates one.
	Token string
	// Version is reported to peers.
	Version string
	// Dashboard is where the scheduler's dashboard serves: empty means a
	// free port on Host, "off" none.
	Dashboard string
}

// Local is a running local cluster.
type Local struct {
	Scheduler *scheduler.Server
	token     string
	opts      Options
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	runCtx    context.Context
	mu        sync.Mutex // protects the fields below
	pids      map[string]int
	live      map[string]bool // workers started whose goroutine has not ended
	members   Members         // which of live count for the size
	next      int             // the number in the next worker's name
	adapting  context.CancelFunc
	// shared divides the process's memory among in-process workers.
	shared *store.SharedProcess
}

// DefaultWorkers returns how many workers and threads per worker a local
// cluster uses on this machine by default.
func DefaultWorkers() (workers, threads int) {
	n := runtime.NumCPU()
	workers = min(n, 4)
	return workers, max(1, n/workers)
}

// Start starts a scheduler and its workers, and returns once every worker
// has joined.
func Start(ctx context.Context, opts Options) (*Local, error) {
	dw, dt := DefaultWorkers()
	if opts.Workers <= 0 {
		opts.Workers = dw
	}
	if opts.Threads <= 0 {
		opts.Threads = dt
	}
	if opts.Token == "" {
		opts.Token = wire.NewToken()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if opts.Config == nil {
		cfg, warns, err := config.Load()
		if err != nil {
			return nil, err
		}
		for _, w := range warns {
			opts.Logger.Warn(w.String())
		}
		opts.Config = cfg
	} else {
		opts.Config = opts.Config.Clone()
	}
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	opts.MemoryLimit = memoryLimit(opts)
	if opts.Directory == "" {
		opts.Directory = opts.Config.String("worker.spill-directory")
	}
	so := scheduler.OptionsFromConfig(opts.Config)
	if opts.State.WorkerSaturation != 0 {
		so.State = opts.State
	}
	so.Security, so.Logger, so.Version = wire.Security{Token: opts.Token}, opts.Logger, opts.Version
	so.DashboardAddress, so.Advise = dashboardAddress(opts), advisor.ForDashboard
	sched, err := scheduler.New(so)
	if err != nil {
		return nil, err
	}
	l, err := wire.Listen(ctx, opts.Host, 0)
	if err != nil {
		return nil, err
	}
	sched.Serve(l)
	runCtx, cancel := context.WithCancel(context.Background())
	c := &Local{Scheduler: sched, token: opts.Token, opts: opts, runCtx: runCtx, cancel: cancel, shared: store.NewSharedProcess(),
		pids: map[string]int{}, live: map[string]bool{}}
	c.startWorkers(opts.Workers)
	if err := c.WaitForWorkers(ctx, opts.Workers); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// startWorkers starts n more workers, named worker-0, worker-1… in the
// order they are started.
func (c *Local) startWorkers(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for range n {
		name := fmt.Sprintf("worker-%d", c.next)
		c.next++
		c.live[name] = true
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			var err error
			if c.opts.Processes {
				err = c.runProcess(c.runCtx, name)
			} else {
				err = c.runInProcess(c.runCtx, name)
			}
			if err != nil && c.runCtx.Err() == nil {
				c.opts.Logger.Error("worker stopped", "worker", name, "err", err)
			}
			c.mu.Lock()
			delete(c.live, name)
			c.members.Forget(name)
			delete(c.pids, name)
			c.mu.Unlock()
		}()
	}
}

// memoryLimit resolves a local cluster's memory limit per worker: auto is
// the machine's memory divided among the workers.
func memoryLimit(opts Options) int64 {
	n := opts.MemoryLimit
	if n == 0 {
		n = opts.Config.Bytes("worker.memory.limit")
	}
	if n == config.AutoBytes {
		n = worker.SystemMemory() / int64(max(opts.Workers, 1))
	}
	return max(n, 0)
}

func (c *Local) runInProcess(ctx context.Context, name string) error {
	return worker.Serve(ctx, func() (*worker.Worker, error) {
		o, err := worker.OptionsFromConfig(c.opts.Config)
		if err != nil {
			return nil, err
		}
		o.Scheduler, o.Security, o.Host, o.Port = c.Scheduler.Address(), wire.Security{Token: c.token}, c.opts.Host, 0
		o.Name, o.NThreads, o.Resources, o.MemoryLimit = name, c.opts.Threads, c.opts.Resources, c.opts.MemoryLimit
		o.LocalDirectory = c.opts.Directory
		o.Logger, o.Version = c.opts.Logger, c.opts.Version
		o.MetricsAddress = "" // workers sharing a process share its metrics
		o.SharedProcess = c.shared
		return worker.New(o)
	}, worker.ServeOptions{Logger: c.opts.Logger})
}

func (c *Local) runProcess(ctx context.Context, name string) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("dusk: finding this program to start workers: %w", err)
	}
	cfg := c.opts.Config
	n := &nanny.Nanny{
		Name:            name,
		Logger:          c.opts.Logger,
		MemoryLimit:     c.opts.MemoryLimit,
		Terminate:       cfg.Float("worker.memory.terminate"),
		MonitorInterval: cfg.Duration("worker.memory.monitor-interval"),
		Directory:       c.opts.Directory,
		Command: func(ctx context.Context) *exec.Cmd {
			cmd := exec.CommandContext(ctx, exe)
			// The worker sees this cluster's configuration (values set in
			// code included), then the settings of this cluster.
			cmd.Env = append(os.Environ(), cfg.Environ()...)
			cmd.Env = append(cmd.Env,
				EnvRole+"=worker",
				EnvScheduler+"="+c.Scheduler.Address(),
				EnvName+"="+name,
				config.EnvName("comm.token")+"="+c.token,
				config.EnvName("worker.nthreads")+"="+strconv.Itoa(c.opts.Threads),
				config.EnvName("worker.resources")+"="+resources.Format(c.opts.Resources),
				config.EnvName("worker.memory.limit")+"="+strconv.FormatInt(c.opts.MemoryLimit, 10),
			)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			return cmd
		},
		Started: func(pid int) {
			c.mu.Lock()
			c.pids[name] = pid
			c.mu.Unlock()
		},
	}
	return n.Run(ctx)
}

// PIDs returns the process IDs of the worker processes by worker name
// (empty for in-process workers).
func (c *Local) PIDs() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.pids))
	for k, v := range c.pids {
		out[k] = v
	}
	return out
}

// WaitForWorkers waits until at least n workers are connected.
func (c *Local) WaitForWorkers(ctx context.Context, n int) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		id, err := c.Scheduler.Identity(ctx)
		if err != nil {
			return err
		}
		if len(id.GetWorkers()) >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("dusk: only %d of %d workers joined within 2 minutes", len(id.GetWorkers()), n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// dashboardAddress is where a local cluster's dashboard listens.
func dashboardAddress(o Options) string {
	switch o.Dashboard {
	case "off":
		return ""
	case "":
		host := o.Host
		if host == "" {
			host = "127.0.0.1"
		}
		return net.JoinHostPort(host, "0")
	}
	return o.Dashboard
}

// DashboardURL returns the link to the cluster's dashboard, token
// included (it sets a cookie and drops the token from the address bar), or
// "" when it serves none.
func (c *Local) DashboardURL() string {
	u := c.Scheduler.DashboardURL()
	if u == "" {
		return ""
	}
	return u + "?token=" + c.token
}

// Address returns the scheduler's address.
func (c *Local) Address() string { return c.Scheduler.Address() }

// Token returns the token every connection must present.
func (c *Local) Token() string { return c.token }

// Workers returns the connected workers.
func (c *Local) Workers(ctx context.Context) ([]*pb.WorkerInfo, error) {
	id, err := c.Scheduler.Identity(ctx)
	if err != nil {
		return nil, err
	}
	return id.GetWorkers(), nil
}

// Close stops the workers, then the scheduler.
func (c *Local) Close() error {
	c.cancel()
	done := make(chan struct{})
	go func() { c.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
	}
	return c.Scheduler.Close()
}
