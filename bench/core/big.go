package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// The big-graph mode (-big): for each size N, N independent tasks (one
// Map) and a tree sum of fan-in -fan-in over their futures (one Compute),
// waited for, then every future released until the scheduler holds no
// task. Each size runs in a child process of this benchmark (-big-one),
// which starts a scheduler process (this binary's "scheduler" command,
// dusk.Main) and a worker command of 2 worker processes of 1 thread: the
// client, the scheduler and the workers each have a process of their own,
// whose peak resident set sizes are read from /proc.

// BigResult is one size of the big-graph mode.
type BigResult struct {
	// Leaves is N, the independent tasks; Tasks counts them and the sums
	// of the tree above them.
	Leaves int `json:"leaves"`
	Tasks  int `json:"tasks"`
	// SubmitS is the time Map took (its graph built, encoded and queued);
	// RunS until the tree's sum came back; ReleaseS from the release of
	// every future until the scheduler held no task; TotalS all three.
	SubmitS   float64 `json:"submit_s"`
	RunS      float64 `json:"run_s"`
	ReleaseS  float64 `json:"release_s"`
	TotalS    float64 `json:"total_s"`
	TasksPerS float64 `json:"tasks_per_s"`
	// Client and Scheduler are the memory of their processes.
	Client    ProcMemory `json:"client"`
	Scheduler ProcMemory `json:"scheduler"`
	// WorkersPeak is each worker process's peak resident set size.
	WorkersPeak []int64 `json:"workers_peak_rss"`
	Error       string  `json:"error,omitempty"`
}

// ProcMemory is a process's resident set size before the graph was
// submitted and its peak (VmHWM) over the run; BytesPerLeaf is their
// difference divided by the leaves (N).
type ProcMemory struct {
	BeforeRSS    int64   `json:"before_rss"`
	PeakRSS      int64   `json:"peak_rss"`
	BytesPerLeaf float64 `json:"bytes_per_leaf"`
	// PeakPhase is when the resident set size sampled every 50ms was
	// largest: "submit", "run" or "release".
	PeakPhase string `json:"peak_phase,omitempty"`
}

func (m *ProcMemory) perLeaf(n int) {
	m.BytesPerLeaf = float64(m.PeakRSS-m.BeforeRSS) / float64(n)
}

// BigReport is the JSON the big-graph mode writes to -out.
type BigReport struct {
	Date       string      `json:"date"`
	Command    string      `json:"command"`
	GoVersion  string      `json:"go_version"`
	NumCPU     int         `json:"num_cpu"`
	LoadAvg    string      `json:"loadavg,omitempty"`
	DuskCommit string      `json:"dusk_commit,omitempty"`
	FanIn      int         `json:"fan_in"`
	Sizes      []BigResult `json:"sizes"`
	// Scaling is the throughput at the largest size divided by that at
	// the smallest.
	Scaling float64 `json:"throughput_largest_over_smallest"`
}

// parseSizes reads -big's comma-separated sizes ("10000,1e5,1000000").
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v < 1 || v != float64(int(v)) {
			return nil, fmt.Errorf("-big: %q is not a number of tasks (give whole numbers like 10000 or 1e6, comma-separated)", f)
		}
		out = append(out, int(v))
	}
	return out, nil
}

