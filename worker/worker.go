package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/registry"
	"github.com/dusk-go/dusk/task"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
	"github.com/dusk-go/dusk/worker/exec"
	wstate "github.com/dusk-go/dusk/worker/state"
	"github.com/dusk-go/dusk/worker/store"
	"github.com/dusk-go/dusk/worker/transfer"
)

// ErrRestart is returned by Run when the scheduler asked for the worker to
// be replaced (Client.Restart): its supervisor starts a fresh one.
var ErrRestart = errors.New("dusk: the scheduler asked for this worker to restart")

// RefusedError is returned by Run when the scheduler refused the worker
// (a worker plugin's Setup failed). Restarting it would fail again.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "dusk: the scheduler refused this worker: " + e.Reason }

// Options configure a worker.
type Options struct {
	// Scheduler is the scheduler's address ("host:port" or "tcp://host:port").
	Scheduler string
	// Security holds the token and optional TLS files.
	Security wire.Security
	// Listener serves peers and clients; if nil the worker listens on
	// Host:Port (Host defaults to 127.0.0.1, Port 0 picks a free port).
	Listener net.Listener
	Host     string
	Port     int
	// Name is a human name for the worker (optional).
	Name string
	// NThreads is how many tasks run at once; 0 means the number of CPUs.
	NThreads int
	// Resources the worker supplies, such as {"GPU": 1}.
	Resources map[string]float64
	// MemoryLimit in bytes (0: none). The worker spills, pauses and, under
	// a nanny, is restarted at fractions of it (store.Thresholds).
	MemoryLimit int64
	// Thresholds are the fractions of MemoryLimit at which the worker
	// spills, pauses and is restarted; nil means store.DefaultThresholds.
	Thresholds *store.Thresholds
	// MemoryMonitorInterval is how often the worker measures its memory
	// (default 100ms).
	MemoryMonitorInterval time.Duration
	// MaxSpill bounds the bytes the worker keeps in its spill directory
	// (0: no bound). Past it, values stay in memory and the worker pauses
	// while it is above target.
	MaxSpill int64
	// GCHeapFloor, if positive and the worker owns its process, is how
	// many bytes the process's Go heap may grow past what was live before
	// the next collection (package internal/gcfloor; from
	// worker.memory.gc-heap-floor, 64 MiB). 0 keeps Go's default.
	GCHeapFloor int64
	// OwnsProcess says the worker is alone in its process, as a worker
	// process started by a nanny or a cluster is. It then compares the
	// whole process's memory with its thresholds, and gives Go's garbage
	// collector a soft limit (GOMEMLIMIT, see store.Thresholds.GoMemoryLimit)
	// unless the environment sets one. A worker that shares its process
	// with a program and other workers measures only the values it holds.
	OwnsProcess bool
	// SharedProcess, for a worker that shares its process with other
	// workers (an in-process local cluster gives them one), divides the
	// process's memory among them in the worker's reports: each reports its
	// own managed memory and an equal share of the rest.
	SharedProcess *store.SharedProcess
	// Registry holds the functions the worker can run; nil means
	// registry.Default.
	Registry *registry.Registry
	// HeartbeatInterval is how often the worker reports (default 500ms).
	HeartbeatInterval time.Duration
	// ChunkSize is the size of the pieces a value is cut into when it is
	// sent to peers (default transfer.DefaultChunkSize, 8 MiB).
	ChunkSize int
	// MaxFetches bounds the fetches from peers in flight at once, one per
	// peer at most (default 50).
	MaxFetches int
	// DeathTimeout is how long the scheduler may stay out of reach before
	// the worker gives up (see Serve); 0 never. Serve reads it.
	DeathTimeout time.Duration
	// Lifetime is how long the worker lives before it retires gracefully;
	// 0 lives on. LifetimeStagger spreads it: each worker's lifetime is
	// moved by a random amount up to that much either way (see
	// ServeOptions.Lifetime). LifetimeRestart has its nanny start it again
	// fresh. Serve reads them.
	Lifetime        time.Duration
	LifetimeStagger time.Duration
	LifetimeRestart bool
	// RefuseBinaries keeps the worker on its own executable when a client
	// ships another (worker.accept-binaries=false).
	RefuseBinaries bool
	// ConnectTimeout bounds the wait for the scheduler to be reachable
	// (default 10s).
	ConnectTimeout time.Duration
	// Logger receives the worker's log; nil means slog.Default().
	Logger *slog.Logger
	// Version is reported to the scheduler.
	Version string
	// MetricsAddress is where the worker serves Prometheus metrics and
	// pprof, behind the token ("127.0.0.1:9100"; port 0 picks one); empty
	// serves none.
	MetricsAddress string
	// LocalDirectory is where the worker makes its own directory, which
	// holds its spill files (in "spill") and scratch files, and which it
	// removes when it closes; empty means the OS temporary directory
	// (worker.spill-directory).
	LocalDirectory string
	// Directory, when set, is the worker's own directory, made for it by
	// its nanny, which removes it once the process ended: a fresh worker
	// always starts with a clean spill directory.
	Directory string
}

