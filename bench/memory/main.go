// Command memory benchmarks dusk's worker memory management side by side
// with Dask:
//
//   - out of core: two single-threaded workers with 1 GiB memory limits
//     persist 10 GiB of incompressible data and reduce it (a checksum per
//     partition, then their sum). It reports whether the run completed and
//     was correct, its time, each worker's peak memory (which must stay
//     under the terminate threshold) and worker restarts (which must be 0);
//     then the same workload on a Dask LocalCluster(n_workers=2,
//     threads_per_worker=1, memory_limit="1GiB").
//   - spill throughput: a worker's store spilling incompressible values to
//     its spill directory and reading them back, against the disk's own
//     speed measured with dd in the same directory.
//
// Run it from the repository's root:
//
//	go run ./bench/memory                      # everything, about 10 minutes
//	go run ./bench/memory -data 2GiB -dask=false   # a quick look
//
// The Dask side is bench/dask/memory.py. The figures are printed, and
// written as JSON to -out (default bench/results/memory.json).
//
// The program is its own worker: it calls dusk.Main() first.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/config"
)

func main() {
	dusk.Main()
	log.SetFlags(0)
	var o options
	flag.IntVar(&o.workers, "workers", 2, "workers")
	limit := flag.String("limit", "1GiB", "memory limit of each worker")
	data := flag.String("data", "10GiB", "data persisted out of core")
	part := flag.String("partition", "64MiB", "partition size")
	spill := flag.String("spill-data", "4GiB", "data spilled and read back in the throughput test")
	flag.IntVar(&o.spillRounds, "spill-rounds", 3, "rounds of the throughput test; the medians are reported")
	flag.StringVar(&o.dir, "dir", os.TempDir(), "directory for spill files and dd's test file")
	flag.BoolVar(&o.dask, "dask", true, "run the out-of-core workload on Dask too")
	flag.StringVar(&o.python, "python", "/usr/bin/python3", "Python with dask.distributed")
	flag.DurationVar(&o.daskTimeout, "dask-timeout", 30*time.Minute, "give up on Dask after this long")
	flag.BoolVar(&o.skipOutOfCore, "skip-out-of-core", false, "run the spill throughput test only")
	flag.BoolVar(&o.skipSpill, "skip-spill", false, "skip the spill throughput test")
	jsonOut := flag.String("out", "bench/results/memory.json", "write the results as JSON to this file (\"\": do not)")
	flag.Parse()
	for _, b := range []struct {
		s   string
		dst *int64
	}{{*limit, &o.limit}, {*data, &o.data}, {*part, &o.partition}, {*spill, &o.spillData}} {
		n, err := config.ParseBytes(b.s)
		if err != nil {
			log.Fatal(err)
		}
		*b.dst = n
	}
	ctx := context.Background()
	res := results{Machine: machine(o.dir), Options: o.describe()}
	if !o.skipOutOfCore {
		r, err := outOfCore(ctx, o)
		if err != nil {
			log.Fatalf("dusk out of core: %v", err)
		}
		res.Dusk = &r
		printOutOfCore("dusk", r)
		if o.dask {
			d := daskOutOfCore(ctx, o)
			res.Dask = &d
			printOutOfCore("dask", d)
			if d.Completed && r.Completed {
				res.TimeRatio = d.Seconds / r.Seconds
				fmt.Printf("dask time / dusk time: %.2f\n", res.TimeRatio)
			}
		}
	}
	if !o.skipSpill {
		s, err := spillThroughput(o)
		if err != nil {
			log.Fatalf("spill throughput: %v", err)
		}
		res.Spill = &s
		printSpill(s)
	}
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.MkdirAll(filepath.Dir(*jsonOut), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// options of a run.
type options struct {
	workers       int
	limit         int64
	data          int64
	partition     int64
	spillData     int64
	spillRounds   int
	dir           string
	dask          bool
	python        string
	daskTimeout   time.Duration
	skipOutOfCore bool
	skipSpill     bool
}

func (o options) describe() map[string]string {
	return map[string]string{
		"workers": fmt.Sprint(o.workers), "threads per worker": "1", "memory limit": config.FormatBytes(o.limit),
		"data": config.FormatBytes(o.data), "partition": config.FormatBytes(o.partition),
		"spill data": config.FormatBytes(o.spillData), "dir": o.dir,
	}
}

// results of a run, as written to -json.
type results struct {
	Machine   map[string]string `json:"machine"`
	Options   map[string]string `json:"options"`
	Dusk      *outOfCoreResult  `json:"dusk,omitempty"`
	Dask      *outOfCoreResult  `json:"dask,omitempty"`
	TimeRatio float64           `json:"dask_time_over_dusk_time,omitempty"`
	Spill     *spillResult      `json:"spill,omitempty"`
}

// outOfCoreResult is one engine's out-of-core run.
type outOfCoreResult struct {
	Completed bool    `json:"completed"`
	Correct   bool    `json:"correct"`
	Error     string  `json:"error,omitempty"`
	Seconds   float64 `json:"seconds"`
	Persist   float64 `json:"persist_seconds"`
	Reduce    float64 `json:"reduce_seconds"`
	// PeakRSS is each worker's peak resident memory in bytes, and
	// Terminate the threshold past which its nanny kills it.
	PeakRSS   []int64 `json:"peak_rss"`
	Terminate int64   `json:"terminate"`
	Restarts  int     `json:"restarts"`
	Spilled   int64   `json:"spilled_bytes,omitempty"`
}

func printOutOfCore(engine string, r outOfCoreResult) {
	fmt.Printf("%s out of core: completed %v, correct %v, %.1f s (persist %.1f s, reduce %.1f s), restarts %d",
		engine, r.Completed, r.Correct, r.Seconds, r.Persist, r.Reduce, r.Restarts)
	for i, p := range r.PeakRSS {
		fmt.Printf(", worker %d peak %s", i, config.FormatBytes(p))
	}
	if r.Terminate > 0 {
		fmt.Printf(" (terminate at %s)", config.FormatBytes(r.Terminate))
	}
	if r.Error != "" {
		fmt.Printf("; error: %s", r.Error)
	}
	fmt.Println()
}

func machine(dir string) map[string]string {
	m := map[string]string{"cpus": fmt.Sprint(runtime.NumCPU()), "go": runtime.Version(), "dir": dir}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil && len(b) > 0 {
		var kb int64
		fmt.Sscanf(string(b), "MemTotal: %d kB", &kb)
		m["memory"] = config.FormatBytes(kb << 10)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		m["dir"] = abs
	}
	return m
}