// runBig runs every size in a child process and prints the table.
func runBig(cfg config, sizes []int) {
	exe, err := os.Executable()
	if err != nil {
		fatalf("big: finding this program: %v", err)
	}
	rep := &BigReport{Date: time.Now().UTC().Format(time.RFC3339), Command: cfg.cmdline, GoVersion: runtime.Version(),
		NumCPU: runtime.NumCPU(), LoadAvg: loadavg(), DuskCommit: vcsRevision(), FanIn: cfg.fanIn}
	failed := false
	for _, n := range sizes {
		args := []string{"-big-one", strconv.Itoa(n), "-fan-in", strconv.Itoa(cfg.fanIn), "-timeout", cfg.timeout.String()}
		if cfg.profileDir != "" {
			args = append(args, "-big-profile", cfg.profileDir)
		}
		if cfg.bigInproc {
			args = append(args, "-big-inproc")
		}
		logf("big: %d leaves: %s %s", n, exe, strings.Join(args, " "))
		r := runBigChild(exe, args)
		if r.Leaves == 0 {
			r.Leaves = n
		}
		if r.Error != "" {
			failed = true
			logf("big %d FAILED: %s", n, r.Error)
		} else {
			logf("big %d: %.2fs, %.0f tasks/s; client peak %s (%.0f B/leaf), scheduler peak %s (%.0f B/leaf)", n, r.TotalS, r.TasksPerS,
				mib(r.Client.PeakRSS), r.Client.BytesPerLeaf, mib(r.Scheduler.PeakRSS), r.Scheduler.BytesPerLeaf)
		}
		rep.Sizes = append(rep.Sizes, r)
	}
	if first, last := rep.Sizes[0], rep.Sizes[len(rep.Sizes)-1]; first.TasksPerS > 0 && last.TasksPerS > 0 {
		rep.Scaling = last.TasksPerS / first.TasksPerS
	}
	printBig(os.Stdout, rep)
	if cfg.out != "" {
		if err := writeJSON(cfg.out, rep); err != nil {
			fatalf("writing results: %v", err)
		}
		logf("results written to %s", cfg.out)
	}
	if failed {
		os.Exit(1)
	}
}

