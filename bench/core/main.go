// Command core is dusk's core benchmark, side by side with Dask.
//
// It runs three workloads on a local dusk cluster of 2 worker processes
// with 1 thread each, then the same workloads on a Dask LocalCluster of the
// same shape (by running bench/dask/core.py with /usr/bin/python3, once with
// Dask's default worker-saturation and once with worker-saturation=inf),
// and prints one table:
//
//	go run ./bench/core                 # full run (a few minutes)
//	go run ./bench/core -quick          # small sizes, one repetition (CI smoke)
//	go run ./bench/core -dask=false     # dusk only
//
// See bench/README.md for what each workload measures.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/diagnostics/event"
)

// The task functions. They are trivial on purpose: the benchmark measures
// what the engine costs per task.
var (
	incFn = dusk.Register("bench.inc", func(x int) int { return x + 1 })
	sumFn = dusk.Register("bench.sum", func(xs []int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	})
)

type config struct {
	quick      bool
	runDask    bool
	out        string
	reps       int
	warmup     int
	nMap       int
	nTree      int
	fanIn      int
	nChain     int
	nMerge     int
	timeout    time.Duration
	python     string
	script     string
	only       map[string]bool
	cmdline    string
	settleTO   time.Duration
	cpuprofile string
	duskAfter  bool
	// The big-graph mode (big.go): its sizes, the one size a child
	// process runs, where it writes profiles, and whether the scheduler
	// runs in the client's process (for profiling both at once).
	big        string
	bigOne     int
	profileDir string
	bigInproc  bool
}

// Result is one measured workload.
type Result struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	// Tasks is the number of tasks the workload stands for (before any
	// fusion); rates and latencies are per such task.
	Tasks int `json:"tasks"`
	// Executed is the number of tasks the workers ran in the warm-up run
	// (counted from the scheduler's event stream; fusion makes it smaller
	// than Tasks). 0: not counted.
	Executed int `json:"executed,omitempty"`
	// ByWorker splits Executed by worker; Transfers counts the
	// dependency transfers between workers in the warm-up run.
	ByWorker  map[string]int `json:"executed_by_worker,omitempty"`
	Transfers int            `json:"transfers"`
	RunsS     []float64      `json:"runs_s,omitempty"`
	// RoundMediansS holds the median of each round of runs (before and
	// after the Dask runs); MedianS is over all runs of all rounds.
	RoundMediansS []float64 `json:"round_medians_s,omitempty"`
	MedianS       float64   `json:"median_s,omitempty"`
	// Leftover is how many tasks the scheduler still held some time after
	// a run ended and its futures were released (should be 0).
	Leftover int    `json:"leftover_tasks,omitempty"`
	Error    string `json:"error,omitempty"`
}

// DaskRun is what bench/dask/core.py prints.
type DaskRun struct {
	DaskVersion        string  `json:"dask_version"`
	DistributedVersion string  `json:"distributed_version"`
	Python             string  `json:"python"`
	Saturation         string  `json:"saturation"`
	SchedulerSat       string  `json:"scheduler_worker_saturation"`
	Quick              bool    `json:"quick"`
	Reps               int     `json:"reps"`
	Warmup             int     `json:"warmup"`
	ClusterStartS      float64 `json:"cluster_start_s"`
	Workloads          map[string]struct {
		Tasks   int       `json:"tasks"`
		RunsS   []float64 `json:"runs_s"`
		MedianS float64   `json:"median_s"`
		Error   string    `json:"error"`
	} `json:"workloads"`
	Error string `json:"error,omitempty"`
}

// Row is one line of the comparison table.
type Row struct {
	Workload   string  `json:"workload"`
	Unit       string  `json:"unit"` // "tasks/s" or "us/task"
	Dusk       float64 `json:"dusk"`
	DaskDef    float64 `json:"dask_default"`
	DaskInf    float64 `json:"dask_saturation_inf"`
	DaskSource string  `json:"dask_workload"`
	// Speedup is dusk against the faster Dask setting: dusk tasks/s divided
	// by Dask's, or Dask's µs/task divided by dusk's; above 1 dusk is
	// faster.
	Speedup float64 `json:"speedup_vs_faster_dask"`
	Note    string  `json:"note,omitempty"`
}

