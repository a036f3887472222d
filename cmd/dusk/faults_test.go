package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/internal/testcluster"
)

// waitFor polls cond until it holds or ctx ends.
func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting until %s: %v", what, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// A worker dies with its nanny: killed -9, the nanny leaves no worker
// running unsupervised, and the next nanny under the same directory finds
// only a dead worker's directory to purge, never a live one's.
func TestKillingANannyKillsItsWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the dusk binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin := buildDusk(t)
	env := []string{"DUSK_TOKEN=test-token-nanny"}
	_, line := startProc(t, ctx, bin, env, "dusk scheduler at ", "scheduler", "--port", "0", "--dashboard-address", "", "--log-level", "warn")
	addr := strings.TrimPrefix(line, "dusk scheduler at ")
	base := t.TempDir()
	args := []string{"worker", addr, "--nthreads", "1", "--memory-limit", "256MiB", "--spill-directory", base, "--log-level", "error"}
	nannyCmd, _ := startProc(t, ctx, bin, env, "dusk worker at ", args...)
	var workerPID int
	waitFor(t, ctx, "the nanny has started its worker", func() bool {
		if kids := testcluster.Children(nannyCmd.Process.Pid); len(kids) == 1 {
			workerPID = kids[0]
			return true
		}
		return false
	})
	dirs, _ := filepath.Glob(filepath.Join(base, "dusk-worker-*"))
	if len(dirs) != 1 {
		t.Fatalf("worker directories under %s: %v; want the one the nanny made", base, dirs)
	}
	if err := nannyCmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the worker died with its nanny", func() bool { return !testcluster.Runs(workerPID) })
	// The next nanny purges the dead worker's directory and makes its own.
	next, _ := startProc(t, ctx, bin, env, "dusk worker at ", args...)
	waitFor(t, ctx, "the next nanny's worker runs", func() bool { return len(testcluster.Children(next.Process.Pid)) == 1 })
	waitFor(t, ctx, "only the live worker's directory is left", func() bool {
		now, _ := filepath.Glob(filepath.Join(base, "dusk-worker-*"))
		return len(now) == 1 && now[0] != dirs[0]
	})
	if err := syscall.Kill(next.Process.Pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
}

