//go:build duckdb_arrow

// Command dataframe benchmarks dusk's dataframe side by side with Dask
// DataFrame (a 2-worker LocalCluster) and with DuckDB alone in one
// process, on data it generates: rows of id int64 in [0, 100000), k one of
// 100 strings, x and y float64, as CSV files and as Parquet files.
//
//	go run -tags duckdb_arrow ./bench/dataframe              # everything
//	go run -tags duckdb_arrow ./bench/dataframe -rows 2000000 -skip-dask
//	go run -tags duckdb_arrow ./bench/dataframe -memtest     # the shuffle larger than memory
//	go run -tags duckdb_arrow ./bench/dataframe -filecost    # what files cost DuckDB alone
//
// See bench/README.md ("DataFrame") for what each workload does and the
// figures measured.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
)

var (
	rowsFlag    = flag.Int("rows", 20_000_000, "rows of generated data")
	filesFlag   = flag.Int("files", 20, "CSV (and Parquet) files of generated data")
	dataFlag    = flag.String("data", "bench/results/dataframe-data", "where the generated data is kept")
	outFlag     = flag.String("out", "bench/results/dataframe.json", "where the figures are written")
	workers     = flag.Int("workers", 2, "dusk and Dask workers (processes)")
	threads     = flag.Int("threads", 1, "threads per worker")
	repeat      = flag.Int("repeat", 3, "runs per workload; the best is reported")
	only        = flag.String("only", "", "comma-separated systems to run: dusk, duckdb, dask (default all)")
	skipDask    = flag.Bool("skip-dask", false, "do not run Dask")
	memtest     = flag.Bool("memtest", false, "run the shuffle of data twice the cluster's memory instead")
	fileCostF   = flag.Bool("filecost", false, "measure instead what files cost DuckDB alone: reading the Parquet files one query each or in one, writing the rows as one file or one per 250,000 rows")
	python      = flag.String("python", "/usr/bin/python3", "the Python with Debian's Dask")
	duckThreads = flag.Int("duckdb-threads", runtime.NumCPU(), "threads of DuckDB alone")
	workloadSel = flag.String("workloads", "", "comma-separated workload numbers to run, 1-12 in report order (default all)")
	cpuProfile  = flag.String("cpuprofile", "", "write a CPU profile of this process to the file (with -inprocess, dusk's workers too)")
	inProcess   = flag.Bool("inprocess", false, "run dusk's workers as goroutines of this process (for profiling) instead of processes")
	reportDir   = flag.String("report", "", "after dusk's timed runs of each workload, run it once more under a performance report (task stream, time per task prefix, the workers' CPU profile by prefix) written to this directory as workload-NN.html and .json")
)

// result is one workload's time on one system, with a value that checks
// that the systems computed the same thing.
type result struct {
	Workload string  `json:"workload"`
	System   string  `json:"system"`
	Seconds  float64 `json:"seconds"`
	CPU      float64 `json:"cpu_seconds"` // of every process of the system, in the best run
	Check    string  `json:"check"`
	Note     string  `json:"note,omitempty"`
}

// cpuPIDs are the processes whose CPU time counts for the system being
// measured, besides this one (dusk's worker processes).
var cpuPIDs []int

// The workloads, in report order.
var workloads = []string{
	"read CSV + group by k (sum x, mean x, max y)",
	"read Parquet + group by k",
	"in memory: group by k",
	"in memory: group by id, sum x",
	"in memory: SetIndex / sort on id",
	"in memory: hash merge 10M x 2M on (id, k)",
	"in memory: broadcast merge 10M x 10k on (id, k)",
	"in memory: write Parquet (snappy)",
}