// MarshalJSON writes figures that could not be measured (NaN) as null.
func (r Row) MarshalJSON() ([]byte, error) {
	opt := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	return json.Marshal(struct {
		Workload   string   `json:"workload"`
		Unit       string   `json:"unit"`
		Dusk       *float64 `json:"dusk"`
		DaskDef    *float64 `json:"dask_default"`
		DaskInf    *float64 `json:"dask_saturation_inf"`
		DaskSource string   `json:"dask_workload"`
		Speedup    *float64 `json:"speedup_vs_faster_dask"`
		Note       string   `json:"note,omitempty"`
	}{r.Workload, r.Unit, opt(r.Dusk), opt(r.DaskDef), opt(r.DaskInf), r.DaskSource, opt(r.Speedup), r.Note})
}

// Report is the JSON written to -out.
type Report struct {
	Date      string `json:"date"`
	Command   string `json:"command"`
	GoVersion string `json:"go_version"`
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	NumCPU    int    `json:"num_cpu"`
	LoadAvg   string `json:"loadavg,omitempty"`
	// LoadAfterDusk and LoadAfterDask are the load averages when the dusk
	// runs and the Dask runs ended: the machine is shared.
	LoadAfterDusk string            `json:"loadavg_after_dusk,omitempty"`
	LoadAfterDask map[string]string `json:"loadavg_after_dask,omitempty"`
	// LoadAfterDusk2 is the load average after the second dusk round.
	LoadAfterDusk2 string              `json:"loadavg_after_dusk_round2,omitempty"`
	DuskCommit     string              `json:"dusk_commit,omitempty"`
	Quick          bool                `json:"quick"`
	Reps           int                 `json:"reps"`
	Warmup         int                 `json:"warmup"`
	Dusk           []Result            `json:"dusk"`
	Dask           map[string]*DaskRun `json:"dask,omitempty"`
	Rows           []Row               `json:"rows"`
}

