package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/array"
)

// timeline runs w once under a performance report and writes to out a
// time line of the run: when the client built the graph and had the
// result, when the scheduler sent the first task to each worker and when
// each worker started and ended its tasks, grouped by task prefix, the
// gaps on each worker's thread between one task's end and the next one's
// start, and the blocks the workers sent each other. With a prepare step
// (a persisted x), it also says how many of x's blocks each worker holds.
func timeline(ctx context.Context, c *dusk.Client, w workload, out io.Writer) error {
	dir, err := os.MkdirTemp("", "bench-array-timeline")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var in *array.Array
	if w.prepare != nil {
		var t0, t1 time.Time
		err = c.PerformanceReport(ctx, filepath.Join(dir, "report.html"), func() error {
			t0 = time.Now()
			in, err = w.prepare(ctx, c)
			t1 = time.Now()
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(out, "== prepare")
		if err := printTimeline(filepath.Join(dir, "report.json"), out, t0, t1, t1); err != nil {
			return err
		}
		spread, err := blocksPerWorker(ctx, c)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "after prepare%s\n", spread)
	}
	var t0, tBuilt, tDone time.Time
	err = c.PerformanceReport(ctx, filepath.Join(dir, "report.html"), func() error {
		t0 = time.Now()
		a, err := w.make(c, in)
		if err != nil {
			return err
		}
		tBuilt = time.Now()
		_, err = a.Compute(ctx)
		tDone = time.Now()
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "== run")
	return printTimeline(filepath.Join(dir, "report.json"), out, t0, tBuilt, tDone)
}

// printTimeline prints the time line of the performance report at path
// (its JSON); t0, tBuilt and tDone are when the client began, had built
// its graph and had its result.
func printTimeline(path string, out io.Writer, t0, tBuilt, tDone time.Time) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var rep struct {
		Summary struct {
			Start time.Time `json:"start"`
		} `json:"summary"`
		Rows []struct {
			Worker string `json:"worker"`
			Thread int    `json:"thread"`
		} `json:"rows"`
		Stream []struct {
			Row    int     `json:"r"`
			Kind   string  `json:"k"`
			Prefix string  `json:"p"`
			Key    string  `json:"key"`
			Start  float64 `json:"s"`
			Stop   float64 `json:"e"`
			NBytes int64   `json:"b"`
		} `json:"stream"`
		Transitions []struct {
			Key    string  `json:"key"`
			T      float64 `json:"t"`
			From   string  `json:"from"`
			To     string  `json:"to"`
			Worker string  `json:"worker"`
		} `json:"transitions"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		return fmt.Errorf("reading the report: %w", err)
	}
	ms := func(t time.Time) float64 { return float64(t.Sub(rep.Summary.Start).Microseconds()) / 1000 }
	fmt.Fprintf(out, "client: make %.1f ms, compute returned %.1f ms (times from the report's start; t0 = %.1f)\n", ms(tBuilt), ms(tDone), ms(t0))
	// Scheduler transitions, by (from → to) and worker: first and last.
	type span struct {
		n           int
		first, last float64
	}
	trs := map[string]*span{}
	var trNames []string
	for _, t := range rep.Transitions {
		name := fmt.Sprintf("%s %s→%s %s", prefixOf(t.Key), t.From, t.To, t.Worker)
		s := trs[name]
		if s == nil {
			s = &span{first: t.T}
			trs[name] = s
			trNames = append(trNames, name)
		}
		s.n++
		s.last = t.T
	}
	fmt.Fprintln(out, "scheduler transitions (prefix from→to worker: count, first, last ms):")
	for _, n := range trNames {
		s := trs[n]
		fmt.Fprintf(out, "  %s: %d, %.1f, %.1f\n", n, s.n, s.first, s.last)
	}
	// Per row (worker thread or transfers) and prefix.
	type rowStat struct {
		n                 int
		first, last, busy float64
		gaps              []float64
		prevStop          float64
		bytes             int64
	}
	stats := map[string]*rowStat{}
	var names []string
	byRow := map[int][]int{}
	for i, b := range rep.Stream {
		byRow[b.Row] = append(byRow[b.Row], i)
	}
	for r, idx := range byRow {
		sort.Slice(idx, func(a, b int) bool { return rep.Stream[idx[a]].Start < rep.Stream[idx[b]].Start })
		rowName, thread := fmt.Sprintf("row %d", r), -1
		if r < len(rep.Rows) {
			rowName, thread = fmt.Sprintf("%s/%d", rep.Rows[r].Worker, rep.Rows[r].Thread), rep.Rows[r].Thread
		}
		var prev float64 = -1
		var gaps []float64
		for _, i := range idx {
			b := rep.Stream[i]
			if prev >= 0 && thread >= 0 {
				gaps = append(gaps, b.Start-prev)
			}
			prev = b.Stop
			name := fmt.Sprintf("%s %s %s", rowName, b.Kind, b.Prefix)
			s := stats[name]
			if s == nil {
				s = &rowStat{first: b.Start}
				stats[name] = s
				names = append(names, name)
			}
			s.n++
			s.last = max(s.last, b.Stop)
			s.busy += b.Stop - b.Start
			s.bytes += b.NBytes
		}
		if len(gaps) > 0 {
			sort.Float64s(gaps)
			tot := 0.0
			for _, g := range gaps {
				tot += g
			}
			fmt.Fprintf(out, "%s: %d gaps between runs, total %.1f ms, median %.2f, max %.2f ms\n", rowName, len(gaps), tot, gaps[len(gaps)/2], gaps[len(gaps)-1])
		}
	}
	sort.Strings(names)
	fmt.Fprintln(out, "task stream (row kind prefix: count, first start, last end, busy ms, bytes):")
	for _, n := range names {
		s := stats[n]
		fmt.Fprintf(out, "  %s: %d, %.1f, %.1f, %.1f, %d\n", n, s.n, s.first, s.last, s.busy, s.bytes)
	}
	return nil
}

// prefixOf is a key's prefix: what comes before its first '-' followed by
// a hex digit run, or before '(' of a tuple key.
func prefixOf(k string) string {
	k = strings.TrimPrefix(k, "(")
	k = strings.Trim(k, "'\"")
	if i := strings.IndexAny(k, "',"); i >= 0 {
		k = k[:i]
	}
	if i := strings.LastIndexByte(k, '-'); i >= 0 {
		return k[:i]
	}
	return k
}