func main() {
	dusk.Main()
	flag.Parse()
	log.SetFlags(0)
	if err := os.MkdirAll(filepath.Dir(*outFlag), 0o755); err != nil {
		log.Fatal(err)
	}
	start := time.Now()
	if err := generate(*dataFlag, *rowsFlag, *filesFlag); err != nil {
		log.Fatalf("generating data: %v", err)
	}
	if err := generatePlanner(*dataFlag, *rowsFlag); err != nil {
		log.Fatalf("generating data: %v", err)
	}
	log.Printf("data: %d rows in %d CSV and %d Parquet files under %s (ready in %s)", *rowsFlag, *filesFlag, *filesFlag, *dataFlag, time.Since(start).Round(time.Millisecond))
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	if *memtest {
		if err := memTest(ctx); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *fileCostF {
		if err := fileCost(ctx); err != nil {
			log.Fatal(err)
		}
		return
	}
	systems := map[string]bool{"dusk": true, "duckdb": true, "dask": !*skipDask}
	if *only != "" {
		systems = map[string]bool{}
		for _, s := range strings.Split(*only, ",") {
			systems[strings.TrimSpace(s)] = true
		}
	}
	var all []result
	if systems["dusk"] {
		rs, err := runDusk(ctx)
		if err != nil {
			log.Fatalf("dusk: %v", err)
		}
		all = append(all, rs...)
	}
	if systems["duckdb"] {
		rs, err := runDuckDB(ctx)
		if err != nil {
			log.Fatalf("DuckDB: %v", err)
		}
		all = append(all, rs...)
	}
	if systems["dask"] {
		rs, err := runDask(ctx)
		if err != nil {
			log.Printf("Dask: %v", err)
		}
		all = append(all, rs...)
	}
	report(os.Stdout, all)
	b, _ := json.MarshalIndent(all, "", "  ")
	if err := os.WriteFile(*outFlag, b, 0o644); err != nil {
		log.Printf("writing the figures: %v", err)
		return
	}
	log.Printf("figures written to %s", *outFlag)
}

// selected reports whether workload i (0-based, in report order) is to
// run, as -workloads says.
func selected(i int) bool {
	if *workloadSel == "" {
		return true
	}
	for _, f := range strings.Split(*workloadSel, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n == i+1 {
			return true
		}
	}
	return false
}

// timed runs f repeat times and returns the best time (with the CPU time
// of that run) and the last check. A workload -workloads leaves out is
// skipped (a result with no time).
func timed(name, system string, f func() (string, error)) (result, error) {
	if i := slices.Index(workloads, name); i >= 0 && !selected(i) {
		return result{Workload: name, System: system, Note: "skipped"}, nil
	}
	best, bestCPU := -1.0, 0.0
	var check string
	for i := 0; i < *repeat; i++ {
		runtime.GC()
		c0 := cpuSeconds(cpuPIDs)
		t := time.Now()
		c, err := f()
		if err != nil {
			return result{}, fmt.Errorf("%s: %w", name, err)
		}
		s := time.Since(t).Seconds()
		if best < 0 || s < best {
			best, bestCPU = s, cpuSeconds(cpuPIDs)-c0
		}
		check = c
	}
	log.Printf("%-8s %-50s %8.3fs (cpu %6.2fs)  %s", system, name, best, bestCPU, check)
	return result{Workload: name, System: system, Seconds: best, CPU: bestCPU, Check: check}, nil
}

// cpuSeconds returns the user and system CPU time of this process and of
// pids so far.
func cpuSeconds(pids []int) float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	total := float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// Fields after the command (which may hold spaces): utime and
		// stime are the 12th and 13th.
		s := string(b)
		fs := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fs) > 12 {
			u, _ := strconv.ParseFloat(fs[11], 64)
			st, _ := strconv.ParseFloat(fs[12], 64)
			total += (u + st) / 100 // clock ticks (USER_HZ = 100 on Linux)
		}
	}
	return total
}

