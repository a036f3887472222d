package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	"github.com/dusk-go/dusk/diagnostics/dashboard"
	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/internal/gcfloor"
	"github.com/dusk-go/dusk/scheduler/state"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// Options configure a scheduler.
type Options struct {
	// Security holds the token (required) and optional TLS files.
	Security wire.Security
	// State configures the scheduling decisions.
	State state.Config
	// EventCapacity is how many diagnostic events the ring keeps.
	EventCapacity int
	// TickInterval is how often the state machine sees time pass
	// (heartbeat checks, work stealing). Default 100ms.
	TickInterval time.Duration
	// ClientTTL is how long a peer (client or worker) may leave the
	// scheduler's keepalive pings unanswered, half of it idle and half
	// waiting for the answer, before its connection is closed: a client
	// that hangs (stopped, or its machine gone) is then removed and its
	// tasks and data freed, as for one that exited. Default 20s.
	ClientTTL time.Duration
	// Logger receives the scheduler's log; nil means slog.Default().
	Logger *slog.Logger
	// Version is reported to peers.
	Version string
	// DashboardAddress is where the dashboard serves ("127.0.0.1:8787";
	// port 0 picks a free one); empty serves none.
	DashboardAddress string
	// Advise, if set, gives the dashboard the advisor's findings about the
	// scheduler's recent past (advisor.ForDashboard; see
	// dashboard.Options.Advise).
	Advise func(context.Context, dashboard.Source) (any, error)
	// StateDirectory, if set, is where the scheduler keeps its named
	// state (datasets, queued items, variables, set events) after every
	// change, and restores it from when it starts (statedir.go).
	StateDirectory string
	// GCHeapFloor, if positive, is how many bytes the process's Go heap
	// may grow past what was live before the next collection, while the
	// scheduler serves (package internal/gcfloor; from
	// scheduler.gc-heap-floor, 128 MiB). 0 keeps Go's default.
	GCHeapFloor int64
}

// Server is a running scheduler.
type Server struct {
	id   string
	opts Options
	// gcFloor lifts the process's heap floor (set by Serve).
	gcFloor func()
	log     *slog.Logger
	ring    *event.Ring
	grpc    *grpc.Server
	addr    string

	dashboard *dashboard.Server // nil unless Options.DashboardAddress is set

	snap      atomic.Pointer[event.Snapshot] // published every tick (snapshot.go)
	graphReqs chan graphRequest              // served by the ticker

	stMu  sync.Mutex   // protects st; held while its actions are dispatched
	st    *state.State // the scheduling state
	saved *stateDir    // where the named state is kept; nil: in memory only

	mu      sync.Mutex // protects the fields below
	workers map[string]*workerConn
	clients map[string]*clientConn
	plugins []*pb.InstallPlugin
	joined  chan struct{} // closed and replaced whenever a worker joins

	bins binaries // executables clients shipped (binary.go)

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	wg     sync.WaitGroup
}

// New returns a scheduler that serves on l once Serve is called.
func New(opts Options) (*Server, error) {
	if opts.EventCapacity <= 0 {
		opts.EventCapacity = 100000
	}
	if opts.TickInterval <= 0 {
		opts.TickInterval = 100 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.State.WorkerSaturation == 0 {
		opts.State = state.DefaultConfig()
	}
	ring := event.NewRing(opts.EventCapacity)
	// The state holds no more events at a time than the ring keeps, and
	// hands a huge batch of them to the ring as they accumulate.
	opts.State.MaxEvents = opts.EventCapacity
	opts.State.Sink = ring
	// The scheduler's own log lines are events too (for the dashboard and
	// the performance report), as well as going where they went before.
	logger := slog.New(event.NewLogHandler(opts.Logger.Handler(), ring, slog.LevelInfo)).With("component", "scheduler")
	if opts.ClientTTL <= 0 {
		opts.ClientTTL = 20 * time.Second
	}
	gopts, err := opts.Security.ServerOptions(logger)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		st:   state.New(opts.State),
		id:   "scheduler-" + wire.NewToken()[:8],
		opts: opts,
		log:  logger,
		grpc: grpc.NewServer(append(gopts, grpc.KeepaliveParams(keepalive.ServerParameters{
			Time: opts.ClientTTL / 2, Timeout: opts.ClientTTL / 2}))...),
		ring:    ring,
		workers: make(map[string]*workerConn),
		clients: make(map[string]*clientConn),
		joined:  make(chan struct{}),
		ctx:     ctx,
		cancel:  cancel,
		done:    make(chan struct{}),

		graphReqs: make(chan graphRequest),
	}
	if opts.StateDirectory != "" {
		d, named, err := openStateDir(opts.StateDirectory)
		if err != nil {
			cancel()
			return nil, err
		}
		s.saved = d
		if named != nil {
			s.st.RestoreCoord(named, state.At{Now: time.Now()})
			logger.Info("restored the named state a scheduler saved", "directory", opts.StateDirectory,
				"datasets", len(named.Datasets), "queues", len(named.Queues), "variables", len(named.Variables), "events set", len(named.Events))
		}
	}
	s.snap.Store(s.st.Snapshot(time.Now()))
	pb.RegisterSchedulerServer(s.grpc, &service{s: s})
	return s, nil
}

