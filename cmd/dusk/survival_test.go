package main

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
)

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// The scheduler is killed (-9) in the middle of a chain and of a map over
// it, and started again on its address: the workers connect to the new
// one, the client connects again and gives it the graphs its futures
// need, and every future ends with the right result. Scattered data,
// which no graph can compute again, fails as lost, naming its key.
func TestSchedulerSurvivesItsDeath(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the dusk binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := buildDusk(t)
	port := freePort(t)
	env := []string{"DUSK_TOKEN=test-token-survive"}
	schedArgs := []string{"scheduler", "--host", "127.0.0.1", "--port", port, "--dashboard-address", "", "--log-level", "warn"}
	sched, line := startProc(t, ctx, bin, env, "dusk scheduler at ", schedArgs...)
	addr := strings.TrimPrefix(line, "dusk scheduler at ")
	for range 2 {
		startProc(t, ctx, bin, env, "dusk worker at ", "worker", addr, "--nthreads", "1", "--nanny=false", "--log-level", "warn")
	}
	c, err := dusk.Connect(ctx, addr, dusk.Token("test-token-survive"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitWorkers(t, ctx, c, 2)

	// A chain of increments (sum of the previous value and a one), and
	// the squares of a map whose sum waits for all of them.
	one, err := dusk.Submit[int](ctx, c, qsSquare, 1)
	if err != nil {
		t.Fatal(err)
	}
	const links = 2000
	chain := []*dusk.Future[int]{one}
	for range links - 1 {
		next, err := dusk.Submit[int](ctx, c, qsSum, []*dusk.Future[int]{chain[len(chain)-1], one})
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, next)
	}
	items := make([]int, 300)
	for i := range items {
		items[i] = i
	}
	squares, err := dusk.Map[int](ctx, c, qsSquare, items)
	if err != nil {
		t.Fatal(err)
	}
	total, err := dusk.Submit[int](ctx, c, qsSum, squares)
	if err != nil {
		t.Fatal(err)
	}
	scattered, err := dusk.Scatter(ctx, c, 42)
	if err != nil {
		t.Fatal(err)
	}

	// Kill it once a tenth of the chain is done.
	waitFor(t, ctx, "a tenth of the chain is done", func() bool { return chain[links/10].Status() == dusk.Finished })
	if err := sched.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_, _ = sched.Process.Wait()
	if chain[links-1].Status() == dusk.Finished {
		t.Log("the chain ended before the scheduler died; the test shows less than it should")
	}
	startProc(t, ctx, bin, env, "dusk scheduler at ", schedArgs...)

	if v, err := chain[links-1].Result(ctx); err != nil || v != links {
		t.Fatalf("the chain's end = %v, %v; want %d", v, err, links)
	}
	got, err := dusk.Gather(ctx, chain)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("link %d = %d, want %d", i, v, i+1)
		}
	}
	want := 0
	for _, x := range items {
		want += x * x
	}
	if v, err := total.Result(ctx); err != nil || v != want {
		t.Fatalf("sum of squares = %v, %v; want %d", v, err, want)
	}
	_, err = scattered.Result(ctx)
	var lost *dusk.LostError
	if !errors.As(err, &lost) || string(lost.Key) != string(scattered.Key()) {
		t.Fatalf("the scattered value after the restart: %v; want a LostError naming %s", err, scattered.Key())
	}
	// The cluster works on: new work, over recovered results.
	next, err := dusk.Submit[int](ctx, c, qsSum, []*dusk.Future[int]{chain[links-1], total})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := next.Result(ctx); err != nil || v != links+want {
		t.Fatalf("new work after the restart = %v, %v; want %d", v, err, links+want)
	}
}
