//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
)

// startSlurm starts a real single-node Slurm (slurmctld and slurmd of
// Debian's slurm-wlm, with munge) on this machine, configured in a
// temporary directory on free ports, and returns the environment that
// points sbatch, squeue and scancel at it. Jobs may share the node's
// cores (the partition oversubscribes them), not its memory. It needs root and the
// packages (scripts/setup-test installs them); without them the test
// skips, unless DUSK_REQUIRE_SLURM is set.
func startSlurm(t *testing.T, ctx context.Context) []string {
	t.Helper()
	skip := func(why string) {
		if os.Getenv("DUSK_REQUIRE_SLURM") != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	if _, err := os.Stat("/usr/sbin/slurmctld"); err != nil {
		skip("no slurmctld here (apt-get install slurm-wlm munge)")
	}
	if os.Getuid() != 0 {
		skip("a Slurm of its own needs root")
	}
	// munge authenticates Slurm's messages: start it unless it runs.
	if exec.Command("munge", "-n").Run() != nil {
		if err := os.MkdirAll("/run/munge", 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("chown", "munge:munge", "/run/munge").CombinedOutput(); err != nil {
			t.Fatalf("chown /run/munge: %v: %s", err, out)
		}
		if out, err := exec.Command("runuser", "-u", "munge", "--", "/usr/sbin/munged").CombinedOutput(); err != nil {
			t.Fatalf("starting munged: %v: %s", err, out)
		}
		waitFor(t, ctx, "munged answers", func() bool { return exec.Command("munge", "-n").Run() == nil })
		t.Cleanup(func() { // stop the munged this test started
			if b, err := os.ReadFile("/run/munge/munged.pid"); err == nil {
				if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
					_ = syscall.Kill(pid, syscall.SIGTERM)
				}
			}
		})
	}
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ = strings.Cut(host, ".")
	dir := t.TempDir()
	for _, d := range []string{"state", "spool"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	conf := filepath.Join(dir, "slurm.conf")
	text := fmt.Sprintf(`ClusterName=dusktest
SlurmctldHost=%[1]s(127.0.0.1)
SlurmctldPort=%[2]s
SlurmdPort=%[3]s
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=%[4]s/state
SlurmdSpoolDir=%[4]s/spool
SlurmctldPidFile=%[4]s/slurmctld.pid
SlurmdPidFile=%[4]s/slurmd.pid
SlurmctldLogFile=%[4]s/slurmctld.log
SlurmdLogFile=%[4]s/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
SwitchType=switch/none
NodeName=%[1]s NodeAddr=127.0.0.1 CPUs=%[5]d RealMemory=4096 State=UNKNOWN
PartitionName=debug Nodes=%[1]s Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:8
`, host, freePort(t), freePort(t), dir, max(2, runtimeCPUs()))
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"SLURM_CONF=" + conf}
	ended := make(chan string, 2)
	for _, d := range [][]string{{"/usr/sbin/slurmctld", "-D", "-i", "-f", conf}, {"/usr/sbin/slurmd", "-D", "-f", conf}} {
		cmd := exec.Command(d[0], d[1:]...)
		cmd.Env = append(os.Environ(), env...)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); ended <- d[0] + " ended:\n" + out.String(); close(done) }()
		t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); <-done })
	}
	waitFor(t, ctx, "the Slurm node is idle", func() bool {
		select {
		case msg := <-ended:
			t.Fatal(msg)
		default:
		}
		cmd := exec.Command("sinfo", "-h", "-o", "%T")
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.Output()
		return err == nil && strings.TrimSpace(string(out)) == "idle"
	})
	return env
}

func runtimeCPUs() int {
	n, _ := strconv.Atoi(strings.TrimSpace(func() string {
		out, _ := exec.Command("nproc").Output()
		return string(out)
	}()))
	return n
}

// dusk slurm submits a user's program as worker jobs to a real Slurm: the
// workers join the scheduler named slurm-JOBID with the job's memory as
// their limit, the program's own client runs its functions and restarts
// them, and Ctrl-C cancels the jobs. Then an adaptive set of jobs grows
// from one worker to three under a burst of work and shrinks back.
func TestSlurmCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs and starts Slurm")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	slurmEnv := startSlurm(t, ctx)
	bin := buildDusk(t)
	work := t.TempDir()
	prog := filepath.Join(work, "userprog")
	build := exec.Command("go", "build", "-tags", "duckdb_arrow", "-o", prog, "./testdata/userprog")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("building the user's program: %v", err)
	}
	token := filepath.Join(work, "token")
	_, line := startProc(t, ctx, prog, nil, "dusk scheduler at ", "scheduler", "--host", "127.0.0.1", "--port", "0",
		"--dashboard-address", "", "--token-file", token, "--log-level", "warn")
	addr := strings.TrimPrefix(line, "dusk scheduler at ")
	c, err := dusk.Connect(ctx, addr, dusk.TokenFile(token))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	submit := func(flags ...string) *exec.Cmd {
		args := append([]string{"slurm", "--scheduler-address", addr, "--token-file", token, "--binary", prog,
			"--cores", "1", "--memory", "512MiB", "--walltime", "10m", "--directory", work, "--log-level", "warn"}, flags...)
		cmd, _ := startProc(t, ctx, bin, slurmEnv, "dusk slurm: submitted jobs ", append(args, "--", "--log-level", "warn")...)
		return cmd
	}
	launcher := submit("--jobs", "2")
	ws := waitWorkers(t, ctx, c, 2)
	for _, w := range ws {
		if !strings.HasPrefix(w.Name, "slurm-") || w.MemoryLimit != 512<<20 || w.Threads != 1 {
			t.Fatalf("worker %s: %d threads, memory limit %d; want slurm-JOBID, 1 thread, 512 MiB", w.Name, w.Threads, w.MemoryLimit)
		}
	}
	client := func(args ...string) string {
		cmd := exec.CommandContext(ctx, prog, append([]string{addr}, args...)...)
		cmd.Env = append(os.Environ(), "DUSK_COMM__TOKEN_FILE="+token)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("the program's own work %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out, want := client(), "triple(14) = 42\nrestarted\ntriple(5) = 15\n"; out != want {
		t.Fatalf("the program printed %q, want %q", out, want)
	}
	queue := func() string {
		cmd := exec.Command("squeue", "-h", "-o", "%i")
		cmd.Env = append(os.Environ(), slurmEnv...)
		out, _ := cmd.Output()
		return strings.TrimSpace(string(out))
	}
	stop := func(launcher *exec.Cmd) {
		t.Helper()
		if err := launcher.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := launcher.Wait(); err != nil {
			t.Fatalf("dusk slurm after SIGTERM: %v", err)
		}
		waitWorkers(t, ctx, c, 0)
		waitFor(t, ctx, "no job is left in the queue", func() bool { return queue() == "" })
	}
	stop(launcher)

	launcher = submit("--adapt-min", "1", "--adapt-max", "3")
	want := "grew to 3 workers\nsum = 5310\nshrank to 1 worker\nsum = 5310\n"
	if out := client("burst", t.TempDir()); out != want {
		t.Fatalf("the burst printed %q, want %q", out, want)
	}
	stop(launcher)
}
