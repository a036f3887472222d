package dusk

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"

	"github.com/dusk-go/dusk/cluster"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/registry"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
	"github.com/dusk-go/dusk/worker/transfer"
)

// Version is dusk's version.
const Version = "0.1.0"

// Client is a connection to a dusk scheduler. It is safe for concurrent
// use. Close it when done: its futures are released and, for a local
// cluster, the cluster stops.
type Client struct {
	addr    string // host:port
	target  string // the address as given to Connect, as errors name it
	token   string // presented to the scheduler; the dashboard link carries it
	log     *slog.Logger
	cc      *grpc.ClientConn
	sched   pb.SchedulerClient
	out     *wire.Batcher[pb.ClientBatch]
	peers   *transfer.Pool
	local   *cluster.Local
	runCtx  context.Context // ends when the client closes
	cancel  context.CancelFunc
	done    chan struct{}  // closed when the connection ends for good
	connErr error          // why it ended; set before done closes
	loops   *loopWatch     // notices Compute called in a loop
	shared  sharedBranches // persist-shared's memory (with a lock of its own)
	cfg     *config.Config // the client's settings (optimization.*, dataframe.*)
	// reconnect is how long a lost scheduler is tried again.
	reconnect time.Duration
	actors    actorConns // streams of actor calls, by worker
	// graphChunk is the most tasks Map (or a graph sent in parts) sends
	// in one message and graphFirst the most in the first (0: the
	// defaults; tests make them small); graphMsgs counts the graphs sent
	// (UpdateGraph messages); graphParts numbers the graphs sent in
	// parts.
	graphChunk int
	graphFirst int
	graphMsgs  atomic.Int64
	graphParts atomic.Uint64
	// gathers counts the client's fetches of results (each a request to
	// every worker holding some of them).
	gathers atomic.Int64

	mu          sync.Mutex // protects the fields below
	futures     map[graph.Key]*futureState
	futuresPeak int // the most futures held since the map was made, for shrink.Map
	stalled     map[graph.Key]string
	closed      bool
	wfuncs      *workerFuncs // the workers' functions, as last seen
	syncs       map[uint64]chan struct{}
	syncID      uint64
	coords      map[uint64]*coordCall // requests on named primitives waiting for their answers
	coordID     uint64
	lineage     lineage         // the tasks live futures need, as sent
	advised     map[string]bool // the advice logged already, by rule and message
	// reclaiming are the futures without tasks (from named state) the
	// client claimed again from a restarted scheduler (reconnect.go).
	reclaiming map[graph.Key]bool
	up         chan struct{} // closed while a session is up (open during a reconnection)
	// interned holds the addresses and type names the scheduler reports
	// once for all futures.
	interned interner
}

// Option configures Connect.
type Option func(*connectOptions)

type connectOptions struct {
	local     cluster.Options
	token     string
	security  wire.Security
	logger    *slog.Logger
	schedFile string
	ship      bool
}

// LocalWorkers sets how many workers a local cluster starts.
func LocalWorkers(n int) Option { return func(o *connectOptions) { o.local.Workers = n } }

// LocalThreads sets the threads of each local worker.
func LocalThreads(n int) Option { return func(o *connectOptions) { o.local.Threads = n } }

// LocalProcesses runs local workers as processes of this binary (which must
// call dusk.Main() first in main) instead of goroutines.
func LocalProcesses() Option { return func(o *connectOptions) { o.local.Processes = true } }

// LocalResources sets the resources every local worker supplies.
func LocalResources(r map[string]float64) Option {
	return func(o *connectOptions) { o.local.Resources = r }
}

// AutoMemory, given to LocalMemoryLimit, shares the machine's memory (or
// its cgroup's limit) evenly among the local workers.
const AutoMemory = config.AutoBytes

// LocalMemoryLimit sets each local worker's memory limit in bytes, or
// AutoMemory. Workers spill, pause and (as processes) are restarted at the
// fractions of it that worker.memory.target, .spill, .pause and
// .terminate set. Without this option the limit is worker.memory.limit
// from the configuration: auto unless set; 0 there means no limit.
func LocalMemoryLimit(n int64) Option { return func(o *connectOptions) { o.local.MemoryLimit = n } }

// LocalDirectory sets where local workers make their directories for
// spilled and scratch files (default: worker.spill-directory, or the OS
// temporary directory). Each worker removes its own when it closes, and a
// worker process's nanny once the process ended.
func LocalDirectory(dir string) Option { return func(o *connectOptions) { o.local.Directory = dir } }

