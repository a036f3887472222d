package main

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/task"
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

// The scheduler is killed (-9) in the middle of a chain and of a map, and
// started again on its address, while one of the two workers is killed
// with it: the surviving worker connects to the new scheduler with the
// results it kept, the client connects again and gives it the graphs its
// futures need, and every future ends with the right result. Scattered
// data comes back from the worker that kept it; scattered data of the
// dead worker, which no graph can compute again, is a clear error.
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
	var workers []*exec.Cmd
	for i := range 2 {
		w, _ := startProc(t, ctx, bin, env, "dusk worker at ", "worker", addr, "--nthreads", "1", "--nanny=false", "--log-level", "warn",
			"--name", "w"+strconv.Itoa(i))
		workers = append(workers, w)
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
	_, total, want := sumOfSquares(t, ctx, c, 300)
	kept, err := dusk.Scatter(ctx, c, 42, dusk.OnWorkers("w0"))
	if err != nil {
		t.Fatal(err)
	}
	gone, err := dusk.Scatter(ctx, c, 7, dusk.OnWorkers("w1"))
	if err != nil {
		t.Fatal(err)
	}

	// Kill it once a tenth of the chain is done.
	waitFor(t, ctx, "a tenth of the chain is done", func() bool { return chain[links/10].Status() == dusk.Finished })
	killed := time.Now()
	for _, p := range []*exec.Cmd{sched, workers[1]} {
		if err := p.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_, _ = p.Process.Wait()
	}
	if chain[links-1].Status() == dusk.Finished {
		t.Log("the chain ended before the scheduler died; the test shows less than it should")
	}
	startProc(t, ctx, bin, env, "dusk scheduler at ", schedArgs...)
	restarted := time.Now()

	if v, err := chain[links-1].Result(ctx); err != nil || v != links {
		t.Fatalf("the chain's end = %v, %v; want %d", v, err, links)
	}
	t.Logf("the chain's end arrived %s after the kill, %s after the scheduler started again",
		time.Since(killed).Round(time.Millisecond), time.Since(restarted).Round(time.Millisecond))
	got, err := dusk.Gather(ctx, chain)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("link %d = %d, want %d", i, v, i+1)
		}
	}
	if v, err := total.Result(ctx); err != nil || v != want {
		t.Fatalf("sum of squares = %v, %v; want %d", v, err, want)
	}
	if v, err := kept.Result(ctx); err != nil || v != 42 {
		t.Fatalf("the value scattered to the surviving worker = %v, %v; want 42", v, err)
	}
	_, err = gone.Result(ctx)
	var te *dusk.TaskError
	if !errors.As(err, &te) || te.Kind != task.ErrLost || te.Key != string(gone.Key()) {
		t.Fatalf("the value scattered to the dead worker: %v; want a TaskError of kind lost naming %s", err, gone.Key())
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
