package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	duskpkg "github.com/dusk-go/dusk"
)

// lockedBuffer is a bytes.Buffer several writers share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func buildUserprog(t *testing.T, name string, tags string) string {
	t.Helper()
	prog := filepath.Join(t.TempDir(), name)
	build := exec.Command("go", "build", "-tags", tags, "-o", prog, "./testdata/userprog")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("building the user's program: %v", err)
	}
	return prog
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// A user's program ships itself to stock dusk workers: they fetch it once
// per host (the second worker of the host finds it in the cache), check
// it, and run it under their nanny; a build of the program whose function
// differs only in its body is told apart and shipped again.
func TestShipBinaryToStockWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs programs")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dusk := buildDusk(t)
	v1 := buildUserprog(t, "userprog", "duckdb_arrow")
	v2 := buildUserprog(t, "userprog-v2", "duckdb_arrow,userprog_v2")
	env := []string{"DUSK_TOKEN=test-token-ship"}
	_, line := startProc(t, ctx, dusk, env, "dusk scheduler at ", "scheduler", "--port", "0", "--dashboard-address", "", "--log-level", "warn")
	addr := strings.TrimPrefix(line, "dusk scheduler at ")
	local := t.TempDir()
	var logs lockedBuffer
	worker := exec.CommandContext(ctx, dusk, "worker", addr, "--nworkers", "2", "--nthreads", "1", "--local-directory", local, "--log-level", "info")
	worker.Env = append(os.Environ(), env...)
	worker.Stdout, worker.Stderr = io.Discard, &logs
	worker.Cancel = func() error { return worker.Process.Signal(syscall.SIGTERM) }
	worker.WaitDelay = 20 * time.Second
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = worker.Process.Signal(syscall.SIGTERM); _ = worker.Wait() })

	try := func(prog string) (string, error) {
		client := exec.CommandContext(ctx, prog, addr, "ship")
		client.Env = append(os.Environ(), env...)
		out, err := client.CombinedOutput()
		return string(out), err
	}
	run := func(prog string) string {
		t.Helper()
		out, err := try(prog)
		if err != nil {
			t.Fatalf("%s ship: %v\n%s\nworkers' log:\n%s", filepath.Base(prog), err, out, logs.String())
		}
		return out
	}
	if got, want := run(v1), "switched 2, unchanged 0\ntriple(14) = 42 on 2 workers\n"; got != want {
		t.Fatalf("the program printed %q, want %q", got, want)
	}
	cached := filepath.Join(local, "dusk-binaries", fileSHA256(t, v1))
	if got := fileSHA256(t, cached); got != fileSHA256(t, v1) {
		t.Fatalf("the cached binary %s has SHA-256 %s, not the program's", cached, got)
	}
	if fi, err := os.Stat(cached); err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Fatalf("the cached binary is not executable: %v %v", fi, err)
	}
	fetched, found := strings.Count(logs.String(), "fetched the shipped binary"), strings.Count(logs.String(), "found the shipped binary in the host's cache")
	if fetched != 1 || found != 1 {
		t.Fatalf("the host's two workers fetched the binary %d times and found it cached %d times, want once each; log:\n%s", fetched, found, logs.String())
	}
	// Same names and signatures, another body: another build.
	if got, want := run(v2), "switched 2, unchanged 0\ntriple(14) = 56 on 2 workers\n"; got != want {
		t.Fatalf("the second build printed %q, want %q", got, want)
	}
	if got, want := run(v2), "switched 0, unchanged 2\ntriple(14) = 56 on 2 workers\n"; got != want {
		t.Fatalf("shipping the same build again printed %q, want %q", got, want)
	}
	// A worker that joins later switches before it takes any task.
	late := exec.CommandContext(ctx, dusk, "worker", addr, "--nthreads", "1", "--local-directory", local, "--log-level", "info")
	late.Env = append(os.Environ(), env...)
	late.Stdout, late.Stderr = io.Discard, &logs
	late.Cancel = func() error { return late.Process.Signal(syscall.SIGTERM) }
	late.WaitDelay = 20 * time.Second
	if err := late.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = late.Process.Signal(syscall.SIGTERM); _ = late.Wait() })
	c, err := duskpkg.Connect(ctx, addr, duskpkg.Token("test-token-ship"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitWorkers(t, ctx, c, 3)
	if got, want := run(v2), "switched 0, unchanged 3\ntriple(14) = 56 on 3 workers\n"; got != want {
		t.Fatalf("with a worker that joined later: %q, want %q", got, want)
	}
	// A worker without a nanny cannot switch: the error names it.
	_, line = startProc(t, ctx, dusk, env, "dusk worker at ", "worker", addr, "--nanny=false", "--nthreads", "1", "--log-level", "warn")
	lone := strings.Fields(strings.TrimPrefix(line, "dusk worker at "))[0]
	out, err := try(v2)
	if err == nil || !strings.Contains(out, "1 worker(s) cannot run this program") || !strings.Contains(out, strings.TrimSuffix(lone, ",")) || !strings.Contains(out, "no nanny") {
		t.Fatalf("shipping to a worker without a nanny: %v\n%s", err, out)
	}
}