// LocalConfig sets the configuration of a local cluster's workers (memory
// thresholds, spilling, heartbeats) instead of config.Load(); worker
// processes receive it as DUSK_ variables. Set values on a config.New()
// or on a clone of config.Default().
func LocalConfig(c *config.Config) Option { return func(o *connectOptions) { o.local.Config = c } }

// LocalDashboard sets where a local cluster's dashboard listens
// ("127.0.0.1:8787"); the default is a free port on 127.0.0.1, and "off"
// serves none. Client.Dashboard returns its link.
func LocalDashboard(addr string) Option { return func(o *connectOptions) { o.local.Dashboard = addr } }

// Token sets the token presented to a remote scheduler. Without Token or
// TokenFile, Connect reads the DUSK_TOKEN environment variable (or
// DUSK_COMM__TOKEN), then the file DUSK_COMM__TOKEN_FILE names.
func Token(t string) Option { return func(o *connectOptions) { o.token = t } }

// TokenFile names a file holding the token for a remote scheduler (as
// dusk scheduler --token-file writes it). The file must be readable by
// its owner only (see wire.ReadTokenFile). Token wins over TokenFile.
func TokenFile(path string) Option { return func(o *connectOptions) { o.security.TokenFile = path } }

// SchedulerFile connects to the scheduler whose address is in the file at
// path, as dusk scheduler --scheduler-file writes it (give Connect an
// empty address). If the file is not there yet, Connect waits for it until
// ctx ends: a batch job's client may start before its scheduler.
func SchedulerFile(path string) Option { return func(o *connectOptions) { o.schedFile = path } }

// TLS sets the files for mutual TLS with a remote scheduler.
func TLS(certFile, keyFile, caFile string) Option {
	return func(o *connectOptions) {
		o.security.CertFile, o.security.KeyFile, o.security.CAFile = certFile, keyFile, caFile
	}
}

// Logger sets where the client (and a local cluster) logs.
func Logger(l *slog.Logger) Option {
	return func(o *connectOptions) { o.logger = l; o.local.Logger = l }
}