// Worker is a dusk worker.
type Worker struct {
	opts  Options
	log   *slog.Logger
	reg   *registry.Registry
	store *store.Store
	run   exec.Runner
	addr  string
	id    atomic.Pointer[string] // the ID the scheduler gave, once welcomed
	l     net.Listener
	srv   *grpc.Server
	peers *transfer.Pool

	// out batches messages for the scheduler; each session has its own,
	// so that nothing queued for a lost scheduler reaches the next one.
	out atomic.Pointer[wire.Batcher[pb.WorkerBatch]]

	mu sync.Mutex    // protects st; held while its instructions are carried out
	st *wstate.State // the task bookkeeping

	// running holds, per thread, the context of the run last started
	// there (a thread runs one task at a time, even one cancelled);
	// guarded by mu.
	running []*taskContext
	// tail is the runner reporting its task's run while it holds mu: a
	// task the report lets start goes to it (see execute).
	tail *runner

	pluginsMu sync.Mutex // protects plugins
	plugins   map[string]task.Plugin

	exts   extensions
	actors *actorTable
	mem    *store.Monitor

	dirMu  sync.Mutex     // protects dir and ownDir
	dir    string         // the worker's directory, once created
	ownDir *store.WorkDir // set when the worker made (and locked) it

	cpu               cpuMeter      // CPU use between heartbeats; heartbeat goroutine only
	cores             atomic.Uint64 // its last figure, as float64 bits, for every heartbeat
	metricsL          net.Listener  // the metrics listener, if configured; set by New
	metricsURL        string
	bytesIn, bytesOut atomic.Int64
	fetchRate         fetchRate    // what fetches from peers reach, for heartbeats
	profiling         atomic.Int32 // CPU profiles being recorded of this worker's process
	retire            chan struct{}
	retireOnce        sync.Once
	ctx               context.Context
	connected         atomic.Bool // the scheduler welcomed its last session (Serve tells outages apart)

	// live is set while what start began runs (Run's goroutine only);
	// keep makes Run leave it running when the scheduler is lost (Serve).
	live, keep  bool
	served      chan struct{} // closed when the data server stopped
	stopMetrics func()
	// sessions counts the sessions ended; a task or fetch of an earlier
	// one drops its result. inflight counts the tasks and fetches under
	// way. Both are changed under mu.
	sessions atomic.Uint64
	inflight inflight
	taskCPU  *taskCPU // measures a sample of task runs
	// runners run the tasks, a goroutine kept from task to task.
	runners runners
}