func main() {
	dusk.Main()

	var cfg config
	var only string
	flag.BoolVar(&cfg.quick, "quick", false, "small sizes, one repetition, no warm-up (for CI smoke runs)")
	flag.BoolVar(&cfg.runDask, "dask", true, "also run the Dask side (bench/dask/core.py)")
	flag.StringVar(&cfg.out, "out", "bench/results/core.json", "where to write the results as JSON")
	flag.IntVar(&cfg.reps, "reps", 5, "measured repetitions per workload (the median is reported)")
	flag.IntVar(&cfg.nMap, "map", 20000, "tasks in the map workload")
	flag.IntVar(&cfg.nTree, "tree", 20000, "leaves of the tree sum")
	flag.IntVar(&cfg.fanIn, "fan-in", 8, "fan-in of the tree sum")
	flag.IntVar(&cfg.nChain, "chain", 1000, "length of the chain")
	flag.IntVar(&cfg.nMerge, "merge", 25000, "tasks in the merge workload: one Call over this many minus one independent Calls")
	flag.DurationVar(&cfg.timeout, "timeout", 2*time.Minute, "limit for one run of one workload; a run that takes longer is reported as hung")
	flag.StringVar(&cfg.python, "python", "/usr/bin/python3", "the Python that has Debian's python3-distributed")
	flag.StringVar(&cfg.script, "dask-script", "", "path of bench/dask/core.py (default: found from the working directory or this source file)")
	flag.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write a CPU profile of the client process (scheduler included) during the dusk runs to this file")
	flag.BoolVar(&cfg.duskAfter, "dusk-after", true, "with -dask, measure dusk again after the Dask runs and report the median over both rounds")
	flag.StringVar(&only, "only", "", "comma-separated workloads to run (map,tree,tree_delayed,merge,chain,chain_delayed_unfused,chain_delayed_fused)")
	flag.StringVar(&cfg.big, "big", "", "big-graph mode: comma-separated sizes (e.g. 10000,100000,1000000), each N independent tasks and a tree sum over them, in processes of their own (see bench/README.md)")
	flag.IntVar(&cfg.bigOne, "big-one", 0, "run one size of the big-graph mode and print its result as JSON (the -big mode's child processes)")
	flag.StringVar(&cfg.profileDir, "big-profile", "", "with -big: write the client's CPU profile and its heap profile at its peak, per size, to this directory")
	flag.BoolVar(&cfg.bigInproc, "big-inproc", false, "with -big: run the scheduler in the client's process (a local cluster) so that -big-profile profiles both; its memory is then the client's")
	flag.Parse()
	cfg.warmup = 1
	if cfg.quick {
		cfg.nMap, cfg.nTree, cfg.nMerge, cfg.nChain, cfg.reps, cfg.warmup = 2000, 2000, 2000, 100, 1, 0
	}
	cfg.settleTO = 10 * time.Second
	if only != "" {
		cfg.only = map[string]bool{}
		for _, w := range strings.Split(only, ",") {
			cfg.only[strings.TrimSpace(w)] = true
		}
	}
	cfg.cmdline = "go run ./bench/core"
	if len(os.Args) > 1 {
		cfg.cmdline += " " + strings.Join(os.Args[1:], " ")
	}

	if cfg.bigOne > 0 {
		bigOne(cfg, cfg.bigOne)
		return
	}
	if cfg.big != "" {
		sizes, err := parseSizes(cfg.big)
		if err != nil {
			fatalf("%v", err)
		}
		outSet := false
		flag.Visit(func(f *flag.Flag) { outSet = outSet || f.Name == "out" })
		if !outSet {
			cfg.out = "bench/results/big.json"
		}
		runBig(cfg, sizes)
		return
	}

	rep := &Report{
		Date: time.Now().UTC().Format(time.RFC3339), Command: cfg.cmdline,
		GoVersion: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, NumCPU: runtime.NumCPU(),
		LoadAvg: loadavg(), DuskCommit: vcsRevision(), Quick: cfg.quick, Reps: cfg.reps, Warmup: cfg.warmup,
	}
	logf("machine: %d CPUs, load average %s", rep.NumCPU, rep.LoadAvg)
	if cfg.runDask {
		settleMachine(cfg, "dusk's first round")
	}
	if cfg.cpuprofile != "" {
		f, err := os.Create(cfg.cpuprofile)
		if err != nil {
			fatalf("cpu profile: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatalf("cpu profile: %v", err)
		}
		rep.Dusk = runDusk(cfg)
		pprof.StopCPUProfile()
		f.Close()
	} else {
		rep.Dusk = runDusk(cfg)
	}

	rep.LoadAfterDusk = loadavg()
	logf("dusk runs done; load average %s", rep.LoadAfterDusk)
	if cfg.runDask {
		rep.Dask = map[string]*DaskRun{}
		rep.LoadAfterDask = map[string]string{}
		for _, sat := range []string{"default", "inf"} {
			settleMachine(cfg, "dask (worker-saturation "+sat+")")
			rep.Dask[sat] = runDask(cfg, sat)
			rep.LoadAfterDask[sat] = loadavg()
			logf("dask (worker-saturation %s) done; load average %s", sat, rep.LoadAfterDask[sat])
		}
		if cfg.duskAfter {
			// The Dask runs take half an hour on a shared machine whose load
			// moves: measure dusk again at the end, so that its figures
			// sample the same period, and report the median of both rounds.
			logf("dusk again, after Dask")
			settleMachine(cfg, "dusk's second round")
			rep.Dusk = mergeRounds(rep.Dusk, runDusk(cfg))
			rep.LoadAfterDusk2 = loadavg()
			logf("second dusk round done; load average %s", rep.LoadAfterDusk2)
		}
	}
	rep.Rows = compare(cfg, rep)
	printTable(os.Stdout, cfg, rep)

	if cfg.out != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.out), 0o755); err != nil {
			fatalf("writing results: %v", err)
		}
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			fatalf("encoding results: %v", err)
		}
		if err := os.WriteFile(cfg.out, append(data, '\n'), 0o644); err != nil {
			fatalf("writing results: %v", err)
		}
		logf("results written to %s", cfg.out)
	}
	for _, r := range rep.Dusk {
		if r.Error != "" {
			os.Exit(1)
		}
	}
}

// ---- dusk side ----

// workload is one dusk workload: run does one complete run and checks its
// result; it is timed from its start to its return.
type workload struct {
	name  string
	label string
	tasks int
	run   func(ctx context.Context, c *dusk.Client) error
}

