package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
)

// The flags Dask users look for: workers started before their scheduler
// find it through --scheduler-file, as a client does (dusk.SchedulerFile);
// --nworkers starts several workers under their own nannies, named
// name-0, name-1…; --local-directory is --spill-directory; a worker with a
// --lifetime retires when it ends, and with --lifetime-restart its nanny
// starts it again fresh, while without it the worker command ends, exit
// code 0.
func TestDaskFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the dusk binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := buildDusk(t)
	env := []string{"DUSK_TOKEN=test-token-flags"}
	dir := t.TempDir()
	schedFile := filepath.Join(dir, "scheduler.json")
	local := filepath.Join(dir, "local")
	if err := os.Mkdir(local, 0o755); err != nil {
		t.Fatal(err)
	}

	// Workers first: they wait for the scheduler file.
	startProcLines(t, ctx, bin, env, nil, "worker", "--scheduler-file", schedFile, "--nworkers", "2", "--name", "a",
		"--nthreads", "1", "--local-directory", local, "--log-level", "warn")
	if _, err := os.Stat(schedFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the scheduler file exists before the scheduler: %v", err)
	}
	_, line := startProc(t, ctx, bin, env, "dusk scheduler at ", "scheduler", "--port", "0", "--dashboard-address", "",
		"--scheduler-file", schedFile, "--log-level", "warn")
	var f struct{ Type, Address string }
	b, err := os.ReadFile(schedFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &f); err != nil || f.Type != "Scheduler" || "dusk scheduler at "+f.Address != line {
		t.Fatalf("scheduler file %s (%v); the scheduler said %q", b, err, line)
	}
	c, err := dusk.Connect(ctx, "", dusk.SchedulerFile(schedFile), dusk.Token("test-token-flags"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ws := waitWorkers(t, ctx, c, 2)
	names := []string{ws[0].Name, ws[1].Name}
	slices.Sort(names)
	if !slices.Equal(names, []string{"a-0", "a-1"}) {
		t.Fatalf("workers of --nworkers 2 --name a are named %v", names)
	}
	if dirs, _ := filepath.Glob(filepath.Join(local, "dusk-worker-*")); len(dirs) != 2 {
		t.Fatalf("worker directories under --local-directory: %v", dirs)
	}

	// A worker that lives 2 seconds and is then started again.
	startProcLines(t, ctx, bin, env, nil, "worker", "--scheduler-file", schedFile, "--name", "b", "--nthreads", "1",
		"--lifetime", "2s", "--lifetime-restart", "--log-level", "warn")
	addrOf := func(name string) string {
		ws, err := c.Workers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if w.Name == name {
				return w.Address
			}
		}
		return ""
	}
	var first string
	waitFor(t, ctx, "worker b joins", func() bool { first = addrOf("b"); return first != "" })
	waitFor(t, ctx, "worker b is started again after its lifetime", func() bool {
		a := addrOf("b")
		return a != "" && a != first
	})

	// A worker that lives 1 second and leaves for good: its command ends.
	once := exec.CommandContext(ctx, bin, "worker", "--scheduler-file", schedFile, "--name", "once", "--nthreads", "1",
		"--lifetime", "1s", "--log-level", "warn")
	once.Env = append(os.Environ(), env...)
	once.Stderr = os.Stderr
	if err := once.Run(); err != nil {
		t.Fatalf("the worker whose lifetime ended: %v", err)
	}

	// The cluster computes on.
	sq, err := dusk.Submit[int](ctx, c, qsSquare, 9)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := sq.Result(ctx); err != nil || v != 81 {
		t.Fatalf("square(9) = %v, %v", v, err)
	}
}

// Flags that cannot work together are refused in plain words.
func TestWorkerFlagsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the dusk binary")
	}
	bin := buildDusk(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--nworkers", "2", "--nanny=false", "tcp://127.0.0.1:1"}, "needs the nanny"},
		{[]string{"--nworkers", "2", "--port", "9999", "tcp://127.0.0.1:1"}, "cannot share a port"},
		{[]string{"--nworkers", "0", "tcp://127.0.0.1:1"}, "give 1 or more"},
		{[]string{"--scheduler-file", "/nonexistent/f", "tcp://127.0.0.1:1"}, "not both"},
	} {
		cmd := exec.Command(bin, append([]string{"worker"}, tc.args...)...)
		cmd.Env = append(os.Environ(), "DUSK_TOKEN=t")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("dusk worker %v: %v, said %q; want %q", tc.args, err, out, tc.want)
		}
	}
	// A scheduler file that is not one is an error at once.
	bad := filepath.Join(t.TempDir(), "f.json")
	if err := os.WriteFile(bad, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "worker", "--scheduler-file", bad)
	cmd.Env = append(os.Environ(), "DUSK_TOKEN=t")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "not a scheduler file") {
		t.Errorf("a worker given a bad scheduler file: %v, said %q", err, out)
	}
}