// New prepares a worker; Run connects it.
func New(opts Options) (*Worker, error) {
	if opts.Scheduler == "" {
		return nil, errors.New("dusk: a worker needs the scheduler's address")
	}
	if opts.NThreads <= 0 {
		opts.NThreads = runtime.NumCPU()
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = 500 * time.Millisecond
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = transfer.DefaultChunkSize
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Registry == nil {
		opts.Registry = registry.Default
	}
	if opts.Thresholds == nil {
		th := store.DefaultThresholds()
		opts.Thresholds = &th
	}
	if err := opts.Thresholds.Validate(); err != nil {
		return nil, err
	}
	if opts.MemoryLimit < 0 {
		return nil, fmt.Errorf("dusk: a worker's memory limit cannot be negative (%d)", opts.MemoryLimit)
	}
	w := &Worker{
		taskCPU: newTaskCPU(opts.NThreads),
		opts:    opts,
		reg:     opts.Registry,
		store:   store.NewStore(),
		plugins: make(map[string]task.Plugin),
		actors:  newActorTable(),
		retire:  make(chan struct{}),
		runners: runners{max: opts.NThreads + 1},
	}
	w.out.Store(wire.NewBatcher[pb.WorkerBatch]()) // each session replaces it
	w.peers = transfer.NewPool(opts.Security)
	l := opts.Listener
	if l == nil {
		var err error
		l, err = wire.Listen(context.Background(), opts.Host, opts.Port)
		if err != nil {
			return nil, err
		}
	}
	w.l = l
	if err := w.listenMetrics(); err != nil {
		l.Close()
		return nil, err
	}
	w.addr = l.Addr().String()
	w.setID(w.addr)
	w.log = opts.Logger.With("component", "worker", "worker", w.addr)
	w.store.SetLogger(w.log)
	w.store.Observe(w.spillReported)
	w.run = exec.Runner{Registry: w.reg, Values: w.store, Worker: w.addr}
	w.mem = store.NewMonitor(w.store, opts.MemoryLimit, *opts.Thresholds, opts.MemoryMonitorInterval, opts.OwnsProcess, w.log)
	if opts.SharedProcess != nil {
		w.mem.ShareProcess(opts.SharedProcess)
	}
	w.mem.OnPause = w.pauseChanged
	return w, nil
}

func (w *Worker) setID(id string) { w.id.Store(&id) }

// ID returns the worker's ID at the scheduler (its address until it is
// welcomed).
func (w *Worker) ID() string { return *w.id.Load() }

// Address returns where peers and clients reach the worker.
func (w *Worker) Address() string { return w.addr }

// Store returns the worker's store.
func (w *Worker) Store() *store.Store { return w.store }

func (w *Worker) info() *task.WorkerInfo {
	return &task.WorkerInfo{ID: w.ID(), Address: w.addr, Name: w.opts.Name, NThreads: w.opts.NThreads,
		Resources: w.opts.Resources, MemoryLimit: w.opts.MemoryLimit}
}

// Retire asks the scheduler to let the worker go gracefully: it gets no new
// tasks, its data is copied to other workers, then Run returns nil.
func (w *Worker) Retire() {
	w.retireOnce.Do(func() { close(w.retire) })
}

// Run connects to the scheduler and works until ctx ends (nil), the
// scheduler closes the worker (nil), asks for a restart (ErrRestart),
// refuses it (*RefusedError), or cannot be reached or is lost (a
// *SchedulerError). The worker's data server, store and directory live
// until Run returns, except for a worker that Serve runs: when its
// scheduler is lost, they live on for Serve to run it again, and it
// registers with the next scheduler the results it kept.
func (w *Worker) Run(ctx context.Context) (err error) {
	if !w.live {
		if err := w.start(); err != nil {
			return err
		}
	}
	defer func() {
		var se *SchedulerError
		if w.keep && errors.As(err, &se) {
			return // Serve runs it again (see Serve)
		}
		w.stop()
	}()
	return w.session(ctx)
}

// start brings up what lives as long as the worker: its data server for
// peers and clients, its metrics, and its memory limit.
func (w *Worker) start() error {
	gopts, err := w.opts.Security.ServerOptions(w.log)
	if err != nil {
		return err
	}
	w.stopMetrics = w.serveMetrics()
	w.actors.open()
	w.runners.open()
	w.srv = grpc.NewServer(gopts...)
	pb.RegisterWorkerServer(w.srv, &dataService{w: w})
	w.served = make(chan struct{})
	go func() {
		defer close(w.served)
		if err := w.srv.Serve(w.l); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			w.log.Error("serving peers stopped", "err", err)
		}
	}()
	w.live = true
	if err := w.startMemory(); err != nil {
		w.stop()
		return err
	}
	return nil
}

// stop ends what start began, drops the worker's data and removes its
// directory.
func (w *Worker) stop() {
	w.live = false
	defer w.removeScratch()
	tctx, tcancel := context.WithTimeout(context.Background(), 10*time.Second)
	w.teardownPlugins(tctx)
	tcancel()
	w.actors.closeAll(w.log) // before the server stops: it ends their callers' streams
	stopGRPC(w.srv, 2*time.Second)
	<-w.served
	w.stopMetrics()
	w.peers.Close()
	w.closeExtensions()
	w.store.Clear()
	w.runners.close()
}