// A worker stopped (SIGSTOP) past the worker TTL is removed and told so
// when it runs again: it connects again, at its address, with the results
// it holds (a copy the scheduler no longer counts on is dropped), and the
// cluster computes on it.
func TestStoppedWorkerIsToldAndRejoins(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the dusk binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin := buildDusk(t)
	env := []string{"DUSK_TOKEN=test-token-stop", "DUSK_SCHEDULER__WORKER_TTL=2s"}
	_, line := startProc(t, ctx, bin, env, "dusk scheduler at ", "scheduler", "--port", "0", "--dashboard-address", "", "--log-level", "warn")
	addr := strings.TrimPrefix(line, "dusk scheduler at ")
	wcmd, _ := startProc(t, ctx, bin, env, "dusk worker at ", "worker", addr, "--nthreads", "1", "--nanny=false", "--log-level", "warn")
	c, err := dusk.Connect(ctx, addr, dusk.Token("test-token-stop"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	before := waitWorkers(t, ctx, c, 1)[0]
	sq, err := dusk.Submit[int](ctx, c, qsSquare, 7)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := sq.Result(ctx); err != nil || v != 49 {
		t.Fatalf("square(7) = %v, %v", v, err)
	}
	if err := wcmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitWorkers(t, ctx, c, 0) // removed for its missed heartbeats
	if err := wcmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	var after dusk.WorkerInfo
	waitFor(t, ctx, "the worker joins again", func() bool {
		ws, err := c.Workers(ctx)
		if err == nil && len(ws) == 1 {
			after = ws[0]
			return true
		}
		return false
	})
	if after.Address != before.Address {
		t.Fatalf("the worker rejoined at %q, not at its address %q", after.Address, before.Address)
	}
	// The square the scheduler lost with the worker is computed again (the
	// copy the worker kept and registered is dropped: the scheduler had
	// planned its computation by then).
	total, err := dusk.Submit[int](ctx, c, qsSum, []*dusk.Future[int]{sq})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := total.Result(ctx); err != nil || v != 49 {
		t.Fatalf("sum after the worker rejoined = %v, %v", v, err)
	}
}

// envTestClient makes the test binary a client of the scheduler it names:
// it scatters 8 MB, prints "ready" and waits (to be stopped or killed).
const envTestClient = "DUSK_TEST_CLIENT"

func TestMain(m *testing.M) {
	if addr := os.Getenv(envTestClient); addr != "" {
		ctx := context.Background()
		c, err := dusk.Connect(ctx, addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		f, err := dusk.Scatter(ctx, c, make([]byte, 8<<20))
		if err == nil {
			err = f.Wait(ctx) // the scheduler knows it
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Println("ready")
		select {}
	}
	os.Exit(m.Run())
}

// A client that hangs (SIGSTOP) is found out by the scheduler's keepalive
// pings within its client TTL and removed: its data is freed, as for a
// client that exited.
func TestHungClientIsRemoved(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the dusk binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin := buildDusk(t)
	env := []string{"DUSK_TOKEN=test-token-hung", "DUSK_SCHEDULER__CLIENT_TTL=2s"}
	_, line := startProc(t, ctx, bin, env, "dusk scheduler at ", "scheduler", "--port", "0", "--dashboard-address", "", "--log-level", "warn")
	addr := strings.TrimPrefix(line, "dusk scheduler at ")
	startProc(t, ctx, bin, env, "dusk worker at ", "worker", addr, "--nthreads", "1", "--nanny=false", "--log-level", "warn")
	c, err := dusk.Connect(ctx, addr, dusk.Token("test-token-hung"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitWorkers(t, ctx, c, 1)
	hung, _ := startProc(t, ctx, os.Args[0], append(env, envTestClient+"="+addr), "ready", "-test.run=^$")
	held := func() int64 {
		ws, err := c.Workers(ctx)
		if err != nil || len(ws) != 1 {
			t.Fatalf("workers: %v, %v", ws, err)
		}
		return ws[0].NBytes
	}
	if n := held(); n < 8<<20 {
		t.Fatalf("the worker holds %d bytes of the client's scattered data", n)
	}
	if err := hung.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer hung.Process.Signal(syscall.SIGCONT)
	waitFor(t, ctx, "the hung client's data is freed", func() bool { return held() == 0 })
}

// A worker whose scheduler is not there has nothing to hand over: SIGTERM
// stops it at once, and it says why it waited in plain words, once.
func TestWorkerWithoutSchedulerStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the dusk binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bin := buildDusk(t)
	nowhere := "tcp://127.0.0.1:" + freePort(t)
	for _, nanny := range []string{"--nanny=false"} {
		logPath := filepath.Join(t.TempDir(), "worker.log")
		logFile, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(ctx, bin, "worker", nowhere, nanny, "--log-level", "warn")
		cmd.Env = append(os.Environ(), "DUSK_TOKEN=test-token-nowhere")
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		said := func() string { b, _ := os.ReadFile(logPath); return string(b) }
		for !strings.Contains(said(), "no scheduler to work for") {
			select {
			case <-ctx.Done():
				t.Fatalf("%s: the worker never said the scheduler is out of reach:\n%s", nanny, said())
			case <-time.After(20 * time.Millisecond):
			}
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		logFile.Close()
		if err != nil {
			t.Fatalf("%s: a worker with no scheduler, told to stop: %v\n%s", nanny, err, said())
		}
		if n := strings.Count(said(), "no scheduler to work for"); n != 1 {
			t.Errorf("%s: the outage was reported %d times, want once:\n%s", nanny, n, said())
		}
		if strings.Contains(said(), "rpc error") || strings.Contains(said(), "desc =") {
			t.Errorf("%s: gRPC jargon in what the worker said:\n%s", nanny, said())
		}
	}
}