// Connect connects to the scheduler at addr ("tcp://host:port" or
// "host:port"). An empty addr starts a local cluster in this process (a
// scheduler and workers; see the Local options) and connects to it;
// closing the client stops it.
func Connect(ctx context.Context, addr string, opts ...Option) (*Client, error) {
	var o connectOptions
	for _, f := range opts {
		f(&o)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	var local *cluster.Local
	sec := o.security
	if o.schedFile != "" {
		if addr != "" {
			return nil, fmt.Errorf("dusk: Connect was given the address %s and a scheduler file; give one", addr)
		}
		f, err := wire.ReadSchedulerFile(ctx, o.schedFile)
		if err != nil {
			return nil, fmt.Errorf("dusk: %w", err)
		}
		addr = f.Address
	}
	if addr == "" {
		o.local.Version = Version
		l, err := cluster.Start(ctx, o.local)
		if err != nil {
			return nil, fmt.Errorf("dusk: starting a local cluster: %w", err)
		}
		local = l
		addr = l.Address()
		sec.Token = l.Token()
	} else {
		sec.Token = o.token
		if sec.Token == "" && sec.TokenFile == "" {
			sec.Token = cmp.Or(os.Getenv(config.EnvToken), os.Getenv(config.EnvName("comm.token")))
			sec.TokenFile = os.Getenv(config.EnvName("comm.token-file"))
		}
		var err error
		if sec, err = sec.Resolve(); err != nil {
			return nil, err
		}
		if sec.Token == "" {
			return nil, errors.New("dusk: connecting to " + addr + " needs the scheduler's token: pass dusk.Token(...) or dusk.TokenFile(...), or set DUSK_TOKEN (dusk scheduler prints it when it starts, or writes it to its --token-file)")
		}
	}
	cfg := o.local.Config
	if cfg == nil {
		var err error
		if cfg, _, err = config.Load(); err != nil {
			if local != nil {
				local.Close()
			}
			return nil, err
		}
	}
	c, err := dial(ctx, addr, sec, o.logger, cfg)
	if err != nil {
		if local != nil {
			local.Close()
		}
		return nil, err
	}
	c.local = local
	if o.ship && local == nil {
		// A local cluster runs this program already.
		if _, err := c.ShipBinary(ctx); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Config returns the client's settings: those given with LocalConfig, or
// else the defaults, the YAML file, DUSK_ variables and config.Set in code
// as they were at Connect. Graph optimization (optimization.*) and the
// dataframe package (dataframe.*) read them.
func (c *Client) Config() *config.Config { return c.cfg }

func dial(ctx context.Context, addr string, sec wire.Security, log *slog.Logger, cfg *config.Config) (*Client, error) {
	cc, err := sec.Dial(addr)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	c := &Client{
		addr:       wire.StripScheme(addr),
		target:     addr,
		token:      sec.Token,
		log:        log.With("component", "client"),
		cc:         cc,
		sched:      pb.NewSchedulerClient(cc),
		out:        wire.NewBatcher[pb.ClientBatch](),
		loops:      newLoopWatch(),
		peers:      transfer.NewPool(sec),
		runCtx:     runCtx,
		cancel:     cancel,
		done:       make(chan struct{}),
		cfg:        cfg,
		reconnect:  cfg.Duration("client.reconnect-timeout"),
		graphChunk: defaultGraphChunk,
		futures:    make(map[graph.Key]*futureState),
		stalled:    make(map[graph.Key]string),
		lineage:    newLineage(),
		up:         make(chan struct{}),
	}
	close(c.up)
	stream, err := c.open(ctx)
	if err != nil {
		cancel()
		cc.Close()
		return nil, err
	}
	if err := c.refreshWorkerFuncs(ctx); err != nil {
		c.log.Warn("could not list the workers' functions", "err", err)
	}
	go c.run(stream)
	return c, nil
}

// open starts a session with the scheduler: a stream on which the client
// says hello, under a fresh ID (a scheduler that still knows an earlier
// session of this client removes it on its own), and is welcomed. ctx
// bounds the wait for the welcome; the stream lasts as long as the client.
func (c *Client) open(ctx context.Context) (pb.Scheduler_ClientClient, error) {
	stream, err := c.sched.Client(c.runCtx)
	if err != nil {
		return nil, wire.Explain(err, "scheduler "+c.target)
	}
	hello := &pb.ClientHello{Id: "client-" + wire.NewToken()[:12], Fingerprint: registry.Default.Fingerprint()}
	for _, e := range registry.Default.Entries() {
		hello.Registry = append(hello.Registry, &pb.RegistryEntry{Name: e.Name, Signature: e.Signature})
	}
	if err := stream.Send(&pb.ClientBatch{Msgs: []*pb.ClientMsg{{Msg: &pb.ClientMsg_Hello{Hello: hello}}}}); err != nil {
		return nil, wire.Explain(wire.StreamError(err, stream.RecvMsg), "scheduler "+c.target)
	}
	welcomed := make(chan error, 1)
	go func() {
		b, err := stream.Recv()
		if err != nil {
			welcomed <- err
			return
		}
		evs := b.GetEvents()
		if len(evs) == 0 || evs[0].GetWelcome() == nil {
			welcomed <- errors.New("the scheduler did not welcome the client")
			return
		}
		if w := evs[0].GetWelcome().GetWarning(); w != "" {
			c.log.Warn(w)
		}
		welcomed <- nil
	}()
	select {
	case err := <-welcomed:
		if err != nil {
			return nil, wire.Explain(err, "scheduler "+c.target)
		}
		return stream, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// run serves sessions until the client closes or the scheduler stays out
// of reach past the reconnect timeout: then every pending future fails.
func (c *Client) run(stream pb.Scheduler_ClientClient) {
	for {
		sctx, stop := context.WithCancel(c.runCtx)
		go func() {
			if err := c.out.Run(sctx, stream.Send); err == nil {
				_ = stream.CloseSend()
			}
		}()
		err := c.receive(stream)
		stop()
		if c.isClosed() {
			c.fail(nil)
			return
		}
		if c.reconnect <= 0 {
			if errors.Is(err, io.EOF) {
				err = errors.New("the scheduler ended the connection")
			}
			c.fail(err)
			return
		}
		if stream, err = c.resume(err); err != nil || stream == nil {
			c.fail(err) // nil: closed meanwhile
			return
		}
	}
}

// receive applies what the scheduler reports about keys until the stream
// ends, and returns why it ended.
func (c *Client) receive(stream pb.Scheduler_ClientClient) error {
	for {
		b, err := stream.Recv()
		if err != nil {
			return err
		}
		c.mu.Lock()
		for _, ev := range b.GetEvents() {
			c.apply(ev)
		}
		if m := b.GetMemory(); m != nil {
			c.applyMemory(m)
		}
		c.mu.Unlock()
	}
}

// ReconnectTimeout returns how long the client tries to reconnect to a
// scheduler it lost (client.reconnect-timeout) before its futures fail.
func (c *Client) ReconnectTimeout() time.Duration { return c.reconnect }

// apply updates a future's state; c.mu is held.
func (c *Client) apply(ev *pb.ClientEvent) {
	switch x := ev.GetEv().(type) {
	case *pb.ClientEvent_Memory:
		m := x.Memory
		delete(c.stalled, graph.Key(m.GetKey()))
		if fs := c.futures[graph.Key(m.GetKey())]; fs != nil {
			fs.addrs = c.interned.addrs(m.GetAddresses())
			fs.nbytes, fs.typ = m.GetNbytes(), c.interned.str(m.GetType())
			fs.version++
			fs.finish(Finished, nil)
		}
	case *pb.ClientEvent_Erred:
		if fs := c.futures[graph.Key(x.Erred.GetKey())]; fs != nil {
			fs.finish(Erred, wire.TaskErrorFromPB(x.Erred.GetError()))
		}
	case *pb.ClientEvent_Cancelled:
		k := graph.Key(x.Cancelled.GetKey())
		fs := c.futures[k]
		switch {
		case fs == nil:
		case c.reclaiming[k]:
			fs.finish(Lost, &LostError{Key: Key(k)})
		default:
			fs.finish(Cancelled, &CancelledError{Key: Key(k), Reason: x.Cancelled.GetReason()})
		}
		delete(c.reclaiming, k)
	case *pb.ClientEvent_Coord:
		c.applyCoord(x.Coord)
	case *pb.ClientEvent_Synced:
		if ch := c.syncs[x.Synced.GetId()]; ch != nil {
			close(ch)
			delete(c.syncs, x.Synced.GetId())
		}
	case *pb.ClientEvent_Stalled:
		k := graph.Key(x.Stalled.GetKey())
		if _, seen := c.stalled[k]; !seen {
			c.log.Warn("a task cannot run on any worker now; it waits for one", "key", k, "reason", x.Stalled.GetReason())
		}
		c.stalled[k] = x.Stalled.GetReason()
	}
}

// applyMemory records keys now in memory; c.mu is held.
func (c *Client) applyMemory(m *pb.MemoryReports) {
	addrs := m.GetAddresses()
	for i, k := range m.GetKeys() {
		n := 0
		if i < len(m.GetNaddr()) {
			n = int(m.GetNaddr()[i])
		}
		n = min(n, len(addrs))
		held := addrs[:n:n]
		addrs = addrs[n:]
		delete(c.stalled, graph.Key(k))
		fs := c.futures[graph.Key(k)]
		if fs == nil {
			continue
		}
		fs.addrs = c.interned.addrs(held)
		if i < len(m.GetNbytes()) {
			fs.nbytes = m.GetNbytes()[i]
		}
		if i < len(m.GetType()) {
			fs.typ = c.interned.str(m.GetType()[i])
		}
		fs.version++
		fs.finish(Finished, nil)
	}
}

// fail ends every pending future when the connection to the scheduler is
// lost.
func (c *Client) fail(err error) {
	if err == nil {
		err = errors.New("dusk: the client is closed")
	} else {
		err = wire.Explain(fmt.Errorf("lost the connection to the scheduler: %w", err), "scheduler "+c.target)
	}
	c.mu.Lock()
	c.connErr = err
	for _, fs := range c.futures {
		if fs.status == Pending {
			fs.finish(Lost, err)
		} else {
			fs.wake() // a gather waiting for a recomputation
		}
	}
	c.mu.Unlock()
	close(c.done)
}

func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// Close releases the client's futures, disconnects, and stops a local
// cluster the client started.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	c.out.Close()
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
	}
	c.cancel()
	// Every future has ended (fail ran when the stream closed); the ones
	// the program still holds keep their own state, so the client needs
	// its table no more.
	c.mu.Lock()
	c.futures, c.futuresPeak = make(map[graph.Key]*futureState), 0
	c.lineage = newLineage()
	c.mu.Unlock()
	c.peers.Close()
	err := c.cc.Close()
	if c.local != nil {
		if cerr := c.local.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// sync waits until the scheduler has applied everything this client sent
// before the call.
func (c *Client) sync(ctx context.Context) error {
	c.mu.Lock()
	c.syncID++
	id := c.syncID
	ch := make(chan struct{})
	if c.syncs == nil {
		c.syncs = map[uint64]chan struct{}{}
	}
	c.syncs[id] = ch
	c.mu.Unlock()
	if err := c.send(&pb.ClientMsg{Msg: &pb.ClientMsg_Sync{Sync: &pb.Sync{Id: id}}}); err != nil {
		return err
	}
	select {
	case <-ch:
		return nil
	case <-c.done:
		return c.connErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Scheduler returns the scheduler's address.
func (c *Client) Scheduler() string { return c.addr }

// Local returns the local cluster the client started, or nil when it
// connected to a running scheduler.
func (c *Client) Local() *LocalCluster {
	if c.local == nil {
		return nil
	}
	return &LocalCluster{l: c.local}
}

// Stalled returns the keys that no worker can run now, with the reason.
func (c *Client) Stalled() map[Key]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[Key]string, len(c.stalled))
	for k, r := range c.stalled {
		out[Key(k)] = r
	}
	return out
}

func (c *Client) send(msgs ...*pb.ClientMsg) error {
	if !c.out.Edit(func(b *pb.ClientBatch) {
		// Releases queued before these messages must stay before them:
		// the scheduler applies the release column after the messages.
		if len(b.Release) > 0 {
			b.Msgs = append(b.Msgs, &pb.ClientMsg{Msg: &pb.ClientMsg_Release{Release: &pb.ReleaseKeys{Keys: b.Release}}})
			b.Release = nil
		}
		b.Msgs = append(b.Msgs, msgs...)
	}) {
		return errors.New("dusk: the client is closed")
	}
	// connErr is set, under the lock, before any future is failed: a
	// caller that saw its future lost sees the error here too.
	c.mu.Lock()
	err := c.connErr
	c.mu.Unlock()
	return err
}

// WorkerInfo describes a connected worker.
type WorkerInfo struct {
	ID          string
	Address     string
	Name        string
	Threads     int
	Resources   map[string]float64
	MemoryLimit int64
	Status      string
	// NBytes is the size of the task results it holds; Processing the
	// tasks assigned to it.
	NBytes     int64
	Processing int
	// Memory is the worker's memory at its last heartbeat.
	Memory WorkerMemory
	// Bandwidth is the bytes per second its fetches of data from other
	// workers reached lately, as it last reported (an average over
	// fetches of at least a megabyte; 0 before the first). The scheduler
	// weighs moving a task's inputs against its run time with the mean of
	// the workers' figures, and with scheduler.bandwidth until one has
	// one.
	Bandwidth float64
}

// WorkerMemory is a worker's memory as it last reported it.
type WorkerMemory struct {
	// Process is the memory of the worker's process (resident set size).
	Process int64
	// Managed is the size of the values it holds in memory; Unmanaged the
	// rest of Process (the Go runtime, running tasks, garbage), and
	// UnmanagedRecent the part of that which appeared in the last 30
	// seconds.
	Managed         int64
	Unmanaged       int64
	UnmanagedRecent int64
	// Spilled is the size in memory of the values it wrote to disk,
	// SpilledKeys their number and SpilledDisk the bytes of their files.
	Spilled     int64
	SpilledKeys int64
	SpilledDisk int64
	// SpillFailed: its last attempt to spill failed (its spill directory
	// is full); it pauses while above target.
	SpillFailed bool
}

// Workers returns the workers connected to the scheduler.
func (c *Client) Workers(ctx context.Context) ([]WorkerInfo, error) {
	id, err := c.sched.Identity(ctx, &pb.IdentityRequest{})
	if err != nil {
		return nil, wire.Explain(err, "scheduler "+c.target)
	}
	out := make([]WorkerInfo, 0, len(id.GetWorkers()))
	for _, w := range id.GetWorkers() {
		out = append(out, WorkerInfo{ID: w.GetId(), Address: w.GetAddress(), Name: w.GetName(), Threads: int(w.GetNthreads()),
			Resources: w.GetResources(), MemoryLimit: w.GetMemoryLimit(), Status: w.GetStatus(),
			NBytes: w.GetNbytes(), Processing: int(w.GetProcessing()),
			Memory: WorkerMemory{Process: w.GetProcess(), Managed: w.GetManaged(), Unmanaged: w.GetUnmanaged(),
				UnmanagedRecent: w.GetUnmanagedRecent(), Spilled: w.GetSpilled(), SpilledKeys: w.GetSpilledKeys(),
				SpilledDisk: w.GetSpilledDisk(), SpillFailed: w.GetSpillFailed()},
			Bandwidth: w.GetBandwidth()})
	}
	return out, nil
}
