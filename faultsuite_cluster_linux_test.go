//go:build linux

package dusk_test

// The fault suite on a real cluster: this test binary, which calls
// dusk.Main first as a user's program does, runs as a scheduler process
// and as two workers under nanny processes; the test is the client. A
// nanny, or the scheduler, is killed (-9) with a quarter of each workload
// done and the rest running or queued at the gate (see faultsuite_test.go).

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/internal/testcluster"
)

// realCluster is a scheduler process and nanny processes of this binary.
type realCluster struct {
	t       *testing.T
	ctx     context.Context
	env     []string
	dir     string // the workers' base directory
	port    string
	addr    string
	sched   *exec.Cmd
	nannies []*exec.Cmd
}

const realToken = "test-token-fault-suite"

func startRealCluster(t *testing.T, ctx context.Context, dir string, env []string) *realCluster {
	t.Helper()
	rc := &realCluster{t: t, ctx: ctx, dir: dir, env: append([]string{
		"DUSK_TOKEN=" + realToken,
		// Spill, but neither pause nor restart for process memory: under
		// the race detector a worker holds far more than its data.
		"DUSK_WORKER__MEMORY__PAUSE=false", "DUSK_WORKER__MEMORY__TERMINATE=false",
	}, env...)}
	rc.startScheduler("0")
	rc.port = rc.addr[strings.LastIndexByte(rc.addr, ':')+1:]
	for i := range 2 {
		rc.startNanny("w" + strconv.Itoa(i))
	}
	return rc
}

// startScheduler starts the scheduler on port ("0": any).
func (rc *realCluster) startScheduler(port string) {
	cmd, line := rc.start("dusk scheduler at ", "scheduler", "--host", "127.0.0.1", "--port", port,
		"--dashboard-address", "", "--log-level", logLevel())
	rc.sched, rc.addr = cmd, strings.TrimPrefix(line, "dusk scheduler at ")
}

// restartScheduler kills the scheduler (-9) and starts it again on its
// port.
func (rc *realCluster) restartScheduler() {
	t := rc.t
	t.Helper()
	if err := rc.sched.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = rc.sched.Wait()
	old := rc.addr
	rc.startScheduler(rc.port)
	if rc.addr != old {
		t.Fatalf("the scheduler came back at %s, not %s", rc.addr, old)
	}
}

// startNanny starts a worker under a nanny, named name.
func (rc *realCluster) startNanny(name string) {
	cmd, _ := rc.start("dusk worker at ", "worker", rc.addr, "--name", name, "--nthreads", "1",
		"--memory-limit", "128MiB", "--spill-directory", rc.dir, "--log-level", logLevel())
	rc.nannies = append(rc.nannies, cmd)
}

// start runs this binary with args and waits for its line starting with
// prefix. The process is stopped (SIGTERM) when the test ends.
func (rc *realCluster) start(prefix string, args ...string) (*exec.Cmd, string) {
	t := rc.t
	t.Helper()
	cmd := exec.CommandContext(rc.ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), rc.env...)
	cmd.Stderr = os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 20 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), prefix) {
				found <- sc.Text()
				break
			}
		}
		for sc.Scan() { // keep the pipe drained
		}
	}()
	select {
	case line := <-found:
		return cmd, line
	case <-rc.ctx.Done():
		t.Fatalf("%v did not print a line starting with %q", args, prefix)
		return nil, ""
	}
}

// workerPIDs returns the process of the worker under each nanny (0: none).
func (rc *realCluster) workerPIDs() []int {
	out := make([]int, len(rc.nannies))
	for i, n := range rc.nannies {
		if kids := testcluster.Children(n.Process.Pid); len(kids) == 1 {
			out[i] = kids[0]
		}
	}
	return out
}

// stop stops every nanny (SIGTERM) and the scheduler, and returns what is
// left: a process still running or a worker directory.
func (rc *realCluster) stop(more ...int) []string {
	pids := append(rc.workerPIDs(), more...)
	for _, n := range rc.nannies {
		pids = append(pids, n.Process.Pid)
		_ = n.Process.Signal(syscall.SIGTERM)
	}
	for _, n := range rc.nannies {
		_ = n.Wait()
	}
	_ = rc.sched.Process.Signal(syscall.SIGTERM)
	_ = rc.sched.Wait()
	names := make(map[string]int)
	for i, p := range pids {
		if p > 0 {
			names["process "+strconv.Itoa(i)] = p
		}
	}
	return leftBehind(rc.t, rc.dir, names)
}