func csvGlob() string     { return filepath.Join(*dataFlag, "csv", "*.csv") }
func parquetGlob() string { return filepath.Join(*dataFlag, "parquet", "*.parquet") }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func runDusk(ctx context.Context) ([]result, error) {
	opts := []dusk.Option{dusk.LocalWorkers(*workers), dusk.LocalThreads(*threads), dusk.Logger(quiet)}
	if !*inProcess {
		opts = append(opts, dusk.LocalProcesses())
	}
	c, err := dusk.Connect(ctx, "", opts...)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	for _, pid := range c.Local().PIDs() {
		cpuPIDs = append(cpuPIDs, pid)
	}
	defer func() { cpuPIDs = nil }()
	var out []result
	err = runDuskOn(ctx, c, func(name string, f func() (string, error)) error {
		r, err := timed(name, "dusk", f)
		if err != nil {
			return err
		}
		out = append(out, r)
		if *reportDir != "" && r.Note != "skipped" {
			if err := os.MkdirAll(*reportDir, 0o755); err != nil {
				return err
			}
			path := filepath.Join(*reportDir, fmt.Sprintf("workload-%02d.html", slices.Index(workloads, name)+1))
			if err := c.PerformanceReport(ctx, path, func() error { _, err := f(); return err }); err != nil {
				return fmt.Errorf("%s: its performance report: %w", name, err)
			}
			log.Printf("dusk     %-50s a performance report of one more run in %s", name, path)
		}
		return nil
	})
	return out, err
}

