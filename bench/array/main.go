// Command array benchmarks dusk's arrays side by side with dask.array
// (a LocalCluster of 2 single-threaded worker processes) on the
// workloads of issue 13: ((x+1)*2).sum() (x made in the same graph, and
// x persisted first), x.mean(axis=0), (x + x.T).sum(),
// x.rechunk((n, 200)).sum(), x[::2, n/2:].std(), a dot product and a 3×3
// map_overlap stencil, x an n×n array of uniform float64s in square
// chunks. It also measures the machine's memory bandwidth: a Go loop
// summing an n×n float64 slice on 2 goroutines.
//
//	go run ./bench/array                      # 20000×20000 in 2000² chunks (3.2 GB), dot of 8000²
//	go run ./bench/array -n 8000 -chunk 1000 -m 4000 -repeat 2
//	go run ./bench/array -skip-dask
//	go run ./bench/array -skip-dask -moved -only x-plus-xT   # also the blocks the workers sent each other
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/array"
	"github.com/dusk-go/dusk/config"
)

var (
	nFlag     = flag.Int("n", 20000, "x is n×n")
	chunkFlag = flag.Int("chunk", 2000, "square chunks of this side")
	mFlag     = flag.Int("m", 8000, "the dot product's matrices are m×m")
	repeat    = flag.Int("repeat", 3, "runs per workload; the best is reported")
	skipDask  = flag.Bool("skip-dask", false, "do not run Dask")
	only      = flag.String("only", "", "comma-separated workloads (default all)")
	python    = flag.String("python", "/usr/bin/python3", "the Python with Debian's Dask")
	outFlag   = flag.String("out", "bench/results/array.json", "where the figures are written")
	outOfCore = flag.Bool("outofcore", false, "instead: persist an n×n array through 2 workers of -memory each, then Sum and Mean(axis 0), dusk and Dask")
	memFlag   = flag.String("memory", "1GiB", "with -outofcore: each worker's memory limit")
	cpuProf   = flag.String("cpuprofile", "", "write a CPU profile of dusk's runs to this file (with -inprocess, the workers' work too)")
	inProcess = flag.Bool("inprocess", false, "run dusk's 2 workers as goroutines of this process instead of processes (for -cpuprofile)")
	moved     = flag.Bool("moved", false, "after each dusk workload, run it once more under a performance report and print the bytes of blocks the workers sent each other")
	timeLine  = flag.Bool("timeline", false, "after each dusk workload, run it once more under a performance report and print a time line of that run")
)

// box is the sum of each element's 3×3 neighbourhood within the block.
var box = dusk.Register("bench.box", func(info array.BlockInfo, b *array.Block) (*array.Block, error) {
	v, err := array.BlockValues[float64](b)
	if err != nil {
		return nil, err
	}
	r, c := b.Shape[0], b.Shape[1]
	out := make([]float64, len(v))
	for i := range r {
		for di := -1; di <= 1; di++ {
			if i+di < 0 || i+di >= r {
				continue
			}
			src := v[(i+di)*c : (i+di+1)*c]
			dst := out[i*c : (i+1)*c]
			for j := range c {
				s := src[j]
				if j > 0 {
					s += src[j-1]
				}
				if j+1 < c {
					s += src[j+1]
				}
				dst[j] += s
			}
		}
	}
	return array.NewBlock(out, b.Shape...)
})

type workload struct {
	name string
	// prepare, if set, runs before each timed run and its array is what
	// make gets (a new x persisted on the workers); it is not timed.
	prepare func(ctx context.Context, c *dusk.Client) (*array.Array, error)
	make    func(c *dusk.Client, in *array.Array) (*array.Array, error)
}

func must(a *array.Array, err error) *array.Array {
	if err != nil {
		panic(err)
	}
	return a
}