// session works for one scheduler connection. When it ends, the tasks
// running are cancelled and the fetches under way end; the results kept
// in the store stay, for Run to drop or for the next session to register,
// and so does what the extensions hold (a shuffle's received pieces, which
// the kept results of its transfers count on). Extensions close with the
// worker.
func (w *Worker) session(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w.connected.Store(false) // until this session is welcomed
	// Tasks reach their worker through their context (task.FromContext).
	w.mu.Lock()
	w.ctx = task.NewContext(ctx, &taskRuntime{w: w})
	w.mu.Unlock()
	out := wire.NewBatcher[pb.WorkerBatch]()
	w.out.Store(out)
	monitorCtx, stopMonitor := context.WithCancel(ctx)
	monitored := make(chan struct{})
	monitoring := false
	defer func() {
		stopMonitor()
		if monitoring {
			<-monitored
		}
		w.endSession()
	}()

	cc, err := w.opts.Security.Dial(w.opts.Scheduler)
	if err != nil {
		return err
	}
	defer cc.Close()
	// The scheduler may be starting (or restarting): wait for it, up to
	// the connect timeout.
	wait, cancelWait := context.WithTimeout(ctx, w.opts.ConnectTimeout)
	_, err = pb.NewSchedulerClient(cc).Identity(wait, &pb.IdentityRequest{}, grpc.WaitForReady(true))
	cancelWait()
	if err != nil {
		return w.schedulerError(err)
	}
	stream, err := pb.NewSchedulerClient(cc).Worker(ctx)
	if err != nil {
		return w.schedulerError(err)
	}
	held := w.store.Held()
	reg := &pb.RegisterWorker{Address: w.addr, Name: w.opts.Name, Nthreads: int32(w.opts.NThreads),
		Resources: w.opts.Resources, MemoryLimit: w.opts.MemoryLimit, Fingerprint: w.reg.Fingerprint(),
		Pid: int32(os.Getpid()), Version: w.opts.Version,
		BuildId: registry.BuildID(), Goos: runtime.GOOS, Goarch: runtime.GOARCH, Supervised: w.switchable()}
	for _, e := range w.reg.Entries() {
		reg.Registry = append(reg.Registry, &pb.RegistryEntry{Name: e.Name, Signature: e.Signature})
	}
	for _, h := range held {
		reg.Held = append(reg.Held, &pb.HeldKey{Key: string(h.Key), Nbytes: h.NBytes, Type: h.Type})
	}
	if err := stream.Send(&pb.WorkerBatch{Msgs: []*pb.WorkerMsg{{Msg: &pb.WorkerMsg_Register{Register: reg}}}}); err != nil {
		return w.schedulerError(wire.StreamError(err, stream.RecvMsg))
	}
	welcome, err := stream.Recv()
	if err != nil {
		return w.schedulerError(err)
	}
	if len(welcome.GetCmds()) > 0 && welcome.GetCmds()[0].GetSwitchBinary() != nil {
		// The cluster runs another build: fetch it, for the nanny to
		// start in place of this process.
		return w.switchBinary(ctx, pb.NewSchedulerClient(cc), welcome.GetCmds()[0].GetSwitchBinary().GetBinary())
	}
	if len(welcome.GetCmds()) == 0 || welcome.GetCmds()[0].GetWelcome() == nil {
		return errors.New("dusk: the scheduler did not welcome this worker")
	}
	// Peers and clients may call in (PutData, Run) as soon as the
	// scheduler has announced this worker, which is before this line runs:
	// the bookkeeping is set under w.mu, which they read under (and the
	// metrics listener reads the state from now on).
	w.setID(welcome.GetCmds()[0].GetWelcome().GetId())
	w.connected.Store(true)
	// Incoming transfers together stay within a tenth of the memory limit
	// (Dask's worker.memory.transfer).
	w.mu.Lock()
	w.st = wstate.New(wstate.Config{Address: w.addr, NThreads: w.opts.NThreads, Resources: w.opts.Resources,
		MaxFetches: w.opts.MaxFetches, FlightBytes: w.opts.MemoryLimit / 10})
	if len(held) > 0 {
		// What it kept is in memory here, as the scheduler was told.
		ks := make([]graph.KeySize, len(held))
		for i, h := range held {
			ks[i] = graph.KeySize{Key: h.Key, NBytes: h.NBytes}
		}
		w.st.Handle(&wstate.Stored{Keys: ks})
		w.carryOut()
	}
	w.mu.Unlock()
	// The memory monitor runs from now on: it may pause the state machine.
	monitoring = true
	go func() {
		defer close(monitored)
		w.mem.Run(monitorCtx)
	}()
	w.log.Info("worker connected", "scheduler", w.opts.Scheduler, "threads", w.opts.NThreads, "results kept", len(held))
	// A first report at once: the scheduler knows the worker's memory
	// before it runs anything (a worker killed by its first task is then
	// still described in a KilledWorker error).
	w.heartbeat()

	// Commands are applied by the goroutine that receives them, and task
	// outcomes by the goroutine that ran the task: no hop through a loop
	// goroutine on the critical path of a task.
	stop := make(chan error, 1)
	recvErr := make(chan error, 1)
	received := make(chan struct{})
	go func() {
		defer close(received)
		for {
			b, err := stream.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			if done, err := w.commands(ctx, b); done {
				stop <- err
				return
			}
		}
	}()
	// No command of this session is applied once it ended.
	defer func() { cancel(); <-received }()
	sendErr := make(chan error, 1)
	sendDone := make(chan struct{})
	go func() {
		defer close(sendDone)
		sendErr <- out.Run(ctx, stream.Send)
	}()
	defer func() {
		// Send what is queued, then end the stream: CloseSend must not run
		// while the sender is in Send.
		out.Close()
		select {
		case <-sendDone:
		case <-time.After(5 * time.Second):
		}
		_ = stream.CloseSend()
	}()
	beat := time.NewTicker(w.opts.HeartbeatInterval)
	defer beat.Stop()
	retire := w.retire
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-stop:
			return err
		case err := <-recvErr:
			if ctx.Err() != nil {
				return nil
			}
			return w.lostScheduler(err)
		case err := <-sendErr:
			if err != nil && ctx.Err() == nil {
				// The receiving side has the scheduler's reason, if it gave one.
				select {
				case rerr := <-recvErr:
					err = rerr
				case <-time.After(time.Second):
				}
				return w.lostScheduler(err)
			}
			return nil
		case <-beat.C:
			w.heartbeat()
		case <-retire:
			retire = nil
			w.log.Info("retiring: handing data over before leaving")
			w.send(&pb.WorkerMsg{Msg: &pb.WorkerMsg_Retire{Retire: &pb.Retire{}}})
		}
	}
}