func workloads(cfg config) []workload {
	treeTasks := treeSize(cfg.nTree, cfg.fanIn)
	return []workload{
		{"map", fmt.Sprintf("map: %d x inc, Map+Gather", cfg.nMap), cfg.nMap,
			func(ctx context.Context, c *dusk.Client) error { return runMap(ctx, c, cfg.nMap) }},
		{"tree", fmt.Sprintf("tree sum fan-in %d, %d leaves, futures (Map + Submit per sum)", cfg.fanIn, cfg.nTree), treeTasks,
			func(ctx context.Context, c *dusk.Client) error { return runTree(ctx, c, cfg.nTree, cfg.fanIn) }},
		{"tree_delayed", fmt.Sprintf("tree sum fan-in %d, %d leaves, Delayed + Compute", cfg.fanIn, cfg.nTree), treeTasks,
			func(ctx context.Context, c *dusk.Client) error { return runTreeDelayed(ctx, c, cfg.nTree, cfg.fanIn) }},
		{"merge", fmt.Sprintf("merge: Call(sum) over %d independent Call(inc), Compute", cfg.nMerge-1), cfg.nMerge,
			func(ctx context.Context, c *dusk.Client) error { return runMerge(ctx, c, cfg.nMerge-1) }},
		{"chain", fmt.Sprintf("chain of %d: x = Submit(inc, x) in a loop, then Result", cfg.nChain), cfg.nChain,
			func(ctx context.Context, c *dusk.Client) error { return runChain(ctx, c, cfg.nChain) }},
		{"chain_delayed_unfused", fmt.Sprintf("chain of %d: Delayed, Compute with Optimize(false)", cfg.nChain), cfg.nChain,
			func(ctx context.Context, c *dusk.Client) error { return runChainDelayed(ctx, c, cfg.nChain, false) }},
		{"chain_delayed_fused", fmt.Sprintf("chain of %d: Delayed, Compute with default optimization (fused)", cfg.nChain), cfg.nChain,
			func(ctx context.Context, c *dusk.Client) error { return runChainDelayed(ctx, c, cfg.nChain, true) }},
	}
}

func runDusk(cfg config) []Result {
	var out []Result
	var c *dusk.Client
	defer func() {
		if c != nil {
			closeClient(c)
		}
	}()
	for _, w := range workloads(cfg) {
		if cfg.only != nil && !cfg.only[w.name] {
			continue
		}
		if c == nil {
			var err error
			c, err = connect()
			if err != nil {
				out = append(out, Result{Name: w.name, Label: w.label, Tasks: w.tasks, Error: err.Error()})
				logf("dusk %s: %v", w.name, err)
				continue
			}
		}
		r := measure(cfg, c, w)
		out = append(out, r)
		if r.Error != "" {
			// The cluster may be wedged: start a fresh one for the rest.
			logf("dusk %s FAILED: %s", w.name, r.Error)
			closeClient(c)
			c = nil
		}
	}
	return out
}

func connect() (*dusk.Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t0 := time.Now()
	c, err := dusk.Connect(ctx, "", dusk.LocalWorkers(2), dusk.LocalThreads(1), dusk.LocalProcesses())
	if err != nil {
		return nil, fmt.Errorf("connecting: %w", err)
	}
	ws, err := c.Workers(ctx)
	if err != nil {
		c.Close()
		return nil, err
	}
	logf("dusk %s: local cluster of %d worker processes x %d thread started in %v (pids %v)",
		dusk.Version, len(ws), ws[0].Threads, time.Since(t0).Round(time.Millisecond), c.Local().PIDs())
	return c, nil
}

func closeClient(c *dusk.Client) {
	done := make(chan error, 1)
	go func() { done <- c.Close() }()
	select {
	case err := <-done:
		if err != nil {
			logf("closing the dusk client: %v", err)
		}
	case <-time.After(30 * time.Second):
		logf("closing the dusk client did not finish within 30s; going on")
	}
}

func measure(cfg config, c *dusk.Client, w workload) Result {
	r := Result{Name: w.name, Label: w.label, Tasks: w.tasks}
	once := func(count bool) (time.Duration, runCounts, error) {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
		defer cancel()
		var counted chan runCounts
		if count {
			counted = countRuns(ctx, c)
		}
		// At the deadline, look at the scheduler at once: the workload's
		// deferred releases will change what it holds.
		snap := make(chan string, 1)
		stop := context.AfterFunc(ctx, func() {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				snap <- schedulerSummary(c)
			}
			close(snap)
		})
		runtime.GC() // start each run from a collected heap
		t0 := time.Now()
		err := w.run(ctx, c)
		d := time.Since(t0)
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			err = fmt.Errorf("did not finish within %v (hung?): %v; scheduler at the deadline: %s", cfg.timeout, err, <-snap)
		} else {
			stop()
		}
		var n runCounts
		if count {
			// Let the last events arrive, then stop counting.
			time.Sleep(100 * time.Millisecond)
			cancel()
			n = <-counted
		}
		return d, n, err
	}
	for i := range cfg.warmup {
		_, n, err := once(i == 0)
		if err != nil {
			r.Error = "warm-up: " + err.Error()
			return r
		}
		if i == 0 {
			r.Executed, r.Transfers, r.ByWorker = n.tasks, n.transfers, n.byWorker
		}
		if left := settle(c, cfg.settleTO); left > 0 {
			r.Leftover = left
		}
	}
	for range cfg.reps {
		d, _, err := once(false)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		r.RunsS = append(r.RunsS, d.Seconds())
		if left := settle(c, cfg.settleTO); left > r.Leftover {
			r.Leftover = left
		}
	}
	r.MedianS = median(r.RunsS)
	extra := ""
	if r.Executed > 0 {
		extra = fmt.Sprintf("; warm-up: %d tasks executed %v, %d transfers between workers", r.Executed, r.ByWorker, r.Transfers)
	}
	logf("dusk %s: median %.3fs over %d runs (%s%s)", w.name, r.MedianS, len(r.RunsS), rate(w.name, r.Tasks, r.MedianS), extra)
	if r.Leftover > 0 {
		logf("dusk %s: WARNING: the scheduler still held %d tasks %v after a run ended and its futures were released", w.name, r.Leftover, cfg.settleTO)
	}
	return r
}