// arrayWorkloads are the benchmark's workloads on x, an n×n array in
// square chunks of side ch, and on m×m matrices for the dot product.
func arrayWorkloads(n, ch, m int) []workload {
	x := func(c *dusk.Client) *array.Array { return must(array.Random(c, []int{n, n}, array.By(ch), 1)) }
	return []workload{
		{"elementwise-sum", nil, func(c *dusk.Client, _ *array.Array) (*array.Array, error) {
			return must(must(x(c).Add(1)).Mul(2)).Sum()
		}},
		// The same over x persisted first (in memory on the workers, not
		// timed; a new x each run, as Dask would find the result of the
		// same keys still in memory): the one to compare with the memory
		// bandwidth loop.
		{"elementwise-sum-persisted", func(ctx context.Context, c *dusk.Client) (*array.Array, error) {
			p, err := x(c).Persist(ctx)
			if err != nil {
				return nil, err
			}
			return p, p.Wait(ctx)
		}, func(c *dusk.Client, p *array.Array) (*array.Array, error) {
			return must(must(p.Add(1)).Mul(2)).Sum()
		}},
		{"mean-axis0", nil, func(c *dusk.Client, _ *array.Array) (*array.Array, error) { return must(x(c).Mean(0)).Sum() }},
		{"x-plus-xT", nil, func(c *dusk.Client, _ *array.Array) (*array.Array, error) {
			y := x(c)
			return must(y.Add(must(y.Transpose()))).Sum()
		}},
		{"rechunk-sum", nil, func(c *dusk.Client, _ *array.Array) (*array.Array, error) {
			return must(x(c).Rechunk(array.By(n, 200))).Sum()
		}},
		{"slice-std", nil, func(c *dusk.Client, _ *array.Array) (*array.Array, error) {
			return must(x(c).Slice("::2", fmt.Sprintf("%d:", n/2))).Std(0)
		}},
		{"dot", nil, func(c *dusk.Client, _ *array.Array) (*array.Array, error) {
			a := must(array.Random(c, []int{m, m}, array.By(ch), 1))
			b := must(array.Random(c, []int{m, m}, array.By(ch), 2))
			return must(array.MatMul(a, b)).Sum()
		}},
		{"map-overlap", nil, func(c *dusk.Client, _ *array.Array) (*array.Array, error) {
			return must(x(c).MapOverlap(box, []int{1, 1}, array.None, array.Float64)).Sum()
		}},
	}
}

