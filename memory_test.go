package dusk_test

// Memory management with real worker processes (the test binary, through
// TestMain) and small memory limits: spilling and reading back, pausing
// and resuming, the nanny's kills and KilledWorker, data several times the
// cluster's memory, and the guide's clean-cluster recipe. Nothing waits on
// the clock: tests wait on futures or poll conditions under generous
// deadlines.

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/internal/incompressible"
	"github.com/dusk-go/dusk/worker"
)

const mib = 1 << 20

// memoryTestTimeout bounds a memory test: they move gigabytes through
// small workers, under the race detector too.
const memoryTestTimeout = 8 * time.Minute

// partSpec says which partition to make: Size bytes that do not compress,
// from Seed.
type partSpec = incompressible.Part

var (
	memPartition = dusk.Register("mem.partition", incompressible.Bytes)
	memCRC       = dusk.Register("mem.crc", incompressible.CRC)
	memTotal     = dusk.Register("mem.total", incompressible.Total)
	// memHog allocates mib MiB, 8 MiB every few milliseconds, touching
	// every page, and then holds it until its context ends: a task that
	// needs more memory than its worker has.
	memHog = dusk.Register("mem.hog", func(ctx context.Context, mib int) (int, error) {
		var keep [][]byte
		for i := 0; i < mib/8; i++ {
			b := make([]byte, 8<<20)
			for j := 0; j < len(b); j += 4096 {
				b[j] = byte(i)
			}
			keep = append(keep, b)
			select {
			case <-ctx.Done():
				return len(keep), ctx.Err()
			case <-time.After(2 * time.Millisecond):
			}
		}
		<-ctx.Done()
		return len(keep), ctx.Err()
	})
)

func specs(n, size int) []partSpec { return incompressible.Parts(n, size) }

// expectedCRCs computes here what the workers compute.
func expectedCRCs(ps []partSpec) []uint32 {
	out := make([]uint32, len(ps))
	for i, p := range ps {
		out[i] = incompressible.CRC(incompressible.Bytes(p))
	}
	return out
}

// memoryCluster starts a cluster of two single-threaded worker processes
// with the given memory limit and configuration, whose worker directories
// are under the returned directory.
func memoryCluster(t *testing.T, ctx context.Context, limit int64, cfg *config.Config) (*dusk.Client, string) {
	t.Helper()
	dir := t.TempDir()
	if cfg == nil {
		cfg = config.New()
	}
	c := newCluster(t, ctx, dusk.LocalProcesses(), dusk.LocalWorkers(2), dusk.LocalThreads(1),
		dusk.LocalMemoryLimit(limit), dusk.LocalDirectory(dir), dusk.LocalConfig(cfg))
	return c, dir
}

func memoryContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), memoryTestTimeout)
	t.Cleanup(cancel)
	return ctx
}