// runCounts is what the scheduler's event stream showed of one run.
type runCounts struct {
	tasks     int            // tasks the workers ran
	byWorker  map[string]int // of which, per worker
	transfers int            // dependency transfers between workers
	xferBytes int64
}

// mergeRounds joins two rounds of the same workloads: the runs of both,
// their median, and each round's median.
func mergeRounds(a, b []Result) []Result {
	out := make([]Result, len(a))
	for i, r := range a {
		out[i] = r
		if i >= len(b) || b[i].Name != r.Name {
			continue
		}
		s := b[i]
		if r.Error == "" && s.Error != "" {
			out[i].Error = "second round: " + s.Error
		}
		out[i].RoundMediansS = []float64{r.MedianS, s.MedianS}
		out[i].RunsS = append(slices.Clone(r.RunsS), s.RunsS...)
		out[i].MedianS = median(out[i].RunsS)
		out[i].Leftover = max(r.Leftover, s.Leftover)
	}
	return out
}

// countRuns counts the tasks the workers ran (TaskRun events) and the
// transfers between them until ctx ends, then sends the counts (it counts
// during the first warm-up run only). It reads the scheduler's events
// where the ring holds them every 10 ms (the ring keeps its last 100,000,
// which at 100,000 tasks a second is 200 ms of them), copying none.
func countRuns(ctx context.Context, c *dusk.Client) chan runCounts {
	out := make(chan runCounts, 1)
	ring := c.Local().Events()
	seq := ring.Total()
	go func() {
		n := runCounts{byWorker: map[string]int{}}
		count := func(e *event.Event) {
			switch e.Kind {
			case event.TaskRun:
				if !e.Failed {
					n.tasks++
					n.byWorker[e.Worker]++
				}
			case event.Transfer:
				n.transfers++
				n.xferBytes += e.NBytes
			}
		}
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				ring.Read(seq, 0, count)
				out <- n
				return
			case <-t.C:
			}
			seq, _ = ring.Read(seq, 0, count)
		}
	}()
	return out
}