// runDuskOn runs dusk's workloads on c, each through add (which runs f,
// the workload, and keeps what it returns: a summary of the result).
func runDuskOn(ctx context.Context, c *dusk.Client, add func(name string, f func() (string, error)) error) error {
	aggs := []dataframe.Aggregation{dataframe.Sum("x"), dataframe.Mean("x"), dataframe.Max("y")}
	groupK := func(df *dataframe.DataFrame) func() (string, error) {
		return func() (string, error) {
			tbl, err := df.GroupBy("k").Agg(aggs...).Compute(ctx)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d groups, sum(x)=%.4f, mean(x)+max(y)=%.4f", tbl.NumRows(), sumColumn(tbl, 1), sumColumn(tbl, 2)+sumColumn(tbl, 3)), nil
		}
	}
	if err := add(workloads[0], groupK(dataframe.ReadCSV(c, csvGlob()))); err != nil {
		return err
	}
	if err := add(workloads[1], groupK(dataframe.ReadParquet(c, parquetGlob()))); err != nil {
		return err
	}
	mem, err := dataframe.ReadParquet(c, parquetGlob()).Persist(ctx)
	if err != nil {
		return err
	}
	defer mem.Release()
	log.Printf("dusk: %d partitions persisted, %s in memory", mem.NPartitions(), mib(mem.EstimatedBytes()))
	if err := add(workloads[2], groupK(mem)); err != nil {
		return err
	}
	if err := add(workloads[3], func() (string, error) {
		tbl, err := mem.GroupBy("id").Agg(dataframe.Sum("x")).Compute(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d groups, sum=%.4f", tbl.NumRows(), sumColumn(tbl, 1)), nil
	}); err != nil {
		return err
	}
	if err := add(workloads[4], func() (string, error) {
		si, err := mem.SetIndex(ctx, "id")
		if err != nil {
			return "", err
		}
		p, err := si.Persist(ctx)
		if err != nil {
			return "", err
		}
		defer p.Release()
		return fmt.Sprintf("%d partitions, %s", p.NPartitions(), mib(p.EstimatedBytes())), nil
	}); err != nil {
		return err
	}
	n := mem.NPartitions()
	left := mem.Partitions(0, n/2)
	right := mem.Partitions(n/2, n/2+n/10)
	if err := add(workloads[5], func() (string, error) {
		m := left.Merge(right, []string{"id", "k"}, "inner", dataframe.Strategy(dataframe.StrategyShuffle))
		return persistedRows(ctx, m)
	}); err != nil {
		return err
	}
	head, err := mem.Partitions(n/2, n/2+1).Head(ctx, 10000)
	if err != nil {
		return err
	}
	small, err := dataframe.FromArrow(ctx, c, head)
	if err != nil {
		return err
	}
	if err := add(workloads[6], func() (string, error) {
		m := left.Merge(small, []string{"id", "k"}, "inner")
		if !strings.Contains(m.Explain(), "strategy="+dataframe.StrategyBroadcast) {
			return "", fmt.Errorf("not a broadcast merge:\n%s", m.Explain())
		}
		return persistedRows(ctx, m)
	}); err != nil {
		return err
	}
	dir := filepath.Join(filepath.Dir(*outFlag), "dusk-written")
	if err := add(workloads[7], func() (string, error) {
		os.RemoveAll(dir)
		if err := mem.ToParquet(ctx, dir); err != nil {
			return "", err
		}
		return dirSize(dir), nil
	}); err != nil {
		return err
	}
	os.RemoveAll(dir)
	return duskPlanner(ctx, c, mem, add)
}

func runDuckDB(ctx context.Context) ([]result, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(fmt.Sprintf("SET threads = %d", *duckThreads)); err != nil {
		return nil, err
	}
	var out []result
	scalar := func(q string) (string, error) {
		var s string
		err := db.QueryRowContext(ctx, q).Scan(&s)
		return s, err
	}
	add := func(name, q string) error {
		r, err := timed(name, "duckdb", func() (string, error) { return scalar(q) })
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}
	// The check uses every aggregate, so that DuckDB's optimizer cannot
	// drop the ones it would not need (as dusk and Dask, it computes them
	// all and brings the 100 rows back).
	agg := "SELECT count(*) || ' groups, sum(x)=' || printf('%%.4f', sum(sx)) || ', mean(x)+max(y)=' || printf('%%.4f', sum(mx) + sum(my)) FROM (SELECT k, sum(x) AS sx, avg(x) AS mx, max(y) AS my FROM %s GROUP BY k)"
	if err := add(workloads[0], fmt.Sprintf(agg, fmt.Sprintf("read_csv('%s')", csvGlob()))); err != nil {
		return nil, err
	}
	if err := add(workloads[1], fmt.Sprintf(agg, fmt.Sprintf("read_parquet('%s')", parquetGlob()))); err != nil {
		return nil, err
	}
	files, _ := filepath.Glob(parquetGlob())
	sort.Strings(files)
	n := len(files)
	list := func(fs []string) string { return "['" + strings.Join(fs, "', '") + "']" }
	setup := []string{
		fmt.Sprintf("CREATE OR REPLACE TABLE t AS SELECT * FROM read_parquet(%s)", list(files)),
		fmt.Sprintf("CREATE OR REPLACE TABLE l AS SELECT * FROM read_parquet(%s)", list(files[:n/2])),
		fmt.Sprintf("CREATE OR REPLACE TABLE r AS SELECT * FROM read_parquet(%s)", list(files[n/2:n/2+n/10])),
		fmt.Sprintf("CREATE OR REPLACE TABLE s AS SELECT * FROM read_parquet('%s') LIMIT 10000", files[n/2]),
	}
	for _, q := range setup {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	if err := add(workloads[2], fmt.Sprintf(agg, "t")); err != nil {
		return nil, err
	}
	if err := add(workloads[3], "SELECT count(*) || ' groups, sum=' || printf('%.4f', sum(sx)) FROM (SELECT id, sum(x) AS sx FROM t GROUP BY id)"); err != nil {
		return nil, err
	}
	materialize := func(name, create, count string) error {
		r, err := timed(name, "duckdb", func() (string, error) {
			if _, err := db.ExecContext(ctx, create); err != nil {
				return "", err
			}
			return scalar(count)
		})
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}
	if err := materialize(workloads[4], "CREATE OR REPLACE TABLE o AS SELECT * FROM t ORDER BY id", "SELECT count(*) || ' rows sorted' FROM o"); err != nil {
		return nil, err
	}
	join := "CREATE OR REPLACE TABLE o AS SELECT l.id, l.k, l.x AS x_x, l.y AS y_x, %[1]s.x AS x_y, %[1]s.y AS y_y FROM l JOIN %[1]s USING (id, k)"
	if err := materialize(workloads[5], fmt.Sprintf(join, "r"), "SELECT count(*) || ' rows' FROM o"); err != nil {
		return nil, err
	}
	if err := materialize(workloads[6], fmt.Sprintf(join, "s"), "SELECT count(*) || ' rows' FROM o"); err != nil {
		return nil, err
	}
	dir := filepath.Join(filepath.Dir(*outFlag), "duckdb-written")
	r, err := timed(workloads[7], "duckdb", func() (string, error) {
		os.RemoveAll(dir)
		if _, err := db.ExecContext(ctx, fmt.Sprintf("COPY t TO '%s' (FORMAT parquet, COMPRESSION snappy, PER_THREAD_OUTPUT true)", dir)); err != nil {
			return "", err
		}
		return dirSize(dir), nil
	})
	if err != nil {
		return nil, err
	}
	os.RemoveAll(dir)
	out = append(out, r)
	if err := duckdbPlanner(add, materialize); err != nil {
		return nil, err
	}
	return out, nil
}

// runDask runs dask_bench.py beside this file and reads its JSON lines.
func runDask(ctx context.Context) ([]result, error) {
	script := filepath.Join("bench", "dataframe", "dask_bench.py")
	cmd := exec.CommandContext(ctx, *python, script, "--csv", csvGlob(), "--workers", fmt.Sprint(*workers),
		"--threads", fmt.Sprint(*threads), "--repeat", fmt.Sprint(*repeat), "--dim-csv", dimCSVGlob(), "--ts-csv", tsCSVGlob())
	cmd.Stderr = os.Stderr
	outp, err := cmd.Output()
	var out []result
	for _, line := range strings.Split(string(outp), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var r result
		if json.Unmarshal([]byte(line), &r) == nil {
			r.System = "dask"
			out = append(out, r)
			log.Printf("%-8s %-50s %8.3fs (cpu %6.2fs)  %s %s", "dask", r.Workload, r.Seconds, r.CPU, r.Check, r.Note)
		}
	}
	return out, err
}

// report prints the figures with the ratios the issue asks for.
func report(w io.Writer, rs []result) {
	by := map[string]map[string]result{}
	for _, r := range rs {
		if by[r.Workload] == nil {
			by[r.Workload] = map[string]result{}
		}
		by[r.Workload][r.System] = r
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "workload\tdusk\tDuckDB alone\tDask\tdusk / DuckDB\tDask / dusk\tCPU s: dusk, DuckDB, Dask\t")
	cell := func(r result, ok bool) string {
		if !ok || r.Seconds <= 0 {
			if r.Note != "" {
				return r.Note
			}
			return "n/a"
		}
		return fmt.Sprintf("%.2f s", r.Seconds)
	}
	ratio := func(a, b result, aok, bok bool) string {
		if !aok || !bok || a.Seconds <= 0 || b.Seconds <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.2fx", a.Seconds/b.Seconds)
	}
	for _, wl := range workloads {
		m := by[wl]
		d, dok := m["dusk"]
		q, qok := m["duckdb"]
		k, kok := m["dask"]
		cpu := func(r result, ok bool) string {
			if !ok || r.Seconds <= 0 {
				return "-"
			}
			return fmt.Sprintf("%.1f", r.CPU)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s, %s, %s\t\n", wl, cell(d, dok), cell(q, qok), cell(k, kok), ratio(d, q, dok, qok), ratio(k, d, kok, dok),
			cpu(d, dok), cpu(q, qok), cpu(k, kok))
	}
	tw.Flush()
	fmt.Fprintln(w, "\nchecks (each system's result summary; they must agree):")
	for _, wl := range workloads {
		for _, s := range []string{"dusk", "duckdb", "dask"} {
			if r, ok := by[wl][s]; ok && r.Check != "" {
				fmt.Fprintf(w, "  %-50s %-7s %s\n", wl, s, r.Check)
			}
		}
	}
}

func sumColumn(tbl arrow.Table, col int) float64 {
	var s float64
	for _, ch := range tbl.Column(col).Data().Chunks() {
		switch a := ch.(type) {
		case *array.Float64:
			for _, v := range a.Float64Values() {
				s += v
			}
		}
	}
	return s
}

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

func dirSize(dir string) string {
	var n int64
	files := 0
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
			files++
		}
		return nil
	})
	return fmt.Sprintf("%d files, %s", files, mib(n))
}

// persistedRows persists a merge's result, as the other systems keep theirs
// in memory, and returns its row count.
func persistedRows(ctx context.Context, m *dataframe.DataFrame) (string, error) {
	p, err := m.Persist(ctx)
	if err != nil {
		return "", err
	}
	defer p.Release()
	rows, err := p.Len(ctx)
	return fmt.Sprintf("%d rows", rows), err
}