func main() {
	dusk.Main()
	flag.Parse()
	if *outOfCore {
		outOfCoreRun()
		return
	}
	n, ch, m := *nFlag, *chunkFlag, *mFlag
	works := arrayWorkloads(n, ch, m)
	var sel map[string]bool
	if *only != "" {
		sel = map[string]bool{}
		for _, w := range strings.Split(*only, ",") {
			sel[w] = true
		}
	}
	ctx := context.Background()
	copts := []dusk.Option{dusk.LocalWorkers(2), dusk.LocalThreads(1), dusk.LocalDashboard("off")}
	if !*inProcess {
		copts = append(copts, dusk.LocalProcesses())
	}
	c, err := dusk.Connect(ctx, "", copts...)
	if err != nil {
		log.Fatal(err)
	}
	if *cpuProf != "" {
		f, err := os.Create(*cpuProf)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
	}
	type res struct {
		Seconds float64 `json:"seconds"`
		Value   float64 `json:"value"`
	}
	dusks := map[string]res{}
	for _, w := range works {
		if sel != nil && !sel[w.name] {
			continue
		}
		best := time.Duration(0)
		var val float64
		for r := range *repeat {
			var in *array.Array
			spread := ""
			if w.prepare != nil {
				if in, err = w.prepare(ctx, c); err != nil {
					log.Fatalf("%s: %v", w.name, err)
				}
				if spread, err = blocksPerWorker(ctx, c); err != nil {
					log.Fatalf("%s: %v", w.name, err)
				}
			}
			t0 := time.Now()
			a, err := w.make(c, in)
			if err != nil {
				log.Fatalf("%s: %v", w.name, err)
			}
			d, err := a.Compute(ctx)
			if err != nil {
				log.Fatalf("%s: %v", w.name, err)
			}
			el := time.Since(t0)
			if val, err = d.Float64(); err != nil {
				log.Fatal(err)
			}
			if best == 0 || el < best {
				best = el
			}
			log.Printf("dusk %s run %d: %.3fs%s", w.name, r+1, el.Seconds(), spread)
			in = nil
			runtime.GC() // the persisted x's futures are released
		}
		dusks[w.name] = res{best.Seconds(), val}
		log.Printf("dusk %s: %.2fs (%g)", w.name, best.Seconds(), val)
		if *timeLine {
			if err := timeline(ctx, c, w, os.Stdout); err != nil {
				log.Fatalf("%s: %v", w.name, err)
			}
		}
		if *moved {
			b, n, err := blocksMoved(ctx, c, w)
			if err != nil {
				log.Fatalf("%s: %v", w.name, err)
			}
			log.Printf("dusk %s: workers sent each other %d blocks, %.1f MB", w.name, n, float64(b)/1e6)
		}
	}
	if *cpuProf != "" {
		pprof.StopCPUProfile()
	}
	c.Close()
	bw := bandwidth(n)
	log.Printf("memory: summing %d×%d float64s on 2 goroutines: %.3fs", n, n, bw.Seconds())
	dasks := map[string]res{}
	if !*skipDask {
		args := []string{"bench/array/dask_bench.py", "--n", fmt.Sprint(n), "--chunk", fmt.Sprint(ch), "--m", fmt.Sprint(m), "--repeat", fmt.Sprint(*repeat)}
		if *only != "" {
			args = append(args, "--only", *only)
		}
		cmd := exec.Command(*python, args...)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			log.Fatalf("dask: %v", err)
		}
		if err := json.Unmarshal(out, &dasks); err != nil {
			log.Fatalf("dask's output: %v", err)
		}
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "workload\tdusk s\tDask s\tDask/dusk\n")
	for _, w := range works {
		d, ok := dusks[w.name]
		if !ok {
			continue
		}
		k := dasks[w.name]
		ratio := "-"
		if k.Seconds > 0 {
			ratio = fmt.Sprintf("%.2fx", k.Seconds/d.Seconds)
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%s\n", w.name, d.Seconds, k.Seconds, ratio)
	}
	fmt.Fprintf(tw, "memory bandwidth (Go sum of x)\t%.3f\t\t\n", bw.Seconds())
	tw.Flush()
	for _, name := range []string{"elementwise-sum", "elementwise-sum-persisted"} {
		if e, ok := dusks[name]; ok {
			fmt.Printf("%s takes %.1fx the time of summing x in memory\n", name, e.Seconds/bw.Seconds())
		}
	}
	b, _ := json.MarshalIndent(map[string]any{"n": n, "chunk": ch, "m": m, "dusk": dusks, "dask": dasks, "bandwidth_seconds": bw.Seconds(), "cpus": runtime.NumCPU()}, "", "  ")
	if err := os.WriteFile(*outFlag, b, 0o644); err != nil {
		log.Print(err)
	}
}

// blocksPerWorker returns ", blocks per worker: a, b" for the keys
// each worker holds (a persisted input's blocks), fewest first.
func blocksPerWorker(ctx context.Context, c *dusk.Client) (string, error) {
	held, err := c.HasWhat(ctx)
	if err != nil {
		return "", err
	}
	var ns []int
	for _, keys := range held {
		ns = append(ns, len(keys))
	}
	slices.Sort(ns)
	return fmt.Sprintf(", blocks per worker: %v", ns), nil
}

