//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
)

// netnsPartitionEnv tells the test binary, run inside a namespace, to act
// as the client of TestPartitionBetweenWorkers; its value is the
// directory the two sides meet in.
const netnsPartitionEnv = "DUSK_TEST_NETNS_PARTITION"

// TestPartitionBetweenWorkers computes data on one worker, then cuts the
// network between the two workers (each has a blackhole route to the
// other; both still reach the scheduler and the client), and runs a task
// that needs that data on the other worker: it cannot fetch it; the
// scheduler has the data computed again where it prefers it, and after a
// few rounds (scheduler.allowed-failures) the task fails with an error
// that says the workers cannot reach each other, instead of going round
// for ever. The cluster still computes what needs no transfer.
func TestPartitionBetweenWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dusk binary and sets up network namespaces")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	names, env, in := startNetnsCluster(t, ctx)
	meet := t.TempDir()
	cmd := exec.CommandContext(ctx, "ip", in("client", os.Args[0], "-test.run", "^TestNetnsPartitionClient$", "-test.v")...)
	cmd.Env = append(os.Environ(), append(env, netnsPartitionEnv+"="+meet)...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the client computed the squares on wa", func() bool {
		_, err := os.Stat(filepath.Join(meet, "computed"))
		return err == nil
	})
	for _, cut := range [][2]string{{"wa", "10.213.0.3"}, {"wb", "10.213.0.2"}} {
		if b, err := exec.Command("ip", "-n", names[cut[0]], "route", "add", "blackhole", cut[1]+"/32").CombinedOutput(); err != nil {
			t.Fatalf("cutting %s from %s: %v: %s", cut[0], cut[1], err, b)
		}
	}
	if err := os.WriteFile(filepath.Join(meet, "partitioned"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if err != nil || !strings.Contains(out.String(), "PARTITION-ERR") || !strings.Contains(out.String(), "the workers cannot reach each other") ||
		!strings.Contains(out.String(), "PARTITION-LOCAL-OK 49") {
		t.Fatalf("the client across the partition: %v\n%s", err, out.String())
	}
}

// TestNetnsPartitionClient is the client of TestPartitionBetweenWorkers;
// it runs only inside the client's namespace.
func TestNetnsPartitionClient(t *testing.T) {
	meet := os.Getenv(netnsPartitionEnv)
	if meet == "" {
		t.Skip("run by TestPartitionBetweenWorkers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := dusk.Connect(ctx, "tcp://10.213.0.1:8786")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitWorkers(t, ctx, c, 2)
	items := make([]int, 1000)
	for i := range items {
		items[i] = i
	}
	squares, err := dusk.Map[int](ctx, c, qsSquare.With(dusk.Workers("wa"), dusk.AllowOtherWorkers()), items)
	if err != nil {
		t.Fatal(err)
	}
	if err := dusk.Wait(ctx, squares...); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(meet, "computed"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the network between the workers is cut", func() bool {
		_, err := os.Stat(filepath.Join(meet, "partitioned"))
		return err == nil
	})
	total, err := dusk.Submit[int](ctx, c, qsSum.With(dusk.Workers("wb")), squares)
	if err != nil {
		t.Fatal(err)
	}
	got, err := total.Result(ctx)
	if err != nil {
		fmt.Printf("PARTITION-ERR %v\n", err)
	} else {
		fmt.Printf("PARTITION-OK %d\n", got)
	}
	local, err := dusk.Submit[int](ctx, c, qsSquare.With(dusk.Workers("wb")), 7)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := local.Result(ctx); err != nil {
		t.Fatal(err)
	} else {
		fmt.Printf("PARTITION-LOCAL-OK %d\n", v)
	}
}