// spillFiles lists the spill files of every worker directory under dir.
func spillFiles(t *testing.T, dir string) []string {
	t.Helper()
	fs, err := filepath.Glob(filepath.Join(dir, "dusk-worker-*", "spill", "*"))
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// workerDirs lists the worker directories under dir.
func workerDirs(t *testing.T, dir string) []string {
	t.Helper()
	ds, err := filepath.Glob(filepath.Join(dir, "dusk-worker-*"))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func workersNow(t *testing.T, ctx context.Context, c *dusk.Client) []dusk.WorkerInfo {
	t.Helper()
	ws, err := c.Workers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func totalSpilled(t *testing.T, ctx context.Context, c *dusk.Client) (spilled, keys int64) {
	for _, w := range workersNow(t, ctx, c) {
		spilled += w.Memory.Spilled
		keys += w.Memory.SpilledKeys
	}
	return spilled, keys
}

// checkCRCs computes the checksum of every partition on the cluster and
// compares them, and their total, with the expected ones.
func checkCRCs(t *testing.T, ctx context.Context, c *dusk.Client, parts []*dusk.Future[[]byte], ps []partSpec) {
	t.Helper()
	crcs, err := dusk.Map[uint32](ctx, c, memCRC, parts)
	if err != nil {
		t.Fatal(err)
	}
	total, err := dusk.Submit[uint64](ctx, c, memTotal, crcs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dusk.Gather(ctx, crcs)
	if err != nil {
		t.Fatalf("checksums: %v", err)
	}
	want := expectedCRCs(ps)
	var wantTotal uint64
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("partition %d: checksum %08x, want %08x", i, got[i], want[i])
		}
		wantTotal += uint64(want[i])
	}
	if v, err := total.Result(ctx); err != nil || v != wantTotal {
		t.Fatalf("total = %d, %v; want %d", v, err, wantTotal)
	}
}

// Data beyond the workers' target is spilled to files in their spill
// directories and comes back intact, to tasks and to the client.
func TestSpillAndReadBack(t *testing.T) {
	t.Parallel()
	ctx := memoryContext(t)
	c, dir := memoryCluster(t, ctx, 256*mib, nil)
	// 384 MiB over two workers whose target is 154 MiB each: at least one
	// of them must spill, whatever the placement.
	ps := specs(48, 8*mib)
	parts, err := dusk.Map[[]byte](ctx, c, memPartition, ps)
	if err != nil {
		t.Fatal(err)
	}
	if err := dusk.Wait(ctx, parts...); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "the workers report spilled data", func() bool {
		s, _ := totalSpilled(t, ctx, c)
		return s > 0
	})
	if len(spillFiles(t, dir)) == 0 {
		t.Fatal("workers report spilled data, but no spill file exists")
	}
	for _, w := range workersNow(t, ctx, c) {
		if w.Memory.Managed > 200*mib {
			t.Errorf("worker %s holds %d MiB in memory, above its target", w.Name, w.Memory.Managed/mib)
		}
	}
	// Tasks read spilled partitions back.
	checkCRCs(t, ctx, c, parts, ps)
	// Both directions are events, for the dashboard and the report (the
	// worker sends them before the reports that follow them).
	kinds := map[event.Kind]int{}
	for _, e := range c.Local().Events().Snapshot() {
		if (e.Kind == event.Spill || e.Kind == event.Unspill) && e.Worker != "" && e.NBytes >= 8*mib && e.Key != "" {
			kinds[e.Kind]++
		}
	}
	if kinds[event.Spill] == 0 || kinds[event.Unspill] == 0 {
		t.Fatalf("spill events: %v; want spills and reads back", kinds)
	}
	// So does the client, from memory or from disk.
	for i, f := range parts {
		b, err := f.Result(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if incompressible.CRC(b) != incompressible.CRC(incompressible.Bytes(ps[i])) {
			t.Fatalf("partition %d gathered wrong", i)
		}
	}
}

// A worker above its pause threshold stops starting tasks and fetches but
// serves its data; its unstarted work goes to the other worker; once its
// memory is released it resumes.
func TestPauseAndResume(t *testing.T) {
	t.Parallel()
	ctx := memoryContext(t)
	cfg := config.New()
	// No spilling: only releasing the data brings the worker back.
	for k, v := range map[string]any{"worker.memory.target": false, "worker.memory.spill": false, "worker.memory.pause": 0.5} {
		if err := cfg.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := memoryCluster(t, ctx, 256*mib, cfg)
	pids := c.Local().PIDs()
	// 160 MiB on worker-0, whose pause threshold is 128 MiB.
	ps := specs(20, 8*mib)
	onW0, err := dusk.Map[[]byte](ctx, c, memPartition.With(dusk.Workers("worker-0")), ps)
	if err != nil {
		t.Fatal(err)
	}
	status := func(name string) string {
		for _, w := range workersNow(t, ctx, c) {
			if w.Name == name {
				return w.Status
			}
		}
		return ""
	}
	waitUntil(t, ctx, "worker-0 pauses", func() bool { return status("worker-0") == "paused" })
	var held []*dusk.Future[[]byte]
	for _, f := range onW0 {
		if f.Status() == dusk.Finished {
			held = append(held, f)
		}
	}
	if len(held) < 2 {
		t.Fatalf("%d of %d partitions finished when worker-0 paused", len(held), len(onW0))
	}
	// A task only worker-0 may run waits while it is paused.
	waiting, err := dusk.Submit[int](ctx, c, fPID.With(dusk.Workers("worker-0")))
	if err != nil {
		t.Fatal(err)
	}
	// Its data is served: to a task on worker-1 and to the client.
	n, err := dusk.Submit[int](ctx, c, fLen.With(dusk.Workers("worker-1")), held[0])
	if err != nil {
		t.Fatal(err)
	}
	if v, err := n.Result(ctx); err != nil || v != 8*mib {
		t.Fatalf("len of a paused worker's partition on worker-1 = %v, %v", v, err)
	}
	if _, err := held[1].Result(ctx); err != nil {
		t.Fatalf("gathering from a paused worker: %v", err)
	}
	// New work runs on worker-1 only.
	for range 4 {
		p, err := dusk.Submit[int](ctx, c, fPID)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := p.Result(ctx); err != nil || v != pids["worker-1"] {
			t.Fatalf("a task ran in process %v (%v) while worker-0 (%d) is paused; want worker-1 (%d)", v, err, pids["worker-0"], pids["worker-1"])
		}
	}
	if status("worker-0") != "paused" {
		t.Fatalf("worker-0 resumed while holding its data")
	}
	if st := waiting.Status(); st != dusk.Pending {
		t.Fatalf("a task for worker-0 is %s while worker-0 is paused; want pending", st)
	}
	runtime.KeepAlive(onW0) // a collected future releases its data
	// Released, its memory goes down and it resumes.
	mine := make([]dusk.Keyer, len(onW0))
	for i, f := range onW0 {
		mine[i] = f
	}
	if err := c.Cancel(ctx, mine...); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "worker-0 resumes", func() bool { return status("worker-0") == "running" })
	if v, err := waiting.Result(ctx); err != nil || v != pids["worker-0"] {
		t.Fatalf("the task that waited for worker-0 = %v, %v", v, err)
	}
	p, err := dusk.Submit[int](ctx, c, fPID.With(dusk.Workers("worker-0")))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := p.Result(ctx); err != nil || v != pids["worker-0"] {
		t.Fatalf("after resuming, a task for worker-0 = %v, %v", v, err)
	}
}

// pauseAtHalf is a configuration whose workers keep, spill and pause at
// half their memory limit.
func pauseAtHalf(t *testing.T) *config.Config {
	t.Helper()
	cfg := config.New()
	for _, k := range []string{"worker.memory.target", "worker.memory.spill", "worker.memory.pause"} {
		if err := cfg.Set(k, 0.5); err != nil {
			t.Fatal(err)
		}
	}
	return cfg
}

// Every worker passes its pause threshold and the computation still
// finishes: paused workers spill until they are below it again.
func TestEveryWorkerPausesStillFinishes(t *testing.T) {
	t.Parallel()
	ctx := memoryContext(t)
	// Pausing and spilling start together at half the limit (128 MiB).
	c, _ := memoryCluster(t, ctx, 256*mib, pauseAtHalf(t))
	// 384 MiB for each worker.
	ps := specs(96, 8*mib)
	parts := make([]*dusk.Future[[]byte], 0, len(ps))
	for i, p := range ps {
		f, err := dusk.Submit[[]byte](ctx, c, memPartition.With(dusk.Workers("worker-"+itoa(i%2))), p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, f)
	}
	if err := dusk.Wait(ctx, parts...); err != nil {
		t.Fatal(err)
	}
	checkCRCs(t, ctx, c, parts, ps)
	// Both paused on the way.
	paused := map[string]bool{}
	for _, e := range c.Local().Events().Snapshot() {
		if e.Kind == event.WorkerSample && e.Memory != nil && e.Memory.Paused {
			paused[e.Worker] = true
		}
	}
	if len(paused) != 2 {
		t.Fatalf("workers seen paused: %v; want both", paused)
	}
	if s, _ := totalSpilled(t, ctx, c); s == 0 {
		t.Fatal("nothing was spilled")
	}
	runtime.KeepAlive(parts) // a collected future releases its data
}

// A task that allocates past the terminate threshold gets its worker
// killed by the nanny, which starts a fresh one; after more deaths than
// allowed the task errs with a KilledWorker error naming it, the workers
// it killed and their memory, and the cluster works on. The killed
// processes' directories are gone.
func TestTerminateAndKilledWorker(t *testing.T) {
	t.Parallel()
	ctx := memoryContext(t)
	c, dir := memoryCluster(t, ctx, 256*mib, nil)
	before := c.Local().PIDs()
	hog, err := dusk.Submit[int](ctx, c, memHog, 1024)
	if err != nil {
		t.Fatal(err)
	}
	_, err = hog.Result(ctx)
	if !errors.Is(err, dusk.ErrKilledWorker) {
		t.Fatalf("a task that allocates past terminate: %v; want a KilledWorker error", err)
	}
	t.Logf("the error: %v", err)
	var te *dusk.TaskError
	if !errors.As(err, &te) || te.Key != string(hog.Key()) || te.Func != "mem.hog" {
		t.Fatalf("error = %#v", err)
	}
	for _, want := range []string{string(hog.Key()), "executing on 4 workers when they died", "of its 256 MiB limit at its last report", "smaller partitions"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the KilledWorker error does not say %q:\n%v", want, err)
		}
	}
	waitUntil(t, ctx, "two workers run again", func() bool { return len(workerAddrs(t, ctx, c)) == 2 })
	restarted := 0
	for name, pid := range c.Local().PIDs() {
		if pid != before[name] {
			restarted++
		}
	}
	if restarted == 0 {
		t.Fatalf("no worker process was replaced: %v, before %v", c.Local().PIDs(), before)
	}
	if v, err := dusk.Compute(ctx, c, dusk.Call[int](fInc, 1)); err != nil || v != 2 {
		t.Fatalf("after the kills: %v, %v", v, err)
	}
	waitUntil(t, ctx, "only the live workers' directories remain", func() bool { return len(workerDirs(t, dir)) == 2 })
}

// A dataset four times the cluster's memory is persisted and reduced
// correctly, without any worker being restarted.
func TestDatasetFourTimesClusterMemory(t *testing.T) {
	t.Parallel()
	ctx := memoryContext(t)
	c, dir := memoryCluster(t, ctx, 256*mib, nil)
	before := c.Local().PIDs()
	ps := specs(256, 8*mib) // 2 GiB; the cluster has 2 × 256 MiB
	parts, err := dusk.Map[[]byte](ctx, c, memPartition, ps)
	if err != nil {
		t.Fatal(err)
	}
	if err := dusk.Wait(ctx, parts...); err != nil {
		t.Fatal(err)
	}
	spilled, keys := int64(0), int64(0)
	waitUntil(t, ctx, "the workers report what they spilled", func() bool {
		spilled, keys = totalSpilled(t, ctx, c)
		return spilled > 0
	})
	if spilled < 1024*mib {
		t.Errorf("only %d MiB spilled of 2 GiB on 512 MiB of workers", spilled/mib)
	}
	if n := len(spillFiles(t, dir)); int64(n) < keys/2 {
		t.Errorf("%d spill files for %d spilled keys", n, keys)
	}
	checkCRCs(t, ctx, c, parts, ps)
	if now := c.Local().PIDs(); !maps.Equal(now, before) {
		t.Fatalf("worker processes were restarted: %v, before %v", now, before)
	}
	runtime.KeepAlive(parts)
}

// The guide's "clean cluster state": cancel every future, restart, collect
// garbage. Nothing is left behind: no futures, no data in memory, no
// spill files; the fresh workers start with empty spill directories, and
// WorkerGC reports what it freed on each.
func TestCleanClusterStateLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	ctx := memoryContext(t)
	c, dir := memoryCluster(t, ctx, 256*mib, nil)
	parts, err := dusk.Map[[]byte](ctx, c, memPartition, specs(48, 8*mib))
	if err != nil {
		t.Fatal(err)
	}
	if err := dusk.Wait(ctx, parts...); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "data is spilled", func() bool { return len(spillFiles(t, dir)) > 0 })
	old := workerDirs(t, dir)

	// The recipe.
	if err := c.Cancel(ctx, c.Futures()...); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	runtime.GC()

	for _, f := range parts {
		if err := f.Wait(ctx); !errors.Is(err, dusk.ErrCancelled) {
			t.Fatalf("%s after the recipe: %v", f.Key(), err)
		}
	}
	waitUntil(t, ctx, "the scheduler forgets every task", func() bool {
		return c.Local().Snapshot().Tasks == 0
	})
	waitUntil(t, ctx, "the old workers' directories are gone", func() bool {
		for _, d := range old {
			if _, err := os.Stat(d); err == nil {
				return false
			}
		}
		return len(workerDirs(t, dir)) == 2
	})
	if fs := spillFiles(t, dir); len(fs) != 0 {
		t.Fatalf("spill files left after the recipe: %v", fs)
	}
	waitUntil(t, ctx, "the fresh workers report empty stores", func() bool {
		ws := workersNow(t, ctx, c)
		if len(ws) != 2 {
			return false
		}
		for _, w := range ws {
			if w.Memory.Process == 0 || w.Memory.Managed != 0 || w.Memory.Spilled != 0 || w.NBytes != 0 {
				return false
			}
		}
		return true
	})
	freed, err := dusk.Run[dusk.FreedMemory](ctx, c, dusk.WorkerGC)
	if err != nil {
		t.Fatal(err)
	}
	if len(freed) != 2 {
		t.Fatalf("WorkerGC answered for %v", freed)
	}
	for addr, f := range freed {
		if f.ProcessAfter <= 0 || f.HeapAfter <= 0 {
			t.Errorf("WorkerGC on %s reported %+v", addr, f)
		}
		if f.ProcessAfter > 128*mib {
			t.Errorf("a fresh worker %s uses %d MiB after a collection", addr, f.ProcessAfter/mib)
		}
	}
	// The cluster works, and spills again.
	again, err := dusk.Map[[]byte](ctx, c, memPartition, specs(48, 8*mib))
	if err != nil {
		t.Fatal(err)
	}
	if err := dusk.Wait(ctx, again...); err != nil {
		t.Fatal(err)
	}
}

