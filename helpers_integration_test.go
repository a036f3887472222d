package dusk_test

// Shared helpers and registered functions of the integration tests. Every
// test starts its own local cluster on loopback; tasks that need to
// coordinate with the test (block, count, record an order) do so through
// package-level state, which in-process workers share with the test.
// Nothing waits on the clock: tests wait on futures, channels, or poll a
// condition under a generous deadline.

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/internal/testcluster"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/worker"
)

func testContext(t *testing.T) context.Context { return testcluster.Context(t) }

func quietLogger() *slog.Logger { return testcluster.QuietLogger() }

// newCluster starts a local cluster (2 in-process workers of 2 threads
// unless opts say otherwise) and a client, closed when the test ends; a
// failed test first shows the scheduler's and workers' state.
func newCluster(t *testing.T, ctx context.Context, opts ...dusk.Option) *dusk.Client {
	t.Helper()
	return testcluster.New(t, ctx, func(c *dusk.Client) { dumpState(t, c) }, opts...)
}

// waitUntil polls cond until it holds or ctx ends.
func waitUntil(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting until %s", what)
		case <-tick.C:
		}
	}
}

// waitClosed waits for ch to close or ctx to end.
func waitClosed(t *testing.T, ctx context.Context, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-ctx.Done():
		t.Fatalf("timed out waiting until %s", what)
	}
}

// workerAddrs returns the addresses of the running workers, sorted.
func workerAddrs(t *testing.T, ctx context.Context, c *dusk.Client) []string {
	t.Helper()
	ws, err := c.Workers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, w := range ws {
		if w.Status == "running" {
			out = append(out, w.Address)
		}
	}
	slices.Sort(out)
	return out
}

// workerBytes returns the bytes of results each worker holds, by address.
func workerBytes(t *testing.T, ctx context.Context, c *dusk.Client) map[string]int64 {
	t.Helper()
	ws, err := c.Workers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, w := range ws {
		out[w.Address] = w.NBytes
	}
	return out
}

// startWorker starts one more in-process worker for the client's local
// cluster and stops it when the test ends.
func startWorker(t *testing.T, c *dusk.Client, name string, threads int, resources map[string]float64) {
	t.Helper()
	startStoppableWorker(t, c, name, threads, resources)
}

