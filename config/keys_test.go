package config

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The defaults the issue asks for.
func TestDefaults(t *testing.T) {
	c := New()
	floats := map[string]float64{
		"scheduler.worker-saturation":       1.1,
		"worker.memory.target":              0.60,
		"worker.memory.spill":               0.70,
		"worker.memory.pause":               0.80,
		"worker.memory.terminate":           0.95,
		"optimization.adaptive.skew-factor": 5,
	}
	for k, want := range floats {
		if got := c.Float(k); got != want {
			t.Errorf("Float(%s) = %v, want %v", k, got, want)
		}
	}
	ints := map[string]int{
		"scheduler.allowed-failures":                3,
		"scheduler.events.capacity":                 100000,
		"worker.nthreads":                           0,
		"worker.transfer.max-connections":           50,
		"optimization.fuse.max-height":              128,
		"optimization.fuse.ave-width":               0,
		"optimization.persist-shared.release-after": 3,
		"advisor.large-graph.tasks":                 1_000_000,
	}
	for k, want := range ints {
		if got := c.Int(k); got != want {
			t.Errorf("Int(%s) = %v, want %v", k, got, want)
		}
	}
	bools := map[string]bool{
		"scheduler.work-stealing":            true,
		"scheduler.events.record":            true,
		"worker.lifetime-restart":            false,
		"worker.accept-binaries":             true,
		"worker.nanny":                       true,
		"optimization.fuse.active":           true,
		"optimization.auto-scatter.active":   true,
		"optimization.coalesce.active":       true,
		"optimization.adaptive.active":       true,
		"optimization.persist-shared.active": false,
	}
	for k, want := range bools {
		if got := c.Bool(k); got != want {
			t.Errorf("Bool(%s) = %v, want %v", k, got, want)
		}
	}
	durations := map[string]time.Duration{
		"scheduler.work-stealing-interval":        100 * time.Millisecond,
		"scheduler.unknown-task-duration":         500 * time.Millisecond,
		"scheduler.worker-ttl":                    10 * time.Second,
		"worker.memory.monitor-interval":          100 * time.Millisecond,
		"worker.heartbeat-interval":               500 * time.Millisecond,
		"comm.timeouts.connect":                   10 * time.Second,
		"scheduler.client-ttl":                    20 * time.Second,
		"worker.lifetime":                         0,
		"worker.lifetime-stagger":                 0,
		"worker.death-timeout":                    0,
		"client.reconnect-timeout":                time.Minute,
		"optimization.persist-shared.min-seconds": time.Second,
	}
	for k, want := range durations {
		if got := c.Duration(k); got != want {
			t.Errorf("Duration(%s) = %v, want %v", k, got, want)
		}
	}
	sizes := map[string]int64{
		"scheduler.bandwidth":                 100e6,
		"optimization.auto-scatter.threshold": 1 << 20,
		"optimization.coalesce.target":        128 << 20,
		"optimization.adaptive.skew-bytes":    256 << 20,
		"worker.memory.limit":                 AutoBytes,
		"worker.memory.max-spill":             0,
		"worker.transfer.chunk-size":          8 << 20,
		"worker.memory.gc-heap-floor":         64 << 20,
		"scheduler.gc-heap-floor":             128 << 20,
		"dataframe.broadcast-threshold":       100 << 20,
		"dataframe.partition-size":            64 << 20,
		"advisor.large-graph.bytes":           1 << 30,
		"advisor.large-gather.bytes":          1 << 30,
	}
	for k, want := range sizes {
		if got := c.Bytes(k); got != want {
			t.Errorf("Bytes(%s) = %v, want %v", k, got, want)
		}
	}
	strs := map[string]string{
		"scheduler.address":           "127.0.0.1:8786",
		"scheduler.state-directory":   "",
		"scheduler.dashboard-address": "127.0.0.1:8787",
		"worker.spill-directory":      "",
		"worker.metrics-address":      "",
		"worker.resources":            "",
		"comm.token":                  "",
		"comm.token-file":             "",
		"comm.tls.cert":               "",
		"comm.tls.key":                "",
		"comm.tls.ca":                 "",
	}
	for k, want := range strs {
		if got := c.String(k); got != want {
			t.Errorf("String(%s) = %q, want %q", k, got, want)
		}
	}
	if n := len(floats) + len(ints) + len(bools) + len(durations) + len(sizes) + len(strs); n != len(table) {
		t.Errorf("checked %d defaults, the table has %d keys", n, len(table))
	}
	if err := c.Validate(); err != nil {
		t.Errorf("the defaults do not validate: %v", err)
	}
}

func TestTable(t *testing.T) {
	name := regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*(\.[a-z][a-z0-9]*(-[a-z0-9]+)*)+$`)
	flags := map[string]string{}
	for _, k := range table {
		if !name.MatchString(k.name) {
			t.Errorf("%q is not a dotted, lower-case, dash-separated name", k.name)
		}
		if k.doc == "" || strings.Contains(k.doc, "\n") || !strings.HasSuffix(k.doc, ".") {
			t.Errorf("%s: doc %q is not one sentence on one line", k.name, k.doc)
		}
		if other, dup := flags[FlagName(k.name)]; dup {
			t.Errorf("%s and %s share the flag name %s", k.name, other, FlagName(k.name))
		}
		flags[FlagName(k.name)] = k.name
		if got, ok := envKey(EnvName(k.name)); !ok || got != k.name {
			t.Errorf("envKey(EnvName(%s) = %s) = %q", k.name, EnvName(k.name), got)
		}
		if back, err := k.parse(k.format(k.def)); err != nil || back != k.def {
			t.Errorf("%s: default %#v formats as %q, which parses as %#v, %v", k.name, k.def, k.format(k.def), back, err)
		}
	}
	keys := New().Keys()
	if !slices.IsSorted(keys) || len(keys) != len(table) {
		t.Errorf("Keys() = %v, want all %d keys sorted", keys, len(table))
	}
	keys[0] = "changed"
	if New().Keys()[0] == "changed" {
		t.Error("Keys returned the table's own slice")
	}
}
