package nanny

import (
	"bufio"
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dusk-go/dusk/worker/store"
)

// envHog makes the test binary a process that grows its memory until it
// is killed (see TestMain), writing its directory to the file it names.
const envHog = "DUSK_TEST_MEMORY_HOG"

func TestMain(m *testing.M) {
	if report := os.Getenv(envHog); report != "" {
		hog(report)
		return
	}
	if record := os.Getenv(envSwitch); record != "" {
		os.Exit(switcher(record, os.Getenv(envSwitchTo)))
	}
	if stop := os.Getenv(envWaitFor); stop != "" {
		// A worker process that runs until the file stop exists.
		for {
			if _, err := os.Stat(stop); err == nil {
				os.Exit(ExitClosed)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	os.Exit(m.Run())
}

// hog records its directory, leaves a file in it, and then allocates and
// touches memory, 8 MiB at a time, up to 2 GiB, and waits to be killed,
// keeping the variable alive.
func hog(report string) {
	dir := os.Getenv(EnvDirectory)
	if err := os.WriteFile(filepath.Join(dir, "left-behind"), []byte("x"), 0o600); err != nil {
		os.Exit(5)
	}
	f, err := os.OpenFile(report, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		os.Exit(5)
	}
	f.WriteString(dir + "\n")
	f.Close()
	// It reports its memory as a worker process does, for builds whose
	// nanny cannot measure it from outside.
	r := ReporterFromEnv()
	var keep [][]byte
	for range 256 {
		b := make([]byte, 8<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		keep = append(keep, b)
		if m, err := store.ProcessMemory(0); err == nil {
			r.Report(m)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for {
		if m, err := store.ProcessMemory(0); err == nil {
			r.Report(m)
		}
		time.Sleep(50 * time.Millisecond) // until the nanny kills it
		runtime.KeepAlive(keep)           // the memory stays in use meanwhile
	}
}

// A process whose memory passes the terminate threshold is killed and a
// fresh one started; each process had a directory of its own, removed
// once it ended.
func TestNannyKillsAboveTerminate(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	report := filepath.Join(t.TempDir(), "dirs")
	var mu sync.Mutex
	var killed []int64
	var pids []int
	twice := make(chan struct{})
	n := &Nanny{
		Name:        "hog",
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		MemoryLimit: 200 << 20,
		Terminate:   0.5, // kill past 100 MiB
		Directory:   base,
		Command: func(ctx context.Context) *exec.Cmd {
			cmd := exec.CommandContext(ctx, exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), envHog+"="+report)
			return cmd
		},
		Started: func(pid int) {
			mu.Lock()
			pids = append(pids, pid)
			mu.Unlock()
		},
		Killed: func(pid int, mem int64) {
			mu.Lock()
			defer mu.Unlock()
			killed = append(killed, mem)
			if len(killed) == 2 {
				close(twice)
			}
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- n.Run(runCtx) }()
	select {
	case <-twice:
	case <-ctx.Done():
		t.Fatal("the nanny did not kill the growing process twice")
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, m := range killed {
		if m <= 100<<20 {
			t.Errorf("killed at %d MiB, below the threshold", m>>20)
		}
	}
	if len(pids) < 2 || pids[0] == pids[1] {
		t.Fatalf("processes started: %v; want a fresh one after the kill", pids)
	}
	// Every process had its own directory, and none is left.
	f, err := os.Open(report)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var dirs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		dirs = append(dirs, sc.Text())
	}
	sorted := slices.Clone(dirs)
	slices.Sort(sorted)
	if len(dirs) < 2 || len(slices.Compact(sorted)) != len(dirs) {
		t.Fatalf("directories: %v; want a fresh one per process", dirs)
	}
	for _, d := range dirs {
		if filepath.Dir(d) != base {
			t.Errorf("directory %s is not under %s", d, base)
		}
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("directory %s of a dead process is still there (%v)", d, err)
		}
	}
	if es, _ := os.ReadDir(base); len(es) != 0 {
		t.Errorf("left under %s: %v", base, es)
	}
}

// A dead process's directory that was still locked when the nanny made a
// directory next to it (its owner still exiting: a process keeps its
// locks until its last thread is gone, after it reads as dead) is removed
// when the nanny's process ends, not left until another one starts.
func TestNannyPurgesADirectoryUnlockedAfterItsStart(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	stale, lock := dyingOwnersDirectory(t, base)
	var keptAtStart bool
	n := &Nanny{Name: "purger", Directory: base, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		// The test binary running no test: it exits at once with
		// ExitClosed, and Run returns.
		Command: func(ctx context.Context) *exec.Cmd { return exec.CommandContext(ctx, exe, "-test.run=^$") },
		Started: func(int) {
			_, err := os.Stat(stale)
			keptAtStart = err == nil
			lock.Close() // the owner has exited now
		}}
	if err := n.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !keptAtStart {
		t.Fatal("the nanny removed a directory whose lock was held")
	}
	if es, _ := os.ReadDir(base); len(es) != 0 {
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		t.Fatalf("left under %s after the nanny's process ended: %v; want the dead one's directory removed too", base, names)
	}
}

// A dead process's directory that was still locked when the nanny
// started is removed while the nanny's worker runs, not only when it ends
// (a nanny started again at once after a kill would keep it for as long
// as its worker lives).
func TestNannyPurgesADirectoryUnlockedWhileItsWorkerRuns(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	stale, lock := dyingOwnersDirectory(t, base)
	stop := filepath.Join(t.TempDir(), "stop")
	started := make(chan bool, 1)
	n := &Nanny{Name: "purger", Directory: base, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Command: func(ctx context.Context) *exec.Cmd {
			cmd := exec.CommandContext(ctx, exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), envWaitFor+"="+stop)
			return cmd
		},
		Started: func(int) {
			_, err := os.Stat(stale)
			started <- err == nil
			lock.Close() // the owner has exited now
		}}
	ran := make(chan error, 1)
	go func() { ran <- n.Run(context.Background()) }()
	defer func() {
		os.WriteFile(stop, nil, 0o600) // the worker process ends, and Run returns
		if err := <-ran; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	if !<-started {
		t.Fatal("the nanny removed a directory whose lock was held")
	}
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(stale); errors.Is(err, fs.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is still there a minute after its lock was released, while the nanny's worker runs", stale)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dyingOwnersDirectory makes under base the directory of a worker whose
// process is still exiting: a spilled file in it, its lock held (here, by
// this process) until the test closes the file returned (closed at the
// test's end otherwise).
func dyingOwnersDirectory(t *testing.T, base string) (string, *os.File) {
	t.Helper()
	stale := filepath.Join(base, "dusk-worker-dying")
	if err := os.Mkdir(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stale, "spilled"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(filepath.Join(stale, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lock.Close() })
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	return stale, lock
}

// envWaitFor makes the test binary a worker process that runs until the
// file it names exists.
const envWaitFor = "DUSK_TEST_WAIT_FOR"

// envSwitch makes the test binary a worker process that records which
// executable it is and, unless it is the one envSwitchTo names, asks its
// nanny to start that one instead.
const (
	envSwitch   = "DUSK_TEST_SWITCH"
	envSwitchTo = "DUSK_TEST_SWITCH_TO"
)

func switcher(record, target string) int {
	exe, err := os.Executable()
	if err != nil {
		return 9
	}
	f, err := os.OpenFile(record, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return 9
	}
	f.WriteString(exe + "\n")
	f.Close()
	if exe == target {
		return ExitClosed
	}
	if err := SwitchTo(target); err != nil {
		return 9
	}
	return ExitSwitch
}

func TestNannyStartsTheBinaryItsWorkerSwitchedTo(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	target := filepath.Join(dir, "shipped")
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, b, 0o755); err != nil {
		t.Fatal(err)
	}
	record := filepath.Join(dir, "record")
	n := &Nanny{Name: "switcher", Directory: dir, MaxRestarts: 1,
		Command: func(ctx context.Context) *exec.Cmd {
			cmd := exec.CommandContext(ctx, exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), envSwitch+"="+record, envSwitchTo+"="+target)
			return cmd
		}}
	if err := n.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	if want := exe + "\n" + target + "\n"; string(got) != want {
		t.Fatalf("the nanny started\n%s\nwant\n%s", got, want)
	}
}

func TestSwitchToRefusesWithoutANanny(t *testing.T) {
	t.Setenv(EnvNannyPID, "")
	t.Setenv(EnvSwitchFile, filepath.Join(t.TempDir(), "switch"))
	if err := SwitchTo("/bin/true"); err == nil {
		t.Fatal("SwitchTo without a nanny: no error")
	}
}

func TestNannyIgnoresASwitchToAFileThatIsNotExecutable(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "switch"), []byte(plain+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := switchedTo(filepath.Join(dir, "switch")); err == nil {
		t.Fatalf("switchedTo(%s) accepted a file that is not executable", plain)
	}
}