var memGoLimit = dusk.Register("mem.go-memory-limit", func() int64 { return debug.SetMemoryLimit(-1) })

// Worker processes give Go's collector a soft limit at the spill fraction
// of their memory limit; workers sharing this process leave it alone. An
// auto limit shares the machine's memory among a local cluster's workers.
func TestMemoryLimitsReachWorkers(t *testing.T) {
	t.Parallel()
	ctx := memoryContext(t)
	if os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOMEMLIMIT is set in the environment, and wins")
	}
	procs := newCluster(t, ctx, dusk.LocalProcesses(), dusk.LocalWorkers(2), dusk.LocalThreads(1),
		dusk.LocalMemoryLimit(dusk.AutoMemory), dusk.LocalConfig(config.New()))
	want := worker.SystemMemory() / 2
	for _, w := range workersNow(t, ctx, procs) {
		if w.MemoryLimit != want {
			t.Fatalf("worker %s has limit %d; want the machine's memory halved, %d", w.Name, w.MemoryLimit, want)
		}
	}
	limits, err := dusk.Run[int64](ctx, procs, memGoLimit)
	if err != nil {
		t.Fatal(err)
	}
	for addr, l := range limits {
		if l != int64(0.7*float64(want)) {
			t.Errorf("GOMEMLIMIT in worker process %s = %d; want 70%% of %d", addr, l, want)
		}
	}
	inproc := newCluster(t, ctx, dusk.LocalWorkers(2), dusk.LocalMemoryLimit(256*mib), dusk.LocalConfig(config.New()))
	mine := debug.SetMemoryLimit(-1)
	limits, err = dusk.Run[int64](ctx, inproc, memGoLimit)
	if err != nil {
		t.Fatal(err)
	}
	for addr, l := range limits {
		if l != mine {
			t.Errorf("an in-process worker %s changed this process's GOMEMLIMIT to %d", addr, l)
		}
	}
}