// settle waits until the scheduler has forgotten every task (the previous
// run's futures are released) and returns how many it still holds if it
// did not within limit.
func settle(c *dusk.Client, limit time.Duration) int {
	deadline := time.Now().Add(limit)
	for {
		n := c.Local().Snapshot().Tasks
		if n == 0 {
			return 0
		}
		if time.Now().After(deadline) {
			return n
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// schedulerSummary describes the scheduler's tasks by state, for reports
// of a hung run.
func schedulerSummary(c *dusk.Client) string {
	var parts []string
	snap := c.Local().Snapshot()
	for st, n := range snap.ByState {
		parts = append(parts, fmt.Sprintf("%s=%d", st, n))
	}
	for _, w := range snap.Workers {
		parts = append(parts, fmt.Sprintf("worker %s", w.ID))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

func runMap(ctx context.Context, c *dusk.Client, n int) error {
	items := make([]int, n)
	for i := range items {
		items[i] = i
	}
	fs, err := dusk.Map[int](ctx, c, incFn, items)
	if err != nil {
		return err
	}
	defer releaseAll(fs)
	vals, err := dusk.Gather(ctx, fs)
	if err != nil {
		return err
	}
	for i, v := range vals {
		if v != i+1 {
			return fmt.Errorf("map: item %d = %d, want %d", i, v, i+1)
		}
	}
	return nil
}

func runTree(ctx context.Context, c *dusk.Client, n, fanIn int) error {
	items := make([]int, n)
	for i := range items {
		items[i] = i
	}
	level, err := dusk.Map[int](ctx, c, incFn, items)
	if err != nil {
		return err
	}
	all := level
	defer func() { releaseAll(all) }()
	for len(level) > 1 {
		next := make([]*dusk.Future[int], 0, (len(level)+fanIn-1)/fanIn)
		for i := 0; i < len(level); i += fanIn {
			f, err := dusk.Submit[int](ctx, c, sumFn, level[i:min(i+fanIn, len(level))])
			if err != nil {
				return err
			}
			next = append(next, f)
		}
		all = append(all, next...)
		level = next
	}
	got, err := level[0].Result(ctx)
	if err != nil {
		return err
	}
	if want := n * (n + 1) / 2; got != want {
		return fmt.Errorf("tree: sum = %d, want %d", got, want)
	}
	return nil
}

// sumTree returns the sum of level's values as a tree of sums of fanIn
// inputs each.
func sumTree(level []*dusk.Delayed[int], fanIn int) *dusk.Delayed[int] {
	for len(level) > 1 {
		next := make([]*dusk.Delayed[int], 0, (len(level)+fanIn-1)/fanIn)
		for i := 0; i < len(level); i += fanIn {
			next = append(next, dusk.Call[int](sumFn, level[i:min(i+fanIn, len(level))]))
		}
		level = next
	}
	return level[0]
}

func runTreeDelayed(ctx context.Context, c *dusk.Client, n, fanIn int) error {
	level := make([]*dusk.Delayed[int], n)
	for i := range level {
		level[i] = dusk.Call[int](incFn, i)
	}
	got, err := dusk.Compute(ctx, c, sumTree(level, fanIn))
	if err != nil {
		return err
	}
	if want := n * (n + 1) / 2; got != want {
		return fmt.Errorf("tree (delayed): sum = %d, want %d", got, want)
	}
	return nil
}

// runMerge computes one task over n independent ones: every leaf's result
// goes to the worker of the sum.
func runMerge(ctx context.Context, c *dusk.Client, n int) error {
	leaves := make([]*dusk.Delayed[int], n)
	for i := range leaves {
		leaves[i] = dusk.Call[int](incFn, i)
	}
	got, err := dusk.Compute(ctx, c, dusk.Call[int](sumFn, leaves))
	if err != nil {
		return err
	}
	if want := n * (n + 1) / 2; got != want {
		return fmt.Errorf("merge: sum = %d, want %d", got, want)
	}
	return nil
}

func runChain(ctx context.Context, c *dusk.Client, n int) error {
	x, err := dusk.Submit[int](ctx, c, incFn, 0)
	if err != nil {
		return err
	}
	for range n - 1 {
		y, err := dusk.Submit[int](ctx, c, incFn, x)
		// Like Python's x = client.submit(inc, x): the old future is
		// dropped at once; the task that depends on it keeps it alive.
		x.Release()
		if err != nil {
			return err
		}
		x = y
	}
	defer x.Release()
	got, err := x.Result(ctx)
	if err != nil {
		return err
	}
	if got != n {
		return fmt.Errorf("chain: got %d, want %d", got, n)
	}
	return nil
}

func runChainDelayed(ctx context.Context, c *dusk.Client, n int, optimize bool) error {
	x := dusk.Call[int](incFn, 0)
	for range n - 1 {
		x = dusk.Call[int](incFn, x)
	}
	got, err := dusk.Compute(ctx, c, x, dusk.Optimize(optimize))
	if err != nil {
		return err
	}
	if got != n {
		return fmt.Errorf("chain (delayed, optimize=%v): got %d, want %d", optimize, got, n)
	}
	return nil
}

func releaseAll(fs []*dusk.Future[int]) {
	for _, f := range fs {
		f.Release()
	}
}

// treeSize is the number of tasks in a tree sum: the leaves and every
// level of sums above them.
func treeSize(leaves, fanIn int) int {
	total, width := leaves, leaves
	for width > 1 {
		width = (width + fanIn - 1) / fanIn
		total += width
	}
	return total
}

// ---- Dask side ----

func findScript(cfg config) (string, error) {
	if cfg.script != "" {
		return cfg.script, nil
	}
	cands := []string{filepath.Join("bench", "dask", "core.py")}
	if _, file, _, ok := runtime.Caller(0); ok {
		cands = append(cands, filepath.Join(filepath.Dir(file), "..", "dask", "core.py"))
	}
	for _, p := range cands {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("bench/dask/core.py not found (looked at %s); run from the repository root or pass -dask-script", strings.Join(cands, ", "))
}

func runDask(cfg config, saturation string) *DaskRun {
	script, err := findScript(cfg)
	if err != nil {
		logf("dask: %v", err)
		return &DaskRun{Saturation: saturation, Error: err.Error()}
	}
	args := []string{script, "--saturation", saturation,
		"--reps", fmt.Sprint(cfg.reps), "--map", fmt.Sprint(cfg.nMap), "--tree", fmt.Sprint(cfg.nTree),
		"--fan-in", fmt.Sprint(cfg.fanIn), "--chain", fmt.Sprint(cfg.nChain), "--merge", fmt.Sprint(cfg.nMerge)}
	if cfg.quick {
		args = append(args, "--quick")
	}
	if cfg.only != nil {
		var ws []string
		for w := range cfg.only {
			ws = append(ws, daskName(w))
		}
		args = append(args, "--only", strings.Join(ws, ","))
	}
	logf("dask (worker-saturation %s): %s %s", saturation, cfg.python, strings.Join(args, " "))
	// Generous: Dask is slow here, and its cluster takes a while to stop.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cfg.python, args...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &daskLog{}
	err = cmd.Run()
	var run DaskRun
	if jerr := json.Unmarshal(lastLine(stdout.Bytes()), &run); jerr != nil {
		msg := fmt.Sprintf("running %s: %v; its output was not JSON: %v", script, err, jerr)
		logf("dask: %s", msg)
		return &DaskRun{Saturation: saturation, Error: msg}
	}
	if err != nil {
		logf("dask (worker-saturation %s) exited with %v after printing its results", saturation, err)
	}
	return &run
}

// daskLog passes the Dask script's progress lines to stderr, prefixed,
// and drops the noise of the cluster shutting down (tracebacks of
// timeouts while nannies stop).
type daskLog struct{ buf []byte }

func (d *daskLog) Write(p []byte) (int, error) {
	d.buf = append(d.buf, p...)
	for {
		i := bytes.IndexByte(d.buf, '\n')
		if i < 0 {
			break
		}
		line := string(d.buf[:i])
		d.buf = d.buf[i+1:]
		if strings.HasPrefix(line, "dask") || strings.HasPrefix(line, "warning") {
			logf("  %s", line)
		}
	}
	return len(p), nil
}

func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// daskName maps a dusk workload to the Dask workload it is compared with.
// Dask's delayed optimization only culls (it does not fuse linear chains),
// so both delayed chains compare with Dask's one delayed chain.
func daskName(w string) string {
	switch w {
	case "chain_delayed_unfused", "chain_delayed_fused":
		return "chain_delayed"
	}
	return w
}

// ---- the table ----

func isLatency(name string) bool { return strings.HasPrefix(name, "chain") }

func rate(name string, tasks int, s float64) string {
	if isLatency(name) {
		return fmt.Sprintf("%.1f µs/task", s/float64(tasks)*1e6)
	}
	return fmt.Sprintf("%.0f tasks/s", float64(tasks)/s)
}

func value(name string, tasks int, s float64) float64 {
	if s <= 0 || tasks <= 0 {
		return math.NaN()
	}
	if isLatency(name) {
		return s / float64(tasks) * 1e6
	}
	return float64(tasks) / s
}

func compare(cfg config, rep *Report) []Row {
	var rows []Row
	for _, r := range rep.Dusk {
		row := Row{Workload: r.Name, Unit: "tasks/s", DaskSource: daskName(r.Name),
			Dusk: math.NaN(), DaskDef: math.NaN(), DaskInf: math.NaN(), Speedup: math.NaN()}
		if isLatency(r.Name) {
			row.Unit = "us/task"
		}
		if r.Error == "" {
			row.Dusk = value(r.Name, r.Tasks, r.MedianS)
		} else {
			row.Note = "dusk failed: " + r.Error
		}
		if r.Name == "chain_delayed_fused" {
			note := "dusk fuses the chain"
			if r.Executed > 0 {
				note = fmt.Sprintf("dusk fused the chain into %d tasks", r.Executed)
			}
			row.Note = strings.TrimPrefix(row.Note+"; "+note+"; Dask does not fuse delayed chains (its delayed optimization only culls), so its figure is its unfused delayed chain", "; ")
		}
		get := func(sat string) float64 {
			d := rep.Dask[sat]
			if d == nil {
				return math.NaN()
			}
			wl, ok := d.Workloads[row.DaskSource]
			if !ok || wl.Error != "" || wl.MedianS <= 0 {
				return math.NaN()
			}
			return value(r.Name, wl.Tasks, wl.MedianS)
		}
		row.DaskDef, row.DaskInf = get("default"), get("inf")
		best := bestOf(row.Unit, row.DaskDef, row.DaskInf)
		if !math.IsNaN(best) && !math.IsNaN(row.Dusk) {
			if row.Unit == "us/task" {
				row.Speedup = best / row.Dusk
			} else {
				row.Speedup = row.Dusk / best
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func bestOf(unit string, a, b float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	case unit == "us/task":
		return math.Min(a, b)
	default:
		return math.Max(a, b)
	}
}

func printTable(w io.Writer, cfg config, rep *Report) {
	fmt.Fprintf(w, "\ndusk core benchmark — %s, %d CPUs, %s\n", rep.Date, rep.NumCPU, rep.GoVersion)
	fmt.Fprintf(w, "load average (1, 5, 15 min): %s at start, %s after dusk", rep.LoadAvg, rep.LoadAfterDusk)
	for _, sat := range []string{"default", "inf"} {
		if l, ok := rep.LoadAfterDask[sat]; ok {
			fmt.Fprintf(w, ", %s after Dask %s", l, sat)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "dusk %s: 2 worker processes x 1 thread", dusk.Version)
	if d := rep.Dask["default"]; d != nil && d.Error == "" {
		fmt.Fprintf(w, "; Dask %s / distributed %s: LocalCluster 2 processes x 1 thread", d.DaskVersion, d.DistributedVersion)
	}
	rounds := ""
	if len(rep.Dusk) > 0 && len(rep.Dusk[0].RoundMediansS) == 2 {
		rounds = fmt.Sprintf("; dusk: median of the %d runs of 2 rounds, before and after the Dask runs", 2*cfg.reps)
	}
	fmt.Fprintf(w, "\nmedian of %d runs after %d warm-up%s\nratio = dusk against the faster Dask setting (>1: dusk faster)\n\n", cfg.reps, cfg.warmup, rounds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\ttasks\tunit\tdusk\tdask default\tdask sat=inf\tratio\t")
	tasks := map[string]int{}
	for _, r := range rep.Dusk {
		tasks[r.Name] = r.Tasks
	}
	for _, r := range rep.Rows {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", r.Workload, tasks[r.Workload], r.Unit,
			num(r.Dusk), num(r.DaskDef), num(r.DaskInf), ratio(r.Speedup))
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, r := range rep.Dusk {
		fmt.Fprintf(w, "  %-22s %s\n", r.Name, r.Label)
	}
	for _, r := range rep.Dusk {
		if len(r.RoundMediansS) == 2 && r.Error == "" {
			fmt.Fprintf(w, "  dusk %s by round: %s before Dask, %s after Dask\n", r.Name,
				rate(r.Name, r.Tasks, r.RoundMediansS[0]), rate(r.Name, r.Tasks, r.RoundMediansS[1]))
		}
	}
	for _, r := range rep.Rows {
		if r.Note != "" {
			fmt.Fprintf(w, "  note %s: %s\n", r.Workload, r.Note)
		}
	}
	for _, r := range rep.Dusk {
		if r.Leftover > 0 {
			fmt.Fprintf(w, "  WARNING %s: the scheduler still held %d tasks after the run's futures were released\n", r.Name, r.Leftover)
		}
	}
	for sat, d := range rep.Dask {
		if d.Error != "" {
			fmt.Fprintf(w, "  dask %s: %s\n", sat, d.Error)
		}
		for name, wl := range d.Workloads {
			if wl.Error != "" {
				fmt.Fprintf(w, "  dask %s %s failed: %s\n", sat, name, wl.Error)
			}
		}
	}
}

func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%.1f", v)
	}
}

func ratio(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.1fx", v)
}

// ---- helpers ----

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// vcsRevision returns the commit dusk was built from, with "+dirty" when
// tracked files differ from it: from the build info, or (go run does not
// stamp it) from read-only git commands.
func vcsRevision() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return gitRevision()
	}
	if bi.Main.Version == "(devel)" || bi.Main.Version == "" {
		found := false
		for _, s := range bi.Settings {
			found = found || s.Key == "vcs.revision"
		}
		if !found {
			return gitRevision()
		}
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" && dirty {
		rev += "+dirty"
	}
	return rev
}

func gitRevision() string {
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	rev := strings.TrimSpace(string(out))
	// --no-optional-locks: do not refresh the index (this must not write).
	st, err := exec.Command("git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil && len(bytes.TrimSpace(st)) > 0 {
		rev += "+dirty"
	}
	return rev
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func fatalf(format string, args ...any) {
	logf(format, args...)
	os.Exit(1)
}
