//go:build linux

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
)

// startSSHHosts starts a real sshd in each of the namespaces of hosts
// (10.213.0.1, .2, … in order), trusting a key made for the test, and
// returns the ssh options that log in with it and a function that runs a
// command in namespace ns. It needs root and Debian's openssh-server;
// without them the test skips, unless DUSK_REQUIRE_NETNS is set.
func startSSHHosts(t *testing.T, ctx context.Context, hosts ...string) (names map[string]string, sshOpts []string) {
	t.Helper()
	if _, err := os.Stat("/usr/sbin/sshd"); err != nil {
		if os.Getenv("DUSK_REQUIRE_NETNS") != "" {
			t.Fatal("no /usr/sbin/sshd: scripts/setup-test installs openssh-server")
		}
		t.Skip("no sshd here (apt-get install openssh-server)")
	}
	names = setupNamespaces(t, hosts...)
	dir := t.TempDir()
	keygen := func(file string) {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", file).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v: %s", err, out)
		}
	}
	key, hostKey := filepath.Join(dir, "client_key"), filepath.Join(dir, "host_key")
	keygen(key)
	keygen(hostKey)
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	auth := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(auth, pub, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil { // sshd's privilege separation directory
		t.Fatal(err)
	}
	sshOpts = []string{"-i", key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5"}
	for i, h := range hosts {
		if h == "client" {
			continue
		}
		cfg := filepath.Join(dir, "sshd_config_"+h)
		conf := fmt.Sprintf("ListenAddress 10.213.0.%d\nPort 22\nHostKey %s\nAuthorizedKeysFile %s\nPermitRootLogin yes\n"+
			"StrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPidFile none\n", i+1, hostKey, auth)
		if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		sshd := exec.Command("ip", "netns", "exec", names[h], "/usr/sbin/sshd", "-D", "-e", "-f", cfg)
		if err := sshd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sshd.Process.Kill(); _ = sshd.Wait() })
		// Ready once a login works (bounded by ctx).
		waitFor(t, ctx, "sshd on "+h+" lets the test's key in", func() bool {
			probe := exec.Command("ip", append(append([]string{"netns", "exec", names["client"], "ssh"}, sshOpts...),
				fmt.Sprintf("10.213.0.%d", i+1), "true")...)
			return probe.Run() == nil
		})
	}
	return names, sshOpts
}

// dusk ssh starts a user's program as the scheduler on one host and as
// workers on two others, each a network namespace with a real sshd: the
// binary is copied (checked by SHA-256), the program's own client on a
// fourth host runs its functions on the workers, restarts them, runs
// again and sorts a dataframe across them (a shuffle between hosts), and
// Ctrl-C (SIGTERM) stops every remote process. Then an
// adaptive cluster grows from one worker to three under a burst and
// shrinks back when idle.
func TestSSHCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs, sets up network namespaces and sshd")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	names, sshOpts := startSSHHosts(t, ctx, "h1", "h2", "h3", "client")
	bin := buildDusk(t)
	prog := filepath.Join(t.TempDir(), "userprog")
	build := exec.Command("go", "build", "-tags", "duckdb_arrow", "-o", prog, "./testdata/userprog")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("building the user's program: %v", err)
	}
	work := t.TempDir()
	remote, token := filepath.Join(work, "remote"), filepath.Join(work, "token")
	// launch runs dusk ssh in the client's namespace and returns it and
	// the line it says the scheduler's address in.
	launch := func(flags ...string) (*exec.Cmd, string) {
		args := []string{"netns", "exec", names["client"], bin, "ssh", "--scheduler", "10.213.0.1", "--binary", prog,
			"--remote-dir", remote, "--token-file", token, "--log-level", "warn"}
		for _, o := range sshOpts {
			args = append(args, "--ssh-option", o)
		}
		args = append(append(args, flags...), "10.213.0.2", "10.213.0.3", "--", "--nthreads", "1", "--log-level", "warn")
		return startProc(t, ctx, "ip", nil, "dusk ssh: scheduler at ", args...)
	}
	// client runs the program's own work in the client's namespace.
	client := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", names["client"], prog, "tcp://10.213.0.1:8786"}, args...)...)
		cmd.Env = append(os.Environ(), "DUSK_COMM__TOKEN_FILE="+token)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("the program's own work %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	stop := func(launcher *exec.Cmd, exe string) {
		t.Helper()
		if err := launcher.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := launcher.Wait(); err != nil {
			t.Fatalf("dusk ssh after SIGTERM: %v", err)
		}
		waitFor(t, ctx, "no process of the copied program is left", func() bool { return len(running(exe)) == 0 })
	}

	launcher, line := launch()
	if want := "dusk ssh: scheduler at tcp://10.213.0.1:8786, 2 workers"; line != want {
		t.Fatalf("dusk ssh said %q, want %q", line, want)
	}
	copies, _ := filepath.Glob(filepath.Join(remote, "userprog-*"))
	if len(copies) != 1 || strings.Contains(copies[0], ".part") {
		t.Fatalf("the remote directory holds %v; want the one checked copy", copies)
	}
	if out, want := client(), "triple(14) = 42\nrestarted\ntriple(5) = 15\n"; out != want {
		t.Fatalf("the program printed %q, want %q", out, want)
	}
	// A dataframe sorted across the two remote workers (a shuffle between
	// hosts).
	if out, want := client("shuffle"), "sorted 20000 rows across the workers\n"; out != want {
		t.Fatalf("the shuffle printed %q, want %q", out, want)
	}
	// Ctrl-C stops every remote process.
	stop(launcher, copies[0])

	// Adaptive, from 1 worker to 3 (on the two worker hosts in turn) under
	// a burst of queued work, and back to 1 once it is done, with no
	// result lost.
	launcher, line = launch("--adapt-min", "1", "--adapt-max", "3")
	if want := "dusk ssh: scheduler at tcp://10.213.0.1:8786, adapting between 1 and 3 workers"; line != want {
		t.Fatalf("dusk ssh said %q, want %q", line, want)
	}
	want := "grew to 3 workers\nsum = 5310\nshrank to 1 worker\nsum = 5310\n"
	if out := client("burst", t.TempDir()); out != want {
		t.Fatalf("the burst printed %q, want %q", out, want)
	}
	stop(launcher, copies[0])
}

// running returns the processes whose executable is exe.
func running(exe string) []string {
	var out []string
	links, _ := filepath.Glob("/proc/[0-9]*/exe")
	for _, l := range links {
		if target, err := os.Readlink(l); err == nil && target == exe {
			out = append(out, l)
		}
	}
	return out
}
