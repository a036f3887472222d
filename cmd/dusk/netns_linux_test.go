//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
)

// netnsSchedulerEnv tells the test binary, run inside a namespace, to act
// as the client of TestClusterAcrossNetworkNamespaces.
const netnsSchedulerEnv = "DUSK_TEST_NETNS_SCHEDULER"

// TestClusterAcrossNetworkNamespaces runs a cluster as if on four hosts:
// the scheduler, two workers and a client each in a network namespace of
// its own, joined by a bridge in a fifth (10.213.0.0/24; no traffic leaves
// the namespaces). Workers bind and advertise their host's address, and a
// task on one worker reads data computed on the other, over the bridge.
// It needs root (ip netns); without it the test skips, unless
// DUSK_REQUIRE_NETNS is set.
func TestClusterAcrossNetworkNamespaces(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dusk binary and sets up network namespaces")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, env, in := startNetnsCluster(t, ctx)
	cmd := exec.CommandContext(ctx, "ip", in("client", os.Args[0], "-test.run", "^TestNetnsClient$", "-test.v")...)
	cmd.Env = append(os.Environ(), append(env, netnsSchedulerEnv+"=tcp://10.213.0.1:8786")...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "NETNS-OK 332833500") {
		t.Fatalf("the client in its namespace: %v\n%s", err, out)
	}
}

// startNetnsCluster starts, each in a network namespace of its own, a
// scheduler at 10.213.0.1:8786 and two workers named wa (10.213.0.2) and
// wb (10.213.0.3), with a namespace "client" (10.213.0.4) for the test's
// client. It returns the namespaces, the environment the processes share
// (the token) and a function that makes the command line of a process in
// a namespace ("ip netns exec ...").
func startNetnsCluster(t *testing.T, ctx context.Context) (map[string]string, []string, func(ns string, args ...string) []string) {
	t.Helper()
	names := setupNamespaces(t, "sched", "wa", "wb", "client")
	bin := buildDusk(t)
	env := []string{"DUSK_TOKEN=netns-token"}
	in := func(ns string, args ...string) []string { return append([]string{"netns", "exec", names[ns]}, args...) }
	_, line := startProc(t, ctx, "ip", env, "dusk scheduler at ",
		in("sched", bin, "scheduler", "--host", "10.213.0.1", "--port", "8786", "--dashboard-address", "127.0.0.1:0", "--log-level", "warn")...)
	if line != "dusk scheduler at tcp://10.213.0.1:8786" {
		t.Fatalf("the scheduler says %q", line)
	}
	for i, w := range []string{"wa", "wb"} {
		startProc(t, ctx, "ip", env, "dusk worker at ",
			in(w, bin, "worker", "tcp://10.213.0.1:8786", "--host", fmt.Sprintf("10.213.0.%d", i+2), "--name", w,
				"--nthreads", "1", "--nanny=false", "--log-level", "warn")...)
	}
	return names, env, in
}

// TestNetnsClient is the client of TestClusterAcrossNetworkNamespaces; it
// runs only inside the client's namespace.
func TestNetnsClient(t *testing.T) {
	addr := os.Getenv(netnsSchedulerEnv)
	if addr == "" {
		t.Skip("run by TestClusterAcrossNetworkNamespaces")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := dusk.Connect(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ws := waitWorkers(t, ctx, c, 2)
	hosts := map[string]string{}
	for _, w := range ws {
		hosts[w.Name] = w.Address
	}
	if !strings.HasPrefix(hosts["wa"], "10.213.0.2:") || !strings.HasPrefix(hosts["wb"], "10.213.0.3:") {
		t.Fatalf("workers advertise %v, want their hosts' addresses", hosts)
	}
	items := make([]int, 1000)
	for i := range items {
		items[i] = i
	}
	// Squares on one host, their sum on the other: the data crosses the
	// bridge, worker to worker.
	squares, err := dusk.Map[int](ctx, c, qsSquare.With(dusk.Workers("wa")), items)
	if err != nil {
		t.Fatal(err)
	}
	total, err := dusk.Submit[int](ctx, c, qsSum.With(dusk.Workers("wb")), squares)
	if err != nil {
		t.Fatal(err)
	}
	got, err := total.Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("NETNS-OK %d\n", got)
}

// setupNamespaces creates a network namespace per host, each with an
// interface on a bridge in a namespace of its own, addressed 10.213.0.1,
// .2, ... in the order given, and removes them at the end. It returns the
// namespaces' names by host.
func setupNamespaces(t *testing.T, hosts ...string) map[string]string {
	t.Helper()
	run := func(args ...string) error {
		out, err := exec.Command("ip", args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	// A machine that cannot set this up (not root, no ip command, no veth
	// or bridge support) skips the test.
	must := func(args ...string) {
		t.Helper()
		if err := run(args...); err != nil {
			if os.Getenv("DUSK_REQUIRE_NETNS") != "" {
				t.Fatal(err)
			}
			t.Skipf("cannot set up network namespaces here (%v): run as root to test several hosts", err)
		}
	}
	prefix := fmt.Sprintf("dusk%d-", os.Getpid())
	bridge := prefix + "br"
	must("netns", "add", bridge)
	t.Cleanup(func() { _ = run("netns", "del", bridge) })
	must("-n", bridge, "link", "add", "br0", "type", "bridge")
	must("-n", bridge, "link", "set", "br0", "up")
	names := map[string]string{}
	for i, h := range hosts {
		ns := prefix + h
		names[h] = ns
		must("netns", "add", ns)
		t.Cleanup(func() { _ = run("netns", "del", ns) })
		veth := fmt.Sprintf("v%d", i)
		must("-n", bridge, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
		must("-n", bridge, "link", "set", veth, "master", "br0")
		must("-n", bridge, "link", "set", veth, "up")
		must("-n", ns, "addr", "add", fmt.Sprintf("10.213.0.%d/24", i+1), "dev", "eth0")
		must("-n", ns, "link", "set", "eth0", "up")
		must("-n", ns, "link", "set", "lo", "up")
	}
	return names
}
