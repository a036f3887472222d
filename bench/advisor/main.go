//go:build duckdb_arrow

// Command advisor times the optimization guide's bad patterns before and
// after the fix the advisor suggests or applies, side by side in one run
// (-case picks one; both run by default).
//
// large-argument: 20 delayed tasks that each take the same large map as a
// literal argument (the guide's "don't pass large data as arguments"),
// computed three ways on a local cluster of worker processes: with
// auto-scatter off (the map travels with every task), with auto-scatter on
// (the default: the map is placed on the workers once), and with the map
// scattered by hand and its future passed. Ratios are printed against the
// hand-scattered run.
//
// too-many-partitions: a dataframe cut into many tiny partitions (the
// guide's "too many partitions"), grouped and aggregated (a tree
// reduction) and sorted on a column (SetIndex, a range shuffle), three
// ways: with the planner's coalescing off, on (the default), and
// repartitioned by hand as the advice says (PartitionSize). Ratios are
// printed against coalescing off.
//
// compute-loop: computations in a row over one expensive branch (the
// guide's "compute in a loop"), in a loop with persist-shared off and on,
// and with the advice followed (one ComputeAll, or the branch persisted by
// hand); see loop.go.
//
// -case picks one (large-argument, too-many-partitions, compute-loop);
// all run by default.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/config"
)

var lookup = dusk.Register("bench.lookup", func(table map[string]int, from, n int) int {
	s := 0
	for i := from; i < from+n; i++ {
		s += table["k"+strconv.Itoa(i)]
	}
	return s
})

// mode is one way of passing the map to the tasks.
type mode struct {
	name       string
	autoActive bool
	byHand     bool
}

// modes: the bad pattern first, then its two fixes.
var modes = []mode{{"literal (auto-scatter off)", false, false}, {"auto-scatter (default)", true, false}, {"scattered by hand", true, true}}

// makeTable returns a map of n entries "k<i>": i.
func makeTable(n int) map[string]int {
	table := make(map[string]int, n)
	for i := range n {
		table["k"+strconv.Itoa(i)] = i
	}
	return table
}

// runMode computes tasks lookups on c, each over 100 entries of table,
// passing the table as mode m says (the cluster's configuration decides
// whether auto-scatter is on).
func runMode(ctx context.Context, c *dusk.Client, m mode, table map[string]int, tasks int) error {
	var arg any = table
	if m.byHand {
		f, err := dusk.Scatter(ctx, c, table, dusk.Broadcast())
		if err != nil {
			return err
		}
		arg = f
	}
	ds := make([]dusk.Lazy, tasks)
	for t := range ds {
		ds[t] = dusk.Call[int](lookup, arg, t*100, 100)
	}
	_, err := dusk.ComputeAll(ctx, c, ds)
	return err
}

func main() {
	dusk.Main()
	which := flag.String("case", "all", "the case to run: large-argument, too-many-partitions, compute-loop or all")
	entries := flag.Int("entries", 460_000, "large-argument: entries of the map (460,000 encode to about 6 MB)")
	tasks := flag.Int("tasks", 20, "large-argument: tasks that each take the map")
	rows := flag.Int("rows", 2_000_000, "too-many-partitions: rows of the dataframe")
	parts := flag.Int("partitions", 2000, "too-many-partitions: partitions it is cut into")
	target := flag.String("target", "128MiB", "too-many-partitions: optimization.coalesce.target, and the size repartitioning by hand asks for")
	repeat := flag.Int("repeat", 3, "runs of each mode; the median is shown")
	workers := flag.Int("workers", 2, "worker processes")
	steps := flag.Int("steps", 10, "compute-loop: computations in a row")
	size := flag.Int("branch-values", 200_000, "compute-loop: values the shared branch computes")
	rounds := flag.Int("branch-rounds", 2500, "compute-loop: rounds of work over them (2500 take about 1.5 s, past persist-shared's 1 s min-seconds)")
	flag.Parse()
	ctx := context.Background()
	if *which == "all" || *which == "large-argument" {
		largeArgument(ctx, *entries, *tasks, *repeat, *workers)
	}
	if *which == "all" || *which == "too-many-partitions" {
		tooManyPartitions(ctx, *rows, *parts, *target, *repeat, *workers)
	}
	if *which == "all" || *which == "compute-loop" {
		computeLoop(ctx, *steps, *size, *rounds, *repeat, *workers)
	}
}

// connect starts a local cluster of worker processes of one thread with
// the settings cfg.
func connect(ctx context.Context, cfg *config.Config, workers int) *dusk.Client {
	c, err := dusk.Connect(ctx, "", dusk.LocalConfig(cfg), dusk.LocalProcesses(), dusk.LocalWorkers(workers), dusk.LocalThreads(1), dusk.LocalDashboard("off"))
	if err != nil {
		log.Fatal(err)
	}
	return c
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func largeArgument(ctx context.Context, entries, tasks, repeat, workers int) {
	table := makeTable(entries)
	enc, err := codec.Encode(table)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("large-argument: %d tasks, each with a map of %d entries (%.1f MB encoded), %d worker processes of 1 thread\n",
		tasks, entries, float64(len(enc))/1e6, workers)

	times := make([][]time.Duration, len(modes))
	for r := range repeat {
		for i, m := range modes {
			cfg := config.New()
			if err := cfg.Set("optimization.auto-scatter.active", m.autoActive); err != nil {
				log.Fatal(err)
			}
			c := connect(ctx, cfg, workers)
			start := time.Now()
			if err := runMode(ctx, c, m, table, tasks); err != nil {
				log.Fatal(err)
			}
			el := time.Since(start)
			times[i] = append(times[i], el)
			c.Close()
			fmt.Fprintf(os.Stderr, "round %d: %-28s %7.2f s\n", r+1, m.name, el.Seconds())
		}
	}
	base := median(times[2])
	fmt.Printf("%-28s %10s %14s\n", "mode", "median s", "vs by hand")
	for i, m := range modes {
		fmt.Printf("%-28s %10.2f %13.2fx\n", m.name, median(times[i]).Seconds(), float64(median(times[i]))/float64(base))
	}
}