// startStoppableWorker is startWorker, returning a function that stops
// the worker (as its process would be stopped) and waits until it has.
func startStoppableWorker(t *testing.T, c *dusk.Client, name string, threads int, resources map[string]float64) (stop func()) {
	t.Helper()
	w, err := worker.New(worker.Options{
		Scheduler: c.Scheduler(),
		Security:  wire.Security{Token: c.Local().Token()},
		Name:      name,
		NThreads:  threads,
		Resources: resources,
		Logger:    quietLogger(),
		Version:   dusk.Version,
	})
	if err != nil {
		t.Fatalf("starting worker %s: %v", name, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = w.Run(ctx)
	}()
	stop = func() {
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return stop
}

// ---- coordination state shared by tasks and tests (in-process workers) ----

// signals are named channels closed once: a task closes one to say it
// started, a test closes one to let a task go on.
var signals sync.Map // string -> *signal

type signal struct {
	once sync.Once
	ch   chan struct{}
}

func sig(name string) *signal {
	s, _ := signals.LoadOrStore(name, &signal{ch: make(chan struct{})})
	return s.(*signal)
}

func (s *signal) fire()              { s.once.Do(func() { close(s.ch) }) }
func (s *signal) C() <-chan struct{} { return s.ch }
func (s *signal) fired() bool {
	select {
	case <-s.ch:
		return true
	default:
		return false
	}
}

// counters count calls by name.
var counters sync.Map // string -> *atomic.Int64

func counter(name string) *atomic.Int64 {
	c, _ := counters.LoadOrStore(name, new(atomic.Int64))
	return c.(*atomic.Int64)
}

// orders record the order in which tasks of one test ran.
var (
	ordersMu sync.Mutex
	orders   = map[string][]int{}
)

func recordOrder(name string, tag int) {
	ordersMu.Lock()
	defer ordersMu.Unlock()
	orders[name] = append(orders[name], tag)
}

func orderOf(name string) []int {
	ordersMu.Lock()
	defer ordersMu.Unlock()
	return slices.Clone(orders[name])
}

// uniq returns a name unique to this test.
var uniqN atomic.Int64

func uniq(t *testing.T) string {
	return fmt.Sprintf("%s-%d", t.Name(), uniqN.Add(1))
}

// ---- registered functions ----

type point struct {
	X, Y int
	Tag  string
}

var (
	// With a context and an error.
	fInc     = dusk.Register("it.inc", func(ctx context.Context, x int) (int, error) { return x + 1, nil })
	fToFloat = dusk.Register("it.tofloat", func(x int) float64 { return float64(x) })
	// Without a context or an error.
	fAdd    = dusk.Register("it.add", func(a, b int) int { return a + b })
	fDouble = dusk.Register("it.double", func(x int) int { return 2 * x })
	fSum    = dusk.Register("it.sum", func(xs []int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	})
	// Variadic, with and without a fixed parameter.
	fSumV = dusk.Register("it.sumv", func(xs ...int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	})
	fJoin = dusk.Register("it.join", func(sep string, parts ...string) string {
		out := ""
		for i, p := range parts {
			if i > 0 {
				out += sep
			}
			out += p
		}
		return out
	})
	// With a context, no arguments.
	fAnswer = dusk.Register("it.answer", func(ctx context.Context) int { return 42 })
	// Only an error.
	fCheck = dusk.Register("it.check", func(ctx context.Context, x int) error {
		if x < 0 {
			return fmt.Errorf("check: %d is negative", x)
		}
		return nil
	})
	// Structs in and out.
	fMove = dusk.Register("it.move", func(p point, dx int) point { p.X += dx; p.Tag += "+"; return p })
	// Bytes.
	fBytes = dusk.Register("it.bytes", func(n int) []byte { return make([]byte, n) })
	fLen   = dusk.Register("it.len", func(b []byte) int { return len(b) })
	fPID   = dusk.Register("it.pid", func() int { return os.Getpid() })

	// count increments the counter name and returns x.
	fCount = dusk.Register("it.count", func(name string, x int) int {
		counter(name).Add(1)
		return x
	})
	// flaky fails the first n calls for name, then returns the attempt.
	fFlaky = dusk.Register("it.flaky", func(name string, n int) (int, error) {
		c := counter(name).Add(1)
		if c <= int64(n) {
			return 0, fmt.Errorf("flaky failure %d", c)
		}
		return int(c), nil
	})
	// block says it started, then runs until its context is cancelled,
	// and says so.
	fBlock = dusk.Register("it.block", func(ctx context.Context, name string) (int, error) {
		sig(name + "/started").fire()
		<-ctx.Done()
		sig(name + "/cancelled").fire()
		return 0, ctx.Err()
	})
	// gated waits until the test opens gate name, then returns x.
	fGated = dusk.Register("it.gated", func(ctx context.Context, name string, x int) (int, error) {
		sig(name + "/started").fire()
		select {
		case <-sig(name).C():
			return x, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	})
	// record appends tag to the order of name.
	fRecord = dusk.Register("it.record", func(name string, tag int) int {
		recordOrder(name, tag)
		return tag
	})
	// concurrent tracks how many calls for name run at once and keeps the
	// maximum; each call waits for the gate name to open.
	fConcurrent = dusk.Register("it.concurrent", func(ctx context.Context, name string) (int, error) {
		cur := counter(name + "/now").Add(1)
		defer counter(name + "/now").Add(-1)
		max := counter(name + "/max")
		for {
			m := max.Load()
			if cur <= m || max.CompareAndSwap(m, cur) {
				break
			}
		}
		counter(name + "/calls").Add(1)
		select {
		case <-sig(name).C():
			return int(cur), nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	})
	// gc frees memory on a worker and returns the bytes freed.
	fGC = dusk.Register("it.gc", func() int64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		runtime.GC()
		debug.FreeOSMemory()
		runtime.ReadMemStats(&after)
		return int64(before.HeapAlloc) - int64(after.HeapAlloc)
	})
)

// thisLine returns the line of its call.
func thisLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}

func itoa(n int) string { return fmt.Sprint(n) }

// eventually polls cond until it holds (true) or ctx ends (false).
func eventually(ctx context.Context, cond func() bool) bool {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return cond()
		case <-tick.C:
		}
	}
	return true
}

// dumpState logs, for a failed test, what the scheduler knows of the keys
// the client holds: their stories of transitions help find the bug.
func dumpState(t *testing.T, c *dusk.Client) {
	var keys []dusk.Key
	for _, k := range c.Futures() {
		keys = append(keys, k.Key())
	}
	if len(keys) > 20 {
		keys = append(keys[:10], keys[len(keys)-10:]...)
	}
	snap := c.Local().Snapshot()
	t.Logf("scheduler: tasks by state %v", snap.ByState)
	for _, w := range snap.Workers {
		t.Logf("worker %s (%s): %s, processing %d", w.Address, w.Name, w.Status, w.Processing)
	}
	evs := c.Local().Events().Snapshot()
	for _, k := range keys {
		t.Logf("story of %s:\n%s", k, event.FormatStory(event.Story(evs, string(k))))
	}
}

// startClientProcess starts this test binary as a client process of c's
// cluster with the extra environment env, and waits until it prints
// ready (a line).
func startClientProcess(t *testing.T, ctx context.Context, c *dusk.Client, ready string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), "DUSK_TOKEN="+c.Local().Token()), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make([]byte, len(ready)+1)
	if _, err := out.Read(line); err != nil || string(line) != ready+"\n" {
		t.Fatalf("the client process said %q, %v; want %q", line, err, ready)
	}
	return cmd
}
