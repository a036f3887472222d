package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk/diagnostics/report"
)

// TestReportCommand records a cluster of processes while a command runs.
func TestReportCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the dusk binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := buildDusk(t)
	env := []string{"DUSK_TOKEN=report-token"}
	_, line := startProc(t, ctx, bin, env, "dusk scheduler at ", "scheduler", "--address", "127.0.0.1:0",
		"--dashboard-address", "127.0.0.1:0", "--log-level", "warn")
	addr := strings.TrimPrefix(line, "dusk scheduler at ")
	startProc(t, ctx, bin, env, "dusk worker at ", "worker", addr, "--nthreads", "2", "--nanny=false", "--log-level", "warn")

	out := filepath.Join(t.TempDir(), "run.html")
	var d report.Data
	for { // until the worker has joined
		cmd := exec.CommandContext(ctx, bin, "report", "--scheduler", addr, "--out", out, "--", "sh", "-c", "exit 3")
		cmd.Env = append(os.Environ(), env...)
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("dusk report around a failing command: %v", err)
		}
		raw, err := os.ReadFile(filepath.Join(filepath.Dir(out), "run.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		if d.Summary.Workers == 1 || ctx.Err() != nil {
			break
		}
	}
	if d.Summary.Workers != 1 || d.Summary.Threads != 2 || d.Summary.Caller != `sh -c exit 3` || d.Summary.Versions["dusk report"] == "" {
		t.Errorf("summary = %+v", d.Summary)
	}
	if page, err := os.ReadFile(out); err != nil || !strings.Contains(string(page), "dusk performance report") {
		t.Errorf("run.html: %v", err)
	}
	if err := exec.Command(bin, "report", "--scheduler", addr).Run(); err == nil {
		t.Error("dusk report without a token succeeded")
	}

	// dusk doctor on the same cluster: its description and the advisor's
	// verdict on what it did lately.
	doctor := exec.CommandContext(ctx, bin, "doctor", "--scheduler", addr)
	doctor.Env = append(os.Environ(), env...)
	text, err := doctor.CombinedOutput()
	if err != nil {
		t.Fatalf("dusk doctor: %v\n%s", err, text)
	}
	for _, want := range []string{"1 workers, 2 threads", "memory limit", "lately (", "task runs"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("dusk doctor's output lacks %q:\n%s", want, text)
		}
	}
	if out, err := exec.Command(bin, "doctor", "--scheduler", addr).CombinedOutput(); err == nil || !strings.Contains(string(out), "token") {
		t.Errorf("dusk doctor without a token: %v\n%s", err, out)
	}
}
