package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// children returns the process IDs of pid's children.
func children(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, w := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(w); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// alive reports whether pid runs (a zombie does not).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

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
		if kids := children(nannyCmd.Process.Pid); len(kids) == 1 {
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
	waitFor(t, ctx, "the worker died with its nanny", func() bool { return !alive(workerPID) })
	// The next nanny purges the dead worker's directory and makes its own.
	next, _ := startProc(t, ctx, bin, env, "dusk worker at ", args...)
	waitFor(t, ctx, "the next nanny's worker runs", func() bool { return len(children(next.Process.Pid)) == 1 })
	waitFor(t, ctx, "only the live worker's directory is left", func() bool {
		now, _ := filepath.Glob(filepath.Join(base, "dusk-worker-*"))
		return len(now) == 1 && now[0] != dirs[0]
	})
	if err := syscall.Kill(next.Process.Pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
}
