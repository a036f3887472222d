package array_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/array"
)

// An array four times the memory of the cluster's two worker processes
// persists (the workers spill to disk) and its Sum and Mean over axis 0
// come out exact, with no worker restarted. The workers are processes of
// the dusk command (built without the race detector, whatever this test
// is built with), each with 256 MiB and one thread; the array is 2 GiB of
// int64 in blocks of 4 MiB.
func TestOutOfCore(t *testing.T) {
	if testing.Short() {
		t.Skip("writes two gigabytes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "dusk")
	build := exec.Command("go", "build", "-o", bin, "github.com/dusk-go/dusk/cmd/dusk")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("building dusk: %v", err)
	}
	env := append(os.Environ(), "DUSK_TOKEN=test-token-outofcore")
	start := func(args ...string) (*exec.Cmd, *bufio.Scanner, *lockedLog) {
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = env
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = 20 * time.Second
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		logs := &lockedLog{}
		cmd.Stderr = logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
		return cmd, bufio.NewScanner(out), logs
	}
	_, sched, _ := start("scheduler", "--port", "0", "--dashboard-address", "", "--log-level", "warn")
	addr := ""
	for sched.Scan() {
		if a, ok := strings.CutPrefix(sched.Text(), "dusk scheduler at "); ok {
			addr = a
			break
		}
	}
	go func() { // drain the rest, so that the scheduler never blocks on it
		for sched.Scan() {
		}
	}()
	const limit = 256 << 20
	_, wout, wlog := start("worker", addr, "--nworkers", "2", "--nthreads", "1", "--memory-limit", "256MiB",
		"--local-directory", t.TempDir(), "--log-level", "warn")
	go func() {
		for wout.Scan() {
		}
	}()
	c, err := dusk.Connect(ctx, addr, dusk.Token("test-token-outofcore"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var before []string
	for len(before) < 2 {
		ws, err := c.Workers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		before = before[:0]
		for _, w := range ws {
			before = append(before, w.Address)
		}
		time.Sleep(50 * time.Millisecond)
	}
	slices.Sort(before)

	arr := must[*array.Array](t)
	const rows, cols = 16384, 16384 // 2 GiB of int64: 4× the two workers' limits
	flat := arr(array.Arange(c, 0, rows*cols, 1, array.By(32*cols)))
	x := arr(flat.Reshape(rows, cols))
	if x.NBytes() < 4*2*limit {
		t.Fatalf("the array is %d bytes", x.NBytes())
	}
	p, err := x.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(rows * cols)
	if got := values[int64](t, ctx, arr(p.Sum())); got[0] != n*(n-1)/2 {
		t.Fatalf("sum %v, want %v", got[0], n*(n-1)/2)
	}
	mean := values[float64](t, ctx, arr(p.Mean(0)))
	for j, m := range mean {
		if want := float64(rows-1)/2*cols + float64(j); m != want {
			t.Fatalf("mean of column %d: %v, want %v", j, m, want)
		}
	}
	// The workers report what they spilled with their heartbeats: wait
	// for one that says most of the array is on disk.
	for {
		ws, err := c.Workers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var after []string
		var spilled int64
		for _, w := range ws {
			after = append(after, w.Address)
			spilled += w.Memory.Spilled
		}
		slices.Sort(after)
		if !slices.Equal(before, after) || strings.Contains(wlog.String(), "exceeded its memory budget") {
			t.Fatalf("workers %v became %v: a worker was restarted\n%s", before, after, wlog.String())
		}
		if spilled >= x.NBytes()/2 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the workers hold %d bytes spilled of a %d-byte array", spilled, x.NBytes())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lockedLog collects a process's log.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
