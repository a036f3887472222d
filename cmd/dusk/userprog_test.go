package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A user's program that calls dusk.Main first is the scheduler and the
// workers (under their nannies) of its own cluster, and its own client:
// its workers run its own function, before and after a restart.
func TestYourProgramIsTheCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	prog := filepath.Join(t.TempDir(), "userprog")
	build := exec.Command("go", "build", "-tags", "duckdb_arrow", "-o", prog, "./testdata/userprog")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("building the user's program: %v", err)
	}
	env := []string{"DUSK_TOKEN=test-token-userprog"}
	_, line := startProc(t, ctx, prog, env, "dusk scheduler at ", "scheduler", "--port", "0", "--dashboard-address", "", "--log-level", "warn")
	addr := strings.TrimPrefix(line, "dusk scheduler at ")
	for range 2 {
		startProc(t, ctx, prog, env, "dusk worker at ", "worker", addr, "--nthreads", "1", "--log-level", "warn")
	}
	client := exec.CommandContext(ctx, prog, addr)
	client.Env = append(os.Environ(), env...)
	out, err := client.CombinedOutput()
	if err != nil {
		t.Fatalf("the program's own work: %v\n%s", err, out)
	}
	if want := "triple(14) = 42\nrestarted\ntriple(5) = 15\n"; string(out) != want {
		t.Fatalf("the program printed %q, want %q", out, want)
	}
}
