package dusk_test

// The fault suite: a worker process killed (-9), a client process killed
// (-9) or stopped (SIGSTOP) in the middle of a map, of a chain, of a
// computation that spills and of a shuffle, on a local cluster of worker
// processes (the test binary) under nannies; faultsuite_cluster_linux_test.go
// does the same to a nanny, to the scheduler and to a stopped worker on a
// real cluster. The point of the fault is fixed, not timed: the work past
// the first quarter waits at a gate (a file) that opens only after the
// fault, so the victim always dies with work running and queued. Every run
// ends with the right results (a worker, nanny or scheduler lost) or with
// everything the client held freed (a client lost), and nothing is left
// behind: no worker directory, no process. docs/reliability.md lists the
// other faults and the tests that cover them.

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/dataframe"
	"github.com/dusk-go/dusk/internal/incompressible"
	"github.com/dusk-go/dusk/internal/testcluster"
)

var (
	// faultSquare returns i*i; with a gate directory, it waits until the
	// gate opens (bounded: a gate never opened is a broken test).
	faultSquare = dusk.Register("fault.square", func(ctx context.Context, gate string, i int) (int, error) {
		return i * i, waitGate(ctx, gate)
	})
	// faultAdd returns a+b after the gate, as faultSquare.
	faultAdd = dusk.Register("fault.add", func(ctx context.Context, gate string, a, b int) (int, error) {
		return a + b, waitGate(ctx, gate)
	})
	// faultRows passes a partition of the shuffled workload on, after
	// the gate if its first row is at or past from; it marks each
	// partition that passed with a file "passed-<first row>" in gate.
	faultRows = dusk.Register("fault.rows", func(ctx context.Context, rec arrow.RecordBatch, gate string, from int64) (arrow.RecordBatch, error) {
		if rec.NumRows() == 0 {
			return rec, nil
		}
		first := rec.Column(0).(*array.Int64).Value(0)
		if first >= from {
			if err := waitGate(ctx, gate); err != nil {
				return nil, err
			}
		}
		mark := filepath.Join(gate, "passed-"+strconv.FormatInt(first, 10))
		if err := os.WriteFile(mark, nil, 0o644); err != nil {
			return nil, err
		}
		return rec, nil
	})
	// faultBlob makes an incompressible partition after the gate.
	faultBlob = dusk.Register("fault.blob", func(ctx context.Context, gate string, p incompressible.Part) ([]byte, error) {
		if err := waitGate(ctx, gate); err != nil {
			return nil, err
		}
		return incompressible.Bytes(p), nil
	})
)