// Serve accepts connections on l until Close. It starts the state loop and
// returns once serving has begun; errors from the listener are logged.
func (s *Server) Serve(l net.Listener) {
	s.addr = l.Addr().String()
	s.gcFloor = gcfloor.Start(s.opts.GCHeapFloor)
	// The dashboard is set up before any call can ask for its address.
	s.startDashboard()
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.ticker() }()
	go func() {
		defer s.wg.Done()
		if err := s.grpc.Serve(l); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			s.log.Error("serving stopped", "err", err)
		}
	}()
	s.log.Info("scheduler serving", "address", s.addr, "id", s.id)
}

// Address returns the address the scheduler listens on.
func (s *Server) Address() string { return s.addr }

// ID returns the scheduler's unique ID.
func (s *Server) ID() string { return s.id }

// Events returns the ring of diagnostic events.
func (s *Server) Events() *event.Ring { return s.ring }

// Close stops the scheduler: connections end and the loop stops.
func (s *Server) Close() error {
	s.closeDashboard()
	s.cancel()
	stopped := make(chan struct{})
	go func() { s.grpc.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
	}
	s.wg.Wait()
	if s.gcFloor != nil {
		s.gcFloor()
	}
	return s.bins.close()
}

// withState runs f with the state, holding it, and carries out what f made
// the state decide. f must not keep the state. Only the scheduler's own
// services use it; diagnostics read Snapshot and the event ring.
func (s *Server) withState(ctx context.Context, f func(*state.State)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.ctx.Err() != nil {
		return errors.New("dusk: the scheduler is closed")
	}
	s.stMu.Lock()
	defer s.stMu.Unlock()
	f(s.st)
	s.flush()
	return nil
}

// submit hands events to the state machine and carries out its decisions.
// Events are applied by the goroutine that received them: there is no hop
// through a loop goroutine on the critical path of a task.
func (s *Server) submit(evs ...state.Event) {
	if s.ctx.Err() != nil {
		return
	}
	s.stMu.Lock()
	defer s.stMu.Unlock()
	for _, ev := range evs {
		s.st.Handle(ev)
	}
	s.flush()
}

// flush carries out what the state decided and acknowledges it; stMu is
// held.
func (s *Server) flush() {
	if s.saved != nil {
		// Before the replies go out: what a client heard done is on disk.
		s.saved.save(s.st, s.log)
	}
	s.dispatch(s.st.Ready())
	s.st.Advance()
}

func (s *Server) ticker() {
	t := time.NewTicker(s.opts.TickInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case now := <-t.C:
			s.tick(now)
		case req := <-s.graphReqs:
			req.reply <- s.buildGraph(req.limit)
		}
	}
}

func (s *Server) workerConn(id string) *workerConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.workers[id]
}

func (s *Server) clientConn(id string) *clientConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clients[id]
}

func (s *Server) address(id string) string {
	if w := s.workerConn(id); w != nil {
		return w.address
	}
	return id
}

func (s *Server) addresses(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = s.address(id)
	}
	return out
}

func errorf(format string, args ...any) error { return fmt.Errorf("dusk: "+format, args...) }
