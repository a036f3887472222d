package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/worker"
)

// TestWorkerMemoryFlags runs dusk worker (under its nanny) with memory
// flags: the limit reaches the scheduler (auto resolved), and data
// scattered past the target is spilled into the given spill directory and
// read back intact.
func TestWorkerMemoryFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the dusk binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := buildDusk(t)
	env := []string{"DUSK_TOKEN=test-token-456"}
	_, line := startProc(t, ctx, bin, env, "dusk scheduler at ", "scheduler", "--address", "127.0.0.1:0", "--log-level", "warn")
	addr := strings.TrimPrefix(line, "dusk scheduler at ")
	dir := t.TempDir()
	startProc(t, ctx, bin, env, "dusk worker at ", "worker", addr, "--name", "small", "--nthreads", "1",
		"--memory-limit", "300MiB", "--memory-target", "0.5", "--spill-directory", dir, "--log-level", "warn")
	startProc(t, ctx, bin, env, "dusk worker at ", "worker", addr, "--name", "auto", "--nthreads", "1",
		"--memory-limit", "auto", "--log-level", "warn")
	c, err := dusk.Connect(ctx, addr, dusk.Token("test-token-456"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	limits := map[string]int64{}
	for _, w := range waitWorkers(t, ctx, c, 2) {
		limits[w.Name] = w.MemoryLimit
	}
	if limits["small"] != 300<<20 || limits["auto"] != worker.AutoMemoryLimit(1) {
		t.Fatalf("memory limits %v; want small 300 MiB and auto %d", limits, worker.AutoMemoryLimit(1))
	}

	// 256 MiB on a worker whose target is 150 MiB.
	vals := make([][]byte, 4)
	for i := range vals {
		vals[i] = make([]byte, 64<<20)
		_, _ = rand.NewChaCha8([32]byte{byte(i)}).Read(vals[i])
	}
	fs, err := dusk.ScatterEach(ctx, c, vals, dusk.OnWorkers("small"))
	if err != nil {
		t.Fatal(err)
	}
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "dusk-worker-*", "spill", "*"))
		var spilled int64
		ws, err := c.Workers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if w.Name == "small" {
				spilled = w.Memory.Spilled
			}
		}
		if len(files) >= 2 && spilled >= 128<<20 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no spilling: %d files, %d bytes spilled", len(files), spilled)
		case <-time.After(20 * time.Millisecond):
		}
	}
	for i, f := range fs {
		got, err := f.Result(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, vals[i]) {
			t.Fatalf("value %d came back different", i)
		}
	}
}