// runBigChild runs one size in a child process and decodes the result it
// prints as its last line.
func runBigChild(exe string, args []string) BigResult {
	cmd := exec.Command(exe, args...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	err := cmd.Run()
	var r BigResult
	if jerr := json.Unmarshal(lastLine(stdout.Bytes()), &r); jerr != nil {
		return BigResult{Error: fmt.Sprintf("the child process (%v) printed no result: %v", err, jerr)}
	}
	return r
}

func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

func printBig(w io.Writer, rep *BigReport) {
	fmt.Fprintf(w, "\ndusk big graphs — %s, %d CPUs, %s, load average %s\n", rep.Date, rep.NumCPU, rep.GoVersion, rep.LoadAvg)
	fmt.Fprintf(w, "N independent inc tasks (Map) + tree sum of fan-in %d over their futures (Compute), then every future released;\n", rep.FanIn)
	fmt.Fprintf(w, "client, scheduler and 2 workers (1 thread each) in processes of their own; B/leaf = (peak RSS - RSS before) / N\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "N\ttasks\tsubmit s\trun s\trelease s\ttotal s\ttasks/s\tclient peak\tB/leaf\tscheduler peak\tB/leaf\tworker peak\t")
	for _, r := range rep.Sizes {
		if r.Error != "" {
			fmt.Fprintf(tw, "%d\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t\n", r.Leaves)
			continue
		}
		wp := int64(0)
		for _, p := range r.WorkersPeak {
			wp = max(wp, p)
		}
		fmt.Fprintf(tw, "%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\t%s\t%.0f\t%s\t%.0f\t%s\t\n", r.Leaves, r.Tasks, r.SubmitS, r.RunS, r.ReleaseS, r.TotalS,
			r.TasksPerS, mib(r.Client.PeakRSS), r.Client.BytesPerLeaf, mib(r.Scheduler.PeakRSS), r.Scheduler.BytesPerLeaf, mib(wp))
	}
	tw.Flush()
	if rep.Scaling > 0 {
		fmt.Fprintf(w, "\nthroughput at N=%d / at N=%d: %.2f\n", rep.Sizes[len(rep.Sizes)-1].Leaves, rep.Sizes[0].Leaves, rep.Scaling)
	}
	for _, r := range rep.Sizes {
		if r.Error != "" {
			fmt.Fprintf(w, "  N=%d failed: %s\n", r.Leaves, r.Error)
		}
	}
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// bigOne is the child process of one size: it prints its BigResult as
// JSON on the last line of its standard output.
func bigOne(cfg config, n int) {
	r, err := runBigOne(cfg, n)
	if err != nil {
		r.Error = err.Error()
	}
	data, _ := json.Marshal(r)
	fmt.Println(string(data))
}

// bigCluster is a scheduler process and a worker command (its nannies and
// worker processes are its descendants) of this binary.
type bigCluster struct {
	dir       string
	token     string
	sched     *exec.Cmd
	workers   *exec.Cmd
	schedFile string
}

// startBigCluster starts the scheduler and worker processes; with
// profile not empty, the scheduler writes its CPU profile to
// profile.scheduler.PID when it stops.
func startBigCluster(exe, profile string) (*bigCluster, error) {
	dir, err := os.MkdirTemp("", "dusk-big-")
	if err != nil {
		return nil, err
	}
	tok := make([]byte, 16)
	_, _ = rand.Read(tok)
	bc := &bigCluster{dir: dir, token: hex.EncodeToString(tok), schedFile: filepath.Join(dir, "scheduler.json")}
	env := append(os.Environ(), "DUSK_TOKEN="+bc.token)
	bc.sched = exec.Command(exe, "scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", "127.0.0.1:0",
		"--scheduler-file", bc.schedFile, "--log-level", "warn")
	bc.sched.Env, bc.sched.Stderr = env, os.Stderr
	if profile != "" {
		if err := os.MkdirAll(filepath.Dir(profile), 0o755); err != nil {
			return nil, err
		}
		bc.sched.Env = append(bc.sched.Env, "DUSK_CPUPROFILE="+profile)
	}
	if err := bc.sched.Start(); err != nil {
		bc.stop()
		return nil, fmt.Errorf("starting the scheduler process: %w", err)
	}
	bc.workers = exec.Command(exe, "worker", "--scheduler-file", bc.schedFile, "--nworkers", "2", "--nthreads", "1",
		"--log-level", "warn", "--spill-directory", dir)
	bc.workers.Env, bc.workers.Stderr = env, os.Stderr
	if err := bc.workers.Start(); err != nil {
		bc.stop()
		return nil, fmt.Errorf("starting the worker processes: %w", err)
	}
	return bc, nil
}

// stop ends the scheduler and the workers (SIGTERM, then waits) and
// removes the directory.
func (bc *bigCluster) stop() {
	for _, cmd := range []*exec.Cmd{bc.workers, bc.sched} {
		if cmd == nil || cmd.Process == nil {
			continue
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	_ = os.RemoveAll(bc.dir)
}

func runBigOne(cfg config, n int) (BigResult, error) {
	r := BigResult{Leaves: n, Tasks: treeSize(n, cfg.fanIn)}
	exe, err := os.Executable()
	if err != nil {
		return r, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	c, schedPID, workersPID, ident, stop, err := bigConnect(ctx, cfg, exe)
	if err != nil {
		return r, err
	}
	defer stop()
	// Warm up: connections, the workers' function checks, code paths.
	if _, _, _, err := bigRun(ctx, c, ident, 1000, cfg.fanIn); err != nil {
		return r, fmt.Errorf("warm-up: %w", err)
	}
	runtime.GC()
	debug.FreeOSMemory()
	if r.Client.BeforeRSS, err = resetPeak(os.Getpid()); err != nil {
		return r, err
	}
	if r.Scheduler.BeforeRSS, err = resetPeak(schedPID); err != nil {
		return r, err
	}

	if cfg.profileDir != "" {
		stop, err := startCPUProfile(filepath.Join(cfg.profileDir, fmt.Sprintf("client-cpu-%d.pprof", n)))
		if err != nil {
			return r, err
		}
		defer stop()
	}
	atPeak := func() {
		if cfg.profileDir != "" {
			writeHeapProfile(filepath.Join(cfg.profileDir, fmt.Sprintf("client-heap-%d.pprof", n)))
		}
	}
	cs, ss := sampleRSS(ctx, os.Getpid()), sampleRSS(ctx, schedPID)
	t0 := time.Now()
	submit, run, release, err := bigRunAt(ctx, c, ident, n, cfg.fanIn, atPeak)
	if err != nil {
		return r, err
	}
	if cfg.profileDir != "" {
		// Against the one at the peak (pprof -base), what the release
		// allocated.
		writeHeapProfile(filepath.Join(cfg.profileDir, fmt.Sprintf("client-heap-released-%d.pprof", n)))
	}
	r.Client.PeakPhase = cs.phase(t0, submit, run)
	r.Scheduler.PeakPhase = ss.phase(t0, submit, run)
	r.SubmitS, r.RunS, r.ReleaseS = submit.Seconds(), run.Seconds(), release.Seconds()
	r.TotalS = (submit + run + release).Seconds() // without a heap profile written at the peak
	r.TasksPerS = float64(r.Tasks) / r.TotalS
	if r.Client.PeakRSS, err = peakRSS(os.Getpid()); err != nil {
		return r, err
	}
	if r.Scheduler.PeakRSS, err = peakRSS(schedPID); err != nil {
		return r, err
	}
	r.Client.perLeaf(n)
	r.Scheduler.perLeaf(n)
	for _, pid := range descendants(workersPID) {
		if p, err := peakRSS(pid); err == nil {
			r.WorkersPeak = append(r.WorkersPeak, p)
		}
	}
	return r, nil
}

// bigConnect starts the cluster and connects to it: a scheduler process
// and a worker command, or with -big-inproc a local cluster whose
// scheduler is in this process. It returns the client, the pids of the
// scheduler and of the process whose descendants are the workers, a way
// to ask the scheduler how many tasks it holds, and how to stop it all.
func bigConnect(ctx context.Context, cfg config, exe string) (c *dusk.Client, schedPID, workersPID int,
	ident func(context.Context) (int64, error), stop func(), err error) {
	if cfg.bigInproc {
		c, err := dusk.Connect(ctx, "", dusk.LocalWorkers(2), dusk.LocalThreads(1), dusk.LocalProcesses())
		if err != nil {
			return nil, 0, 0, nil, nil, err
		}
		ident := func(context.Context) (int64, error) { return int64(c.Local().Snapshot().Tasks), nil }
		return c, os.Getpid(), os.Getpid(), ident, func() { closeClient(c) }, nil
	}
	profile := ""
	if cfg.profileDir != "" {
		profile = filepath.Join(cfg.profileDir, fmt.Sprintf("cpu-%d", cfg.bigOne))
	}
	bc, err := startBigCluster(exe, profile)
	if err != nil {
		return nil, 0, 0, nil, nil, err
	}
	c, err = dusk.Connect(ctx, "", dusk.SchedulerFile(bc.schedFile), dusk.Token(bc.token))
	if err != nil {
		bc.stop()
		return nil, 0, 0, nil, nil, err
	}
	ident, closeIdent, err := identity(bc, c.Scheduler())
	if err != nil {
		closeClient(c)
		bc.stop()
		return nil, 0, 0, nil, nil, err
	}
	stop = func() { closeIdent(); closeClient(c); bc.stop() }
	return c, bc.sched.Process.Pid, bc.workers.Process.Pid, ident, stop, nil
}

// rssSampler samples a process's resident set size every 50ms and keeps
// when it was largest.
type rssSampler struct {
	mu     sync.Mutex
	max    int64
	maxAt  time.Time
	cancel context.CancelFunc
}

func sampleRSS(ctx context.Context, pid int) *rssSampler {
	ctx, cancel := context.WithCancel(ctx)
	s := &rssSampler{cancel: cancel}
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if kb, err := procStatus(pid, "VmRSS"); err == nil {
				s.mu.Lock()
				if kb > s.max {
					s.max, s.maxAt = kb, time.Now()
				}
				s.mu.Unlock()
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// phase stops sampling and names the phase of the run (started at t0)
// in which the largest sample was taken.
func (s *rssSampler) phase(t0 time.Time, submit, run time.Duration) string {
	s.cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch at := s.maxAt.Sub(t0); {
	case at < submit:
		return "submit"
	case at < submit+run:
		return "run"
	default:
		return "release"
	}
}

// identity returns a function asking the scheduler how many tasks it
// holds, over a connection of its own.
func identity(bc *bigCluster, addr string) (func(context.Context) (int64, error), func(), error) {
	conn, err := wire.Security{Token: bc.token}.Dial(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to the scheduler at %s: %w", addr, err)
	}
	sc := pb.NewSchedulerClient(conn)
	return func(ctx context.Context) (int64, error) {
		id, err := sc.Identity(ctx, &pb.IdentityRequest{})
		if err != nil {
			return 0, fmt.Errorf("asking the scheduler at %s for its tasks: %w", addr, err)
		}
		return id.GetTasks(), nil
	}, func() { _ = conn.Close() }, nil
}

func waitWorkers(ctx context.Context, c *dusk.Client, n int) error {
	for {
		ws, err := c.Workers(ctx)
		if err != nil {
			return err
		}
		if len(ws) >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %d workers (have %d): %w", n, len(ws), ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func bigRun(ctx context.Context, c *dusk.Client, ident func(context.Context) (int64, error), n, fanIn int) (submit, run, release time.Duration, err error) {
	return bigRunAt(ctx, c, ident, n, fanIn, func() {})
}

// bigRunAt runs one big graph: Map of n incs, a tree sum over their
// futures in one Compute, then the release of every future until the
// scheduler holds no task. atPeak runs when the sum is back and nothing
// is released yet.
func bigRunAt(ctx context.Context, c *dusk.Client, ident func(context.Context) (int64, error), n, fanIn int, atPeak func()) (submit, run, release time.Duration, err error) {
	t0 := time.Now()
	items := make([]int, n)
	for i := range items {
		items[i] = i
	}
	fs, err := dusk.Map[int](ctx, c, incFn, items)
	if err != nil {
		return 0, 0, 0, err
	}
	submit = time.Since(t0)
	level := make([]*dusk.Delayed[int], 0, (n+fanIn-1)/fanIn)
	for i := 0; i < n; i += fanIn {
		level = append(level, dusk.Call[int](sumFn, fs[i:min(i+fanIn, n)]))
	}
	got, err := dusk.Compute(ctx, c, sumTree(level, fanIn))
	if err != nil {
		releaseAll(fs)
		return 0, 0, 0, err
	}
	run = time.Since(t0) - submit
	if want := n * (n + 1) / 2; got != want {
		releaseAll(fs)
		return 0, 0, 0, fmt.Errorf("big: sum = %d, want %d", got, want)
	}
	atPeak()
	t1 := time.Now()
	releaseAll(fs)
	for {
		left, err := ident(ctx)
		if err != nil {
			return 0, 0, 0, err
		}
		if left == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return 0, 0, 0, fmt.Errorf("big: the scheduler still holds %d tasks after every future was released: %w", left, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return submit, run, time.Since(t1), nil
}

// resetPeak resets the peak resident set size (VmHWM) of process pid to
// its current one (writing 5 to /proc/PID/clear_refs) and returns the
// current one.
func resetPeak(pid int) (int64, error) {
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		return 0, fmt.Errorf("resetting the peak memory of process %d: %w", pid, err)
	}
	kb, err := procStatus(pid, "VmRSS")
	return kb << 10, err
}

// peakRSS returns the peak resident set size of process pid in bytes.
func peakRSS(pid int) (int64, error) {
	kb, err := procStatus(pid, "VmHWM")
	return kb << 10, err
}

// procStatus reads the number of a field of /proc/PID/status (kB for
// sizes).
func procStatus(pid int, field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/status: %s: %w", pid, field, err)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}

// descendants returns the processes below pid (children, theirs, ...),
// from the parent pids in /proc.
func descendants(pid int) []int {
	ents, _ := os.ReadDir("/proc")
	children := map[int][]int{}
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, err := procStatus(p, "PPid"); err == nil {
			children[int(pp)] = append(children[int(pp)], p)
		}
	}
	var out []int
	todo := []int{pid}
	for len(todo) > 0 {
		p := todo[0]
		todo = todo[1:]
		for _, ch := range children[p] {
			out = append(out, ch)
			todo = append(todo, ch)
		}
	}
	return out
}

func startCPUProfile(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, errors.Join(fmt.Errorf("cpu profile %s", path), err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func writeHeapProfile(path string) {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		logf("heap profile: %v", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		logf("heap profile: %v", err)
	}
}
