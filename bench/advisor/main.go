// Command advisor times the optimization guide's bad patterns before and
// after the fix the advisor suggests or applies, side by side in one run.
//
// large-argument: 20 delayed tasks that each take the same large map as a
// literal argument (the guide's "don't pass large data as arguments"),
// computed three ways on a local cluster of worker processes: with
// auto-scatter off (the map travels with every task), with auto-scatter on
// (the default: the map is placed on the workers once), and with the map
// scattered by hand and its future passed. Ratios are printed against the
// hand-scattered run.
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
	entries := flag.Int("entries", 460_000, "entries of the map (460,000 encode to about 6 MB)")
	tasks := flag.Int("tasks", 20, "tasks that each take the map")
	repeat := flag.Int("repeat", 3, "runs of each mode; the median is shown")
	workers := flag.Int("workers", 2, "worker processes")
	flag.Parse()
	ctx := context.Background()
	table := makeTable(*entries)
	enc, err := codec.Encode(table)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("large-argument: %d tasks, each with a map of %d entries (%.1f MB encoded), %d worker processes of 1 thread\n",
		*tasks, *entries, float64(len(enc))/1e6, *workers)

	times := make([][]time.Duration, len(modes))
	for r := range *repeat {
		for i, m := range modes {
			cfg := config.New()
			if err := cfg.Set("optimization.auto-scatter.active", m.autoActive); err != nil {
				log.Fatal(err)
			}
			c, err := dusk.Connect(ctx, "", dusk.LocalConfig(cfg), dusk.LocalProcesses(), dusk.LocalWorkers(*workers), dusk.LocalThreads(1), dusk.LocalDashboard("off"))
			if err != nil {
				log.Fatal(err)
			}
			start := time.Now()
			if err := runMode(ctx, c, m, table, *tasks); err != nil {
				log.Fatal(err)
			}
			el := time.Since(start)
			times[i] = append(times[i], el)
			c.Close()
			fmt.Fprintf(os.Stderr, "round %d: %-28s %7.2f s\n", r+1, m.name, el.Seconds())
		}
	}
	med := func(ds []time.Duration) time.Duration { s := slices.Clone(ds); slices.Sort(s); return s[len(s)/2] }
	base := med(times[2])
	fmt.Printf("%-28s %10s %14s\n", "mode", "median s", "vs by hand")
	for i, m := range modes {
		fmt.Printf("%-28s %10.2f %13.2fx\n", m.name, med(times[i]).Seconds(), float64(med(times[i]))/float64(base))
	}
}