// blocksMoved runs w once more under a performance report (written to a
// temporary directory) and returns the bytes and number of array blocks
// the workers sent each other meanwhile.
func blocksMoved(ctx context.Context, c *dusk.Client, w workload) (int64, int, error) {
	dir, err := os.MkdirTemp("", "bench-array-report")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	err = c.PerformanceReport(ctx, filepath.Join(dir, "report.html"), func() error {
		var in *array.Array
		if w.prepare != nil {
			// The persisted x is made inside the report: its blocks are made where they stay.
			if in, err = w.prepare(ctx, c); err != nil {
				return err
			}
		}
		a, err := w.make(c, in)
		if err != nil {
			return err
		}
		_, err = a.Compute(ctx)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	raw, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		return 0, 0, err
	}
	var rep struct {
		Bandwidth struct {
			ByType []struct {
				Type  string `json:"type"`
				Bytes int64  `json:"bytes"`
				Count int    `json:"count"`
			} `json:"byType"`
		} `json:"bandwidth"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		return 0, 0, fmt.Errorf("reading the report: %w", err)
	}
	for _, t := range rep.Bandwidth.ByType {
		if t.Type == "*array.Block" {
			return t.Bytes, t.Count, nil
		}
	}
	return 0, 0, nil
}

// bandwidth times summing an n×n float64 slice on 2 goroutines (the
// slice filled first, outside the timing).
func bandwidth(n int) time.Duration {
	v := make([]float64, n*n)
	for i := range v {
		v[i] = float64(i & 1023)
	}
	best := time.Duration(0)
	for range 3 {
		t0 := time.Now()
		var wg sync.WaitGroup
		sums := make([]float64, 2)
		for g := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				lo, hi := g*len(v)/2, (g+1)*len(v)/2
				s := 0.0
				for _, x := range v[lo:hi] {
					s += x
				}
				sums[g] = s
			}()
		}
		wg.Wait()
		if el := time.Since(t0); best == 0 || el < best {
			best = el
		}
	}
	return best
}

// outOfCoreRun persists an n×n random array through two worker processes
// of -memory each (several times their memory: they spill), then times
// its Sum and Mean over axis 0, on dusk and on Dask, and checks that the
// two agree (the mean of the column means is the mean).
func outOfCoreRun() {
	n, ch := *nFlag, *chunkFlag
	limit, err := config.ParseBytes(*memFlag)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	c, err := dusk.Connect(ctx, "", dusk.LocalProcesses(), dusk.LocalWorkers(2), dusk.LocalThreads(1),
		dusk.LocalMemoryLimit(limit), dusk.LocalDashboard("off"))
	if err != nil {
		log.Fatal(err)
	}
	pids := maps.Clone(c.Local().PIDs())
	t0 := time.Now()
	x := must(array.Random(c, []int{n, n}, array.By(ch), 1))
	p, err := x.Persist(ctx)
	if err != nil {
		log.Fatal(err)
	}
	sum, err := must(p.Sum()).Compute(ctx)
	if err != nil {
		log.Fatal(err)
	}
	t1 := time.Now()
	mean, err := must(must(p.Mean(0)).Sum()).Compute(ctx)
	if err != nil {
		log.Fatal(err)
	}
	t2 := time.Now()
	s, _ := sum.Float64()
	mm, _ := mean.Float64()
	restarted := !maps.Equal(pids, c.Local().PIDs())
	c.Close()
	log.Printf("dusk: %s array through 2 workers of %s: persist+sum %.1fs, mean(0) %.1fs; mean %.9f vs %.9f; workers restarted: %v",
		config.FormatBytes(x.NBytes()), *memFlag, t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), s/float64(n)/float64(n), mm/float64(n), restarted)
	if *skipDask {
		return
	}
	cmd := exec.Command(*python, "bench/array/dask_bench.py", "--outofcore", "--n", fmt.Sprint(n), "--chunk", fmt.Sprint(ch), "--memory", *memFlag)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("dask: %v", err)
	}
	fmt.Printf("dusk: persist+sum %.1fs, mean(0) %.1fs\nDask: %s", t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), out)
}