// waitGate waits until the file "open" exists in directory gate ("": no
// gate).
func waitGate(ctx context.Context, gate string) error {
	if gate == "" {
		return nil
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(filepath.Join(gate, "open")); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the gate %s never opened", gate)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// faultWork is a workload: submit starts it and returns how many of its
// tasks make its first quarter (done before the gate) and a check of its
// results.
type faultWork struct {
	name   string
	submit func(ctx context.Context, c *dusk.Client, gate string) (done func() int, quarter int, check func() error, err error)
}

const faultTasks = 40

var faultWorks = []faultWork{
	{"map", func(ctx context.Context, c *dusk.Client, gate string) (func() int, int, func() error, error) {
		fs := make([]*dusk.Future[int], faultTasks)
		for i := range fs {
			g := gate
			if i < faultTasks/4 {
				g = ""
			}
			f, err := dusk.Submit[int](ctx, c, faultSquare, g, i)
			if err != nil {
				return nil, 0, nil, err
			}
			fs[i] = f
		}
		check := func() error {
			got, err := dusk.Gather(ctx, fs)
			if err != nil {
				return err
			}
			for i, v := range got {
				if v != i*i {
					return fmt.Errorf("square %d = %d", i, v)
				}
			}
			return nil
		}
		return func() int { return finished(fs) }, faultTasks / 4, check, nil
	}},
	{"chain", func(ctx context.Context, c *dusk.Client, gate string) (func() int, int, func() error, error) {
		fs := make([]*dusk.Future[int], faultTasks)
		var prev any = 0
		for i := range fs {
			g := gate
			if i < faultTasks/4 {
				g = ""
			}
			f, err := dusk.Submit[int](ctx, c, faultAdd, g, prev, 1)
			if err != nil {
				return nil, 0, nil, err
			}
			fs[i], prev = f, f
		}
		check := func() error {
			got, err := dusk.Gather(ctx, fs)
			if err != nil {
				return err
			}
			for i, v := range got {
				if v != i+1 {
					return fmt.Errorf("link %d = %d", i, v)
				}
			}
			return nil
		}
		return func() int { return finished(fs) }, faultTasks / 4, check, nil
	}},
	{"spill", func(ctx context.Context, c *dusk.Client, gate string) (func() int, int, func() error, error) {
		// 40 partitions of 8 MiB through two workers of 128 MiB.
		ps := specs(faultTasks, 8*mib)
		fs := make([]*dusk.Future[[]byte], faultTasks)
		for i, p := range ps {
			g := gate
			if i < faultTasks/4 {
				g = ""
			}
			f, err := dusk.Submit[[]byte](ctx, c, faultBlob, g, p)
			if err != nil {
				return nil, 0, nil, err
			}
			fs[i] = f
		}
		check := func() error {
			crcs, err := dusk.Map[uint32](ctx, c, memCRC, fs)
			if err != nil {
				return err
			}
			got, err := dusk.Gather(ctx, crcs)
			if err != nil {
				return err
			}
			for i, want := range expectedCRCs(ps) {
				if got[i] != want {
					return fmt.Errorf("partition %d: checksum %08x, want %08x", i, got[i], want)
				}
			}
			return nil
		}
		return func() int { return finished(fs) }, faultTasks / 4, check, nil
	}},
	{"shuffle", func(ctx context.Context, c *dusk.Client, gate string) (func() int, int, func() error, error) {
		// 8 files of 5,000 rows sorted by a key of 1,000 values: a range
		// shuffle between the workers, all of whose inputs but the first
		// quarter wait at the gate.
		const files, per, keys = 8, 5000, 1000
		data := filepath.Join(gate, "data")
		if err := os.Mkdir(data, 0o755); err != nil {
			return nil, 0, nil, err
		}
		for f := range files {
			var b strings.Builder
			b.WriteString("row,key\n")
			for i := f * per; i < (f+1)*per; i++ {
				fmt.Fprintf(&b, "%d,%d\n", i, (i*7919)%keys)
			}
			if err := os.WriteFile(filepath.Join(data, fmt.Sprintf("part-%d.csv", f)), []byte(b.String()), 0o644); err != nil {
				return nil, 0, nil, err
			}
		}
		df := dataframe.ReadCSV(c, filepath.Join(data, "*.csv")).
			MapPartitions(faultRows, dataframe.Args(gate, int64(files*per/4)))
		sorted, err := df.SetIndex(ctx, "key", dataframe.WithDivisions(dataframe.Bounds[int64](0, 250, 500, 750, int64(keys-1))))
		if err != nil {
			return nil, 0, nil, err
		}
		type result struct {
			tbl arrow.Table
			err error
		}
		out := make(chan result, 1)
		go func() {
			tbl, err := sorted.Compute(ctx)
			out <- result{tbl, err}
		}()
		done := func() int {
			m, _ := filepath.Glob(filepath.Join(gate, "passed-*"))
			return len(m)
		}
		check := func() error {
			r := <-out
			if r.err != nil {
				return r.err
			}
			defer r.tbl.Release()
			return checkShuffled(r.tbl, files*per)
		}
		return done, files / 4, check, nil
	}},
}

// checkShuffled checks the shuffled workload's table: rows 0 to n-1 each
// once, and the keys in order.
func checkShuffled(tbl arrow.Table, n int) error {
	if int(tbl.NumRows()) != n {
		return fmt.Errorf("%d rows, want %d", tbl.NumRows(), n)
	}
	rowCol := tbl.Schema().FieldIndices("row")
	keyCol := tbl.Schema().FieldIndices("key")
	if len(rowCol) != 1 || len(keyCol) != 1 {
		return fmt.Errorf("columns %v", tbl.Schema())
	}
	seen := make([]bool, n)
	for _, ch := range tbl.Column(rowCol[0]).Data().Chunks() {
		for _, v := range ch.(*array.Int64).Int64Values() {
			if v < 0 || int(v) >= n || seen[v] {
				return fmt.Errorf("row %d is out of range or seen twice", v)
			}
			seen[v] = true
		}
	}
	last := int64(-1)
	for _, ch := range tbl.Column(keyCol[0]).Data().Chunks() {
		for _, v := range ch.(*array.Int64).Int64Values() {
			if v < last {
				return fmt.Errorf("key %d after key %d", v, last)
			}
			last = v
		}
	}
	return nil
}

func finished[T any](fs []*dusk.Future[T]) int {
	n := 0
	for _, f := range fs {
		if f.Status() == dusk.Finished {
			n++
		}
	}
	return n
}

// faultCluster starts two single-threaded worker processes of 128 MiB
// under nannies, their directories under dir. They spill past their
// target but neither pause nor are restarted for their process memory:
// under the race detector a worker process holds far more than its data,
// and the suite is about the faults it makes itself.
func faultCluster(t *testing.T, ctx context.Context, dir string, settings map[string]any) *dusk.Client {
	t.Helper()
	cfg := config.New()
	for _, k := range []string{"worker.memory.pause", "worker.memory.terminate"} {
		if err := cfg.Set(k, false); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range settings {
		if err := cfg.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	c, err := dusk.Connect(ctx, "", dusk.LocalProcesses(), dusk.LocalWorkers(2), dusk.LocalThreads(1),
		dusk.LocalMemoryLimit(128*mib), dusk.LocalDirectory(dir), dusk.LocalConfig(cfg),
		dusk.LocalDashboard("off"), dusk.Logger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// leftBehind waits (bounded) until the cluster's worker processes have
// ended and their directories are gone, and reports what is left.
func leftBehind(t *testing.T, dir string, pids map[string]int) []string {
	t.Helper()
	var left []string
	deadline := time.Now().Add(time.Minute)
	for {
		left = left[:0]
		for name, pid := range pids {
			if testcluster.Runs(pid) {
				left = append(left, fmt.Sprintf("process %d (%s)", pid, name))
			}
		}
		left = append(left, workerDirs(t, dir)...)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestFaultSuiteWorkerKilled kills a worker process (-9) with a quarter of
// each workload done and the rest running or queued: its nanny starts a
// fresh one, the scheduler computes again what died with it, and every
// result is right.
func TestFaultSuiteWorkerKilled(t *testing.T) {
	forEachWork(t, faultWorks, nil, func(t *testing.T, ctx context.Context, c *dusk.Client, w faultWork, gate string) map[string]int {
		done, quarter, check, err := w.submit(ctx, c, gate)
		if err != nil {
			t.Fatal(err)
		}
		waitUntil(t, ctx, "a quarter of the work is done", func() bool { return done() >= quarter })
		victim := c.Local().PIDs()["worker-0"]
		if victim <= 0 {
			t.Fatalf("no process for worker-0: %v", c.Local().PIDs())
		}
		if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, ctx, "the nanny starts a fresh worker", func() bool {
			p := c.Local().PIDs()["worker-0"]
			return p != 0 && p != victim
		})
		if err := os.WriteFile(filepath.Join(gate, "open"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := check(); err != nil {
			t.Fatalf("after worker-0 was killed: %v", err)
		}
		return map[string]int{"worker-0 (killed)": victim}
	})
}

// forEachWork runs test on a fresh cluster for each of works, with a gate
// directory, then closes the cluster and checks that none of its worker
// processes (nor those test names) and none of its worker directories is
// left.
func forEachWork(t *testing.T, works []faultWork, settings map[string]any, test func(t *testing.T, ctx context.Context, c *dusk.Client, w faultWork, gate string) (pids map[string]int)) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	for _, w := range works {
		t.Run(w.name, func(t *testing.T) {
			ctx := memoryContext(t)
			dir, gate := t.TempDir(), t.TempDir()
			c := faultCluster(t, ctx, dir, settings)
			more := test(t, ctx, c, w, gate)
			pids := c.Local().PIDs()
			maps.Copy(pids, more)
			c.Close()
			if left := leftBehind(t, dir, pids); len(left) > 0 {
				t.Fatalf("left behind after the cluster closed: %v", left)
			}
		})
	}
}

// envFaultClient makes the test binary a client that starts a workload on
// the scheduler it names and then waits to be killed.
const envFaultClient = "DUSK_TEST_FAULT_CLIENT"

// faultClient runs the workload named by DUSK_TEST_FAULT_WORK (gated by
// DUSK_TEST_FAULT_GATE) on the scheduler of envFaultClient, prints
// "submitted" and waits.
func faultClient() int {
	ctx := context.Background()
	c, err := dusk.Connect(ctx, os.Getenv(envFaultClient))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	for _, w := range faultWorks {
		if w.name == os.Getenv("DUSK_TEST_FAULT_WORK") {
			done, _, _, err := w.submit(ctx, c, os.Getenv("DUSK_TEST_FAULT_GATE"))
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 3
			}
			fmt.Println("submitted")
			// The futures must stay reachable: a future the program
			// dropped is released, and its task forgotten.
			for {
				time.Sleep(time.Hour)
				done()
			}
		}
	}
	fmt.Fprintln(os.Stderr, "no such workload")
	return 3
}

// TestFaultSuiteClientKilled kills a client process (-9) with a quarter of
// its work done and the rest running or queued: the scheduler forgets its
// tasks, the workers drop its results, and the cluster is as it was.
func TestFaultSuiteClientKilled(t *testing.T) {
	clientFault(t, nil, func(t *testing.T, client *exec.Cmd) {
		if err := client.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = client.Wait()
	})
}

// TestFaultSuiteClientStopped stops a client process (SIGSTOP) with a
// quarter of its work done: the scheduler's keepalive pings go unanswered
// past the client TTL (2s here), and it frees the client's work as for a
// client killed.
func TestFaultSuiteClientStopped(t *testing.T) {
	clientFault(t, map[string]any{"scheduler.client-ttl": "2s"}, func(t *testing.T, client *exec.Cmd) {
		if err := client.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = client.Process.Kill()
			_ = client.Process.Signal(syscall.SIGCONT)
			_ = client.Wait()
		})
	})
}

// clientFault runs each workload from a client process on a cluster of
// settings, does fault to the client with a quarter of the work done,
// opens the gate, and checks that the cluster freed the client's work and
// computes on.
func clientFault(t *testing.T, settings map[string]any, fault func(t *testing.T, client *exec.Cmd)) {
	forEachWork(t, faultWorks, settings, func(t *testing.T, ctx context.Context, c *dusk.Client, w faultWork, gate string) map[string]int {
		cmd := startClientProcess(t, ctx, c, "submitted", envFaultClient+"="+c.Scheduler(),
			"DUSK_TEST_FAULT_WORK="+w.name, "DUSK_TEST_FAULT_GATE="+gate)
		waitUntil(t, ctx, "a quarter of the client's work is done", func() bool {
			if w.name == "shuffle" { // its inputs say when they passed
				m, _ := filepath.Glob(filepath.Join(gate, "passed-*"))
				return len(m) >= 2
			}
			return c.Local().Snapshot().ByState["memory"] >= faultTasks/4
		})
		fault(t, cmd)
		if err := os.WriteFile(filepath.Join(gate, "open"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, ctx, "the scheduler forgets the dead client's tasks", func() bool {
			return c.Local().Snapshot().Tasks == 0
		})
		waitUntil(t, ctx, "the workers drop the dead client's results", func() bool {
			held := int64(0)
			for _, n := range workerBytes(t, ctx, c) {
				held += n
			}
			return held == 0
		})
		// The cluster works on.
		if v, err := dusk.Submit[int](ctx, c, faultSquare, "", 9); err != nil {
			t.Fatal(err)
		} else if got, err := v.Result(ctx); err != nil || got != 81 {
			t.Fatalf("after the client was killed, square(9) = %v, %v", got, err)
		}
		return nil
	})
}
