package store

import (
	"bufio"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// envWorkDir makes the test binary a process that makes a worker
// directory under the base it names, prints its path, and waits to be
// killed (see TestMain).
const envWorkDir = "DUSK_TEST_WORK_DIR"

// holdWorkDir is that process.
func holdWorkDir(base string) {
	d, err := NewWorkDir(base, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		os.Exit(5)
	}
	os.Stdout.WriteString(d.path + "\n")
	for {
		time.Sleep(time.Hour)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// A worker directory that a live process holds is left alone; one whose
// owner died (its lock is free) is removed by the next process making a
// directory there; a directory without a lock is not ours and stays.
func TestStaleWorkDirectoriesArePurged(t *testing.T) {
	base := t.TempDir()
	live, err := NewWorkDir(base, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(live.path), workDirPrefix) || !exists(filepath.Join(live.path, lockFileName)) {
		t.Fatalf("worker directory %s", live.path)
	}
	// A process that made one and was killed.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), envWorkDir+"="+base)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("the helper process: %v", err)
	}
	dead := strings.TrimSpace(line)
	if err := os.WriteFile(filepath.Join(dead, "spilled"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Locked while its owner lives.
	PurgeStale(base, quiet())
	if !exists(dead) {
		t.Fatal("the directory of a live process was removed")
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()

	foreign := filepath.Join(base, workDirPrefix+"not-ours")
	if err := os.Mkdir(foreign, 0o700); err != nil {
		t.Fatal(err)
	}
	next, err := NewWorkDir(base, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if exists(dead) {
		t.Fatalf("the directory of a killed process, %s, is still there", dead)
	}
	if !exists(live.path) || !exists(next.path) || !exists(foreign) {
		t.Fatal("a live or foreign directory was removed")
	}
	for _, d := range []*WorkDir{live, next} {
		if err := d.Remove(); err != nil || exists(d.path) {
			t.Fatalf("remove %s: %v", d.path, err)
		}
	}
}