// forEachRealWork runs test on a fresh real cluster and client for each
// workload, opens the gate after it, checks the workload's results, and
// checks that nothing is left once the cluster stopped.
func forEachRealWork(t *testing.T, env []string, test func(t *testing.T, rc *realCluster, c *dusk.Client) (more []int)) {
	if testing.Short() {
		t.Skip("starts scheduler and worker processes")
	}
	for _, w := range faultWorks {
		t.Run(w.name, func(t *testing.T) {
			ctx := memoryContext(t)
			dir, gate := t.TempDir(), t.TempDir()
			rc := startRealCluster(t, ctx, dir, env)
			c, err := dusk.Connect(ctx, rc.addr, dusk.Token(realToken), dusk.Logger(quietLogger()))
			if err != nil {
				t.Fatal(err)
			}
			waitUntil(t, ctx, "both workers joined", func() bool { return len(workersNow(t, ctx, c)) == 2 })
			done, quarter, check, err := w.submit(ctx, c, gate)
			if err != nil {
				t.Fatal(err)
			}
			waitUntil(t, ctx, "a quarter of the work is done", func() bool { return done() >= quarter })
			more := test(t, rc, c)
			if err := os.WriteFile(filepath.Join(gate, "open"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := check(); err != nil {
				t.Fatalf("after the fault: %v", err)
			}
			c.Close()
			if left := rc.stop(more...); len(left) > 0 {
				t.Fatalf("left behind after the cluster stopped: %v", left)
			}
		})
	}
}

// TestFaultSuiteNannyKilled kills a nanny (-9) in the middle of each
// workload: its worker dies with it, the other worker computes again what
// was lost, and every result is right. A new nanny started on the same
// directory (as a cluster manager would) purges the dead worker's
// directory.
func TestFaultSuiteNannyKilled(t *testing.T) {
	forEachRealWork(t, nil, func(t *testing.T, rc *realCluster, c *dusk.Client) []int {
		victim := rc.nannies[0]
		worker := rc.workerPIDs()[0]
		if worker == 0 {
			t.Fatal("nanny w0 has no worker")
		}
		if err := victim.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = victim.Wait()
		waitUntil(t, rc.ctx, "the worker died with its nanny", func() bool { return !testcluster.Runs(worker) })
		rc.nannies = rc.nannies[1:]
		rc.startNanny("w2")
		return []int{worker}
	})
}

// TestFaultSuiteSchedulerKilled kills the scheduler (-9) in the middle of
// each workload and starts it again on its port: the workers connect again
// with what they hold, the client connects again and gives the new
// scheduler what its futures need, and every result is right.
func TestFaultSuiteSchedulerKilled(t *testing.T) {
	forEachRealWork(t, nil, func(t *testing.T, rc *realCluster, c *dusk.Client) []int {
		rc.restartScheduler()
		return nil
	})
}

// TestFaultSuiteWorkerStopped stops a worker (SIGSTOP) in the middle of
// each workload until the scheduler removes it for its missed heartbeats
// (the worker TTL is 3s here), then lets it run again (SIGCONT): it is told
// it was removed and joins again, the work it had is computed again or
// taken back, and every result is right.
func TestFaultSuiteWorkerStopped(t *testing.T) {
	forEachRealWork(t, []string{"DUSK_SCHEDULER__WORKER_TTL=3s"}, func(t *testing.T, rc *realCluster, c *dusk.Client) []int {
		victim := rc.workerPIDs()[0]
		if victim == 0 {
			t.Fatal("nanny w0 has no worker")
		}
		if err := syscall.Kill(victim, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, rc.ctx, "the stopped worker is removed", func() bool { return len(workersNow(t, rc.ctx, c)) == 1 })
		if err := syscall.Kill(victim, syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, rc.ctx, "the worker joins again", func() bool { return len(workersNow(t, rc.ctx, c)) == 2 })
		return nil
	})
}

// logLevel is the processes' log level: FAULT_SUITE_LOG_LEVEL, or error.
func logLevel() string {
	if l := os.Getenv("FAULT_SUITE_LOG_LEVEL"); l != "" {
		return l
	}
	return "error"
}