// endSession cancels the session's tasks and waits for them and its
// fetches to end (a task that ignores its cancellation for longer is left
// to finish on its own: its result is dropped), and forgets the session's
// bookkeeping. Results in the store stay.
func (w *Worker) endSession() {
	// From here on nothing of the session starts, and a task or fetch
	// that ends drops its result: what the store holds now is what the
	// next session registers.
	w.mu.Lock()
	w.sessions.Add(1)
	w.st = nil
	w.cancelRuns()
	w.mu.Unlock()
	if !w.inflight.wait(10 * time.Second) {
		w.log.Warn("tasks still running 10s after they were cancelled; their results will be dropped")
	}
}

// send queues messages for the scheduler.
func (w *Worker) send(msgs ...*pb.WorkerMsg) {
	w.outbox().Edit(func(b *pb.WorkerBatch) { b.Msgs = append(b.Msgs, msgs...) })
}

// outbox returns the batcher of the current session.
func (w *Worker) outbox() *wire.Batcher[pb.WorkerBatch] { return w.out.Load() }

// handle applies events to the task bookkeeping and carries out what it
// decides.
func (w *Worker) handle(evs ...wstate.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.st == nil {
		return // not connected yet
	}
	for _, ev := range evs {
		w.st.Handle(ev)
	}
	w.carryOut()
}

func stopGRPC(s *grpc.Server, grace time.Duration) {
	done := make(chan struct{})
	go func() { s.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		s.Stop()
	}
}
