//go:build duckdb_arrow

package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/dataframe"
	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/internal/cli"
	"github.com/dusk-go/dusk/scheduler"
	"github.com/dusk-go/dusk/worker"
)

var cfgInc = dusk.Register("cfgtest.inc", func(x int) int { return x + 1 })

var cfgAdd = dusk.Register("cfgtest.add", func(x, y int) int { return x + y })

var cfgLen = dusk.Register("cfgtest.len", func(b []byte) int { return len(b) })

// cfgSlow is an expensive branch: it takes at least d.
var cfgSlow = dusk.Register("cfgtest.slow", func(d time.Duration) int {
	time.Sleep(d)
	return 1
})

// sharedHeld computes two steps over one branch, with
// optimization.persist-shared.min-seconds 0 (set on c), and then a
// computation that does not use it; it returns how many futures the
// client holds after each: the branch's output when persist-shared kept
// it, none after release-after computations that do not use it.
func sharedHeld(t *testing.T, ctx context.Context, c *config.Config) any {
	if err := c.Set("optimization.persist-shared.min-seconds", "0s"); err != nil {
		t.Fatal(err)
	}
	cl, err := dusk.Connect(ctx, "", dusk.LocalConfig(c), dusk.LocalWorkers(1), dusk.LocalThreads(1), dusk.LocalDashboard("off"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	base := dusk.Call[int](cfgInc, 0)
	s1, s2 := dusk.Call[int](cfgAdd, base, 1), dusk.Call[int](cfgAdd, base, 2)
	var held []int
	for _, d := range []*dusk.Delayed[int]{s1, s2, dusk.Call[int](cfgInc, 5)} {
		if _, err := dusk.Compute(ctx, cl, d); err != nil {
			t.Fatal(err)
		}
		held = append(held, len(cl.Futures()))
	}
	return held
}

var cfgBlob = dusk.Register("cfgtest.blob", func(n int) []byte { return make([]byte, n) })

// found runs work on c and tells whether the advisor then has a finding of
// rule: a task submitted after the work finishes only once the scheduler
// has read every message the client sent before it, advice included.
func found(rule string, work func(context.Context, *dusk.Client) error) func(*dusk.Client) any {
	return func(c *dusk.Client) any {
		ctx := context.Background()
		if err := work(ctx, c); err != nil {
			return err.Error()
		}
		f, err := dusk.Submit[int](ctx, c, cfgInc, 1)
		if err != nil {
			return err.Error()
		}
		if _, err := f.Result(ctx); err != nil {
			return err.Error()
		}
		fnd, err := c.Advise(ctx)
		if err != nil {
			return err.Error()
		}
		for _, f := range fnd {
			if f.Rule == rule {
				return true
			}
		}
		return false
	}
}

// mapLen runs cfgLen over three 2 KiB literals (a graph of three tasks,
// over 6 KiB) and gathers the lengths (a few bytes).
func mapLen(ctx context.Context, c *dusk.Client) error {
	fs, err := dusk.Map[int](ctx, c, cfgLen, [][]byte{make([]byte, 2048), make([]byte, 2048), make([]byte, 2048)})
	if err != nil {
		return err
	}
	_, err = dusk.Gather(ctx, fs)
	return err
}

// autoScattered submits a task with a 2 MiB literal and returns how many
// futures of auto-scattered values the client then holds.
func autoScattered(c *dusk.Client) any {
	if _, err := dusk.Submit[int](context.Background(), c, cfgLen, make([]byte, 2<<20)); err != nil {
		return err.Error()
	}
	n := 0
	for _, k := range c.Futures() {
		if strings.HasPrefix(string(k.Key()), "auto_scatter-") {
			n++
		}
	}
	return n
}

// coalesced reports whether the plan of a group-by over 64 partitions of
// about 1000 bytes joins them before its reduction.
func coalesced(c *dusk.Client) any {
	rows := make([]struct{ ID, V int64 }, 4000)
	for i := range rows {
		rows[i].ID, rows[i].V = int64(i%10), int64(i)
	}
	df, err := dataframe.FromRecords(context.Background(), c, rows, dataframe.Partitions(64))
	if err != nil {
		return err.Error()
	}
	return strings.Contains(df.GroupBy("ID").Agg(dataframe.Sum("V")).Explain(), "Coalesce: 64 partitions")
}

// adaptiveDecisions computes a hash-shuffled merge whose key 7 holds
// three quarters of the left side's rows and returns what adaptive
// execution decided for it (Explain's "adaptive:" lines after the run).
func adaptiveDecisions(c *dusk.Client) any {
	ctx := context.Background()
	left := make([]struct{ ID, V int64 }, 4000)
	for i := range left {
		left[i].ID, left[i].V = 7, int64(i)
		if i%4 == 0 {
			left[i].ID = int64(i % 100)
		}
	}
	right := make([]struct{ ID, W int64 }, 200)
	for i := range right {
		right[i].ID, right[i].W = int64(i%100), int64(i)
	}
	l, err := dataframe.FromRecords(ctx, c, left, dataframe.Partitions(8))
	if err != nil {
		return err.Error()
	}
	r, err := dataframe.FromRecords(ctx, c, right, dataframe.Partitions(2))
	if err != nil {
		return err.Error()
	}
	m := l.Merge(r, []string{"ID"}, "inner", dataframe.Strategy(dataframe.StrategyShuffle))
	if _, err := m.Compute(ctx); err != nil {
		return err.Error()
	}
	var lines []string
	for _, ln := range strings.Split(m.Explain(), "\n") {
		if strings.Contains(ln, "adaptive:") {
			lines = append(lines, strings.TrimSpace(ln))
		}
	}
	return lines
}

// TestEveryConfigKeyTakesEffect walks every key dusk config shows, sets it
// to a value other than its default, and checks that the code that reads
// it makes something different of it: no key is dead.
func TestEveryConfigKeyTakesEffect(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sched := func(f func(scheduler.Options) any) func(*testing.T, *config.Config) any {
		return func(_ *testing.T, c *config.Config) any { return f(scheduler.OptionsFromConfig(c)) }
	}
	work := func(f func(worker.Options) any) func(*testing.T, *config.Config) any {
		return func(t *testing.T, c *config.Config) any {
			o, err := worker.OptionsFromConfig(c)
			if err != nil {
				t.Fatal(err)
			}
			return f(o)
		}
	}
	// runs computes a chain of four increments on a local cluster with c
	// and returns how many tasks ran: fewer when they were fused.
	runs := func(t *testing.T, c *config.Config) any {
		cl, err := dusk.Connect(ctx, "", dusk.LocalConfig(c), dusk.LocalWorkers(1), dusk.LocalThreads(1), dusk.LocalDashboard("off"))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		d := dusk.Call[int](cfgInc, 0)
		for range 3 {
			d = dusk.Call[int](cfgInc, d)
		}
		if v, err := dusk.Compute(ctx, cl, d); err != nil || v != 4 {
			t.Fatalf("the chain = %v, %v", v, err)
		}
		n := 0
		for _, e := range cl.Local().Events().Snapshot() {
			if e.Kind == event.TaskRun {
				n++
			}
		}
		return n
	}
	frames := func(f func(*dusk.Client) any) func(*testing.T, *config.Config) any {
		return func(t *testing.T, c *config.Config) any {
			cl, err := dusk.Connect(ctx, "", dusk.LocalConfig(c), dusk.LocalWorkers(1), dusk.LocalThreads(1), dusk.LocalDashboard("off"))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			return f(cl)
		}
	}
	csv := filepath.Join(t.TempDir(), "rows.csv")
	var b strings.Builder
	b.WriteString("id,x\n")
	for i := range 2000 {
		b.WriteString(strings.Repeat("1", 1+i%3) + ",2.5\n")
	}
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	probes := map[string]struct {
		value string
		read  func(*testing.T, *config.Config) any
	}{
		"scheduler.worker-saturation":      {"3", sched(func(o scheduler.Options) any { return o.State.WorkerSaturation })},
		"scheduler.work-stealing":          {"false", sched(func(o scheduler.Options) any { return o.State.WorkStealing })},
		"scheduler.work-stealing-interval": {"1s", sched(func(o scheduler.Options) any { return o.State.StealInterval })},
		"scheduler.bandwidth":              {"1GB", sched(func(o scheduler.Options) any { return o.State.Bandwidth })},
		"scheduler.unknown-task-duration":  {"2s", sched(func(o scheduler.Options) any { return o.State.UnknownDuration })},
		"scheduler.allowed-failures":       {"7", sched(func(o scheduler.Options) any { return o.State.AllowedFailures })},
		"scheduler.events.capacity":        {"500", sched(func(o scheduler.Options) any { return o.EventCapacity })},
		"scheduler.events.record":          {"false", sched(func(o scheduler.Options) any { return o.State.Record })},
		"scheduler.worker-ttl":             {"1m", sched(func(o scheduler.Options) any { return o.State.WorkerTTL })},
		"scheduler.client-ttl":             {"1m", sched(func(o scheduler.Options) any { return o.ClientTTL })},
		"scheduler.dashboard-address":      {"127.0.0.1:9999", sched(func(o scheduler.Options) any { return o.DashboardAddress })},
		"scheduler.state-directory":        {"/var/lib/dusk", sched(func(o scheduler.Options) any { return o.StateDirectory })},
		"scheduler.gc-heap-floor":          {"1GiB", sched(func(o scheduler.Options) any { return o.GCHeapFloor })},
		"scheduler.address": {"127.0.0.1:9998", func(t *testing.T, c *config.Config) any {
			a, err := cli.ListenAddress(c.String("scheduler.address"), "", -1)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}},
		"worker.nthreads":                 {"3", work(func(o worker.Options) any { return o.NThreads })},
		"worker.memory.limit":             {"3GiB", work(func(o worker.Options) any { return o.MemoryLimit })},
		"worker.memory.target":            {"0.5", work(func(o worker.Options) any { return o.Thresholds.Target })},
		"worker.memory.spill":             {"0.65", work(func(o worker.Options) any { return o.Thresholds.Spill })},
		"worker.memory.pause":             {"0.75", work(func(o worker.Options) any { return o.Thresholds.Pause })},
		"worker.memory.terminate":         {"0.9", work(func(o worker.Options) any { return o.Thresholds.Terminate })},
		"worker.memory.monitor-interval":  {"1s", work(func(o worker.Options) any { return o.MemoryMonitorInterval })},
		"worker.memory.max-spill":         {"1GB", work(func(o worker.Options) any { return o.MaxSpill })},
		"worker.memory.gc-heap-floor":     {"1GiB", work(func(o worker.Options) any { return o.GCHeapFloor })},
		"worker.spill-directory":          {"/scratch", work(func(o worker.Options) any { return o.LocalDirectory })},
		"worker.heartbeat-interval":       {"2s", work(func(o worker.Options) any { return o.HeartbeatInterval })},
		"worker.transfer.chunk-size":      {"4MiB", work(func(o worker.Options) any { return o.ChunkSize })},
		"worker.transfer.max-connections": {"7", work(func(o worker.Options) any { return o.MaxFetches })},
		"worker.resources":                {"GPU=2", work(func(o worker.Options) any { return o.Resources })},
		"worker.metrics-address":          {"127.0.0.1:9997", work(func(o worker.Options) any { return o.MetricsAddress })},
		"worker.nanny":                    {"false", func(_ *testing.T, c *config.Config) any { return cli.WantsNanny(c) }},
		"worker.death-timeout":            {"1m", work(func(o worker.Options) any { return o.DeathTimeout })},
		"worker.lifetime":                 {"1h", work(func(o worker.Options) any { return o.Lifetime })},
		"worker.lifetime-stagger":         {"5m", work(func(o worker.Options) any { return o.LifetimeStagger })},
		"worker.lifetime-restart":         {"true", work(func(o worker.Options) any { return o.LifetimeRestart })},
		"worker.accept-binaries":          {"false", work(func(o worker.Options) any { return !o.RefuseBinaries })},
		"comm.timeouts.connect":           {"3s", work(func(o worker.Options) any { return o.ConnectTimeout })},
		"comm.token":                      {"t0k3n", work(func(o worker.Options) any { return o.Security.Token })},
		"comm.token-file":                 {"/run/token", work(func(o worker.Options) any { return o.Security.TokenFile })},
		"comm.tls.cert":                   {"/c.pem", work(func(o worker.Options) any { return o.Security.CertFile })},
		"comm.tls.key":                    {"/k.pem", work(func(o worker.Options) any { return o.Security.KeyFile })},
		"comm.tls.ca":                     {"/ca.pem", work(func(o worker.Options) any { return o.Security.CAFile })},
		"optimization.fuse.active":        {"false", runs},
		"optimization.fuse.max-height":    {"2", runs},
		"optimization.fuse.ave-width": {"1", func(t *testing.T, c *config.Config) any {
			// inc(0) + inc(1): three tasks, or one fused blockwise.
			cl, err := dusk.Connect(ctx, "", dusk.LocalConfig(c), dusk.LocalWorkers(1), dusk.LocalThreads(1), dusk.LocalDashboard("off"))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			d := dusk.Call[int](cfgAdd, dusk.Call[int](cfgInc, 0), dusk.Call[int](cfgInc, 1))
			if v, err := dusk.Compute(ctx, cl, d); err != nil || v != 3 {
				t.Fatalf("inc(0) + inc(1) = %v, %v", v, err)
			}
			n := 0
			for _, e := range cl.Local().Events().Snapshot() {
				if e.Kind == event.TaskRun {
					n++
				}
			}
			return n
		}},
		"optimization.auto-scatter.active":    {"false", frames(autoScattered)},
		"optimization.auto-scatter.threshold": {"1GiB", frames(autoScattered)},
		"optimization.coalesce.active":        {"false", frames(coalesced)},
		"optimization.coalesce.target":        {"1KiB", frames(coalesced)},
		"optimization.adaptive.active":        {"false", frames(adaptiveDecisions)},
		"optimization.adaptive.skew-bytes":    {"1KiB", frames(adaptiveDecisions)},
		"optimization.adaptive.skew-factor": {"1000", func(t *testing.T, c *config.Config) any {
			// Under the default skew-bytes (256 MiB) nothing small is skewed.
			if err := c.Set("optimization.adaptive.skew-bytes", "1KiB"); err != nil {
				t.Fatal(err)
			}
			return frames(adaptiveDecisions)(t, c)
		}},
		"optimization.persist-shared.active": {"true", func(t *testing.T, c *config.Config) any { return sharedHeld(t, ctx, c) }},
		"optimization.persist-shared.release-after": {"1", func(t *testing.T, c *config.Config) any {
			if err := c.Set("optimization.persist-shared.active", true); err != nil {
				t.Fatal(err)
			}
			return sharedHeld(t, ctx, c)
		}},
		// A branch that takes a second, computed again: with the fix off,
		// a finding when it passes min-seconds (1s by default).
		"optimization.persist-shared.min-seconds": {"1h", frames(func(c *dusk.Client) any {
			base := dusk.Call[int](cfgSlow, time.Second)
			for k := range 2 {
				if _, err := dusk.Compute(ctx, c, dusk.Call[int](cfgAdd, base, k)); err != nil {
					return err.Error()
				}
			}
			fnd, err := c.Advise(ctx)
			if err != nil {
				return err.Error()
			}
			for _, f := range fnd {
				if f.Rule == "recomputed" && f.Severity == "warning" {
					return f.Message
				}
			}
			return ""
		})},
		"dataframe.broadcast-threshold": {"1B", frames(func(c *dusk.Client) any {
			l, err := dataframe.FromRecords(ctx, c, []struct{ ID, V int64 }{{1, 10}, {2, 20}}, dataframe.Partitions(2))
			if err != nil {
				t.Fatal(err)
			}
			r, err := dataframe.FromRecords(ctx, c, []struct{ ID, W int64 }{{1, 5}}, dataframe.Partitions(2))
			if err != nil {
				t.Fatal(err)
			}
			return strings.Contains(l.Merge(r, []string{"ID"}, "inner").Explain(), "broadcast")
		})},
		"advisor.large-graph.tasks": {"2", frames(found("large-graph", mapLen))},
		"advisor.large-graph.bytes": {"4KiB", frames(found("large-graph", mapLen))},
		"advisor.large-gather.bytes": {"4KiB", frames(found("large-gather", func(ctx context.Context, c *dusk.Client) error {
			f, err := dusk.Submit[[]byte](ctx, c, cfgBlob, 8192)
			if err != nil {
				return err
			}
			_, err = f.Result(ctx)
			return err
		}))},
		"client.reconnect-timeout": {"5s", frames(func(c *dusk.Client) any { return c.ReconnectTimeout() })},
		"dataframe.partition-size": {"4KiB", frames(func(c *dusk.Client) any {
			return dataframe.ReadCSV(c, csv).NPartitions()
		})},
	}
	for _, key := range config.New().Keys() {
		p, ok := probes[key]
		if !ok {
			t.Errorf("%s: no probe shows that it takes effect", key)
			continue
		}
		changed := config.New()
		if err := changed.Set(key, p.value); err != nil {
			t.Fatalf("%s = %s: %v", key, p.value, err)
		}
		def, got := p.read(t, config.New()), p.read(t, changed)
		if reflect.DeepEqual(def, got) {
			t.Errorf("%s = %s changes nothing: %v either way", key, p.value, got)
		}
	}
}
