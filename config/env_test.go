package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEnvName(t *testing.T) {
	tests := []struct{ key, want string }{
		{"worker.memory.target", "DUSK_WORKER__MEMORY__TARGET"},
		{"worker.nthreads", "DUSK_WORKER__NTHREADS"},
		{"scheduler.work-stealing-interval", "DUSK_SCHEDULER__WORK_STEALING_INTERVAL"},
		{"comm.tls.ca", "DUSK_COMM__TLS__CA"},
		{"Worker.Memory_Limit", "DUSK_WORKER__MEMORY_LIMIT"}, // not a key; the mapping still applies
	}
	for _, tt := range tests {
		if got := EnvName(tt.key); got != tt.want {
			t.Errorf("EnvName(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestEnvKey(t *testing.T) {
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"DUSK_WORKER__MEMORY__TARGET", "worker.memory.target", true},
		{"dusk_worker__memory__target", "worker.memory.target", true},
		{"Dusk_Worker__Memory__Target", "worker.memory.target", true},
		{"DUSK_SCHEDULER__WORK_STEALING", "scheduler.work-stealing", true},
		{"DUSK_SCHEDULER__WORK-STEALING", "scheduler.work-stealing", true},
		{"DUSK_WORKER_MEMORY_TARGET", "worker-memory-target", true},
		{"DUSK_", "", true},
		{"DASK_WORKER__NTHREADS", "", false},
		{"DUSKY_WORKER__NTHREADS", "", false},
		{"DUS", "", false},
	}
	for _, tt := range tests {
		got, ok := envKey(tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("envKey(%q) = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLoadEnv(t *testing.T) {
	c := New()
	warns, err := c.loadEnv([]string{
		"PATH=/usr/bin",
		"DUSK_WORKER__MEMORY__TARGET=0.45",
		"dusk_worker__nthreads=6",
		"DUSK_SCHEDULER__WORK_STEALING_INTERVAL=250ms",
		"DUSK_WORKER__MEMORY__LIMIT=auto",
		"DUSK_WORKER__MEMORY__SPILL=false",
		"DUSK_COMM__TOKEN=",
		"DUSK_CONFIG=/nowhere/dusk.yaml",
		"DUSK_WORKER__MEMORY__TRAGET=0.5",
		"DUSK_WORKER_NTHREADS=2",
		"DUSK_TOTALLY_UNRELATED=1",
		"DASK_WORKER__NTHREADS=99",
		"malformed",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Float("worker.memory.target"); got != 0.45 {
		t.Errorf("target = %v, want 0.45", got)
	}
	if got := c.Int("worker.nthreads"); got != 6 {
		t.Errorf("nthreads = %v, want 6", got)
	}
	if got := c.Duration("scheduler.work-stealing-interval"); got != 250*time.Millisecond {
		t.Errorf("interval = %v", got)
	}
	if got := c.Float("worker.memory.spill"); got != 0 {
		t.Errorf("spill = %v, want disabled", got)
	}
	sources := map[string]string{
		"worker.memory.target":             "env DUSK_WORKER__MEMORY__TARGET",
		"worker.nthreads":                  "env dusk_worker__nthreads",
		"worker.memory.limit":              "env DUSK_WORKER__MEMORY__LIMIT",
		"comm.token":                       "env DUSK_COMM__TOKEN",
		"scheduler.work-stealing-interval": "env DUSK_SCHEDULER__WORK_STEALING_INTERVAL",
		"worker.memory.pause":              "default",
	}
	for k, want := range sources {
		if got := c.Source(k).String(); got != want {
			t.Errorf("Source(%s) = %q, want %q", k, got, want)
		}
	}
	want := []Warning{
		{Var: "DUSK_TOTALLY_UNRELATED"},
		{Var: "DUSK_WORKER_NTHREADS", Suggestion: "worker.nthreads"},
		{Var: "DUSK_WORKER__MEMORY__TRAGET", Suggestion: "worker.memory.target"},
	}
	if !slices.Equal(warns, want) {
		t.Errorf("warnings = %+v, want %+v", warns, want)
	}
	if got, want := warns[2].String(), "config: ignoring environment variable DUSK_WORKER__MEMORY__TRAGET: it names no known key; did you mean DUSK_WORKER__MEMORY__TARGET (worker.memory.target)?"; got != want {
		t.Errorf("warning text\n%s\nwant\n%s", got, want)
	}
	if got := warns[0].String(); !strings.HasSuffix(got, `; "dusk config" lists the known keys`) {
		t.Errorf("warning without a suggestion: %s", got)
	}
}

// A bad value is an error naming the variable; every bad variable is
// reported, and none of the good ones are applied.
func TestLoadEnvErrors(t *testing.T) {
	c := New()
	_, err := c.loadEnv([]string{
		"DUSK_WORKER__NTHREADS=4",
		"DUSK_WORKER__MEMORY__TARGET=1.5",
		"DUSK_SCHEDULER__WORKER_TTL=10",
	})
	var ve *ValueError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a *ValueError", err)
	}
	want := []string{
		`config: bad value "10" for scheduler.worker-ttl (env DUSK_SCHEDULER__WORKER_TTL): want a duration like 100ms or 2s`,
		`config: bad value "1.5" for worker.memory.target (env DUSK_WORKER__MEMORY__TARGET): want a fraction in (0, 1], or false to disable`,
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("error\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	if ve.Source != (Source{Layer: LayerEnv, Name: "DUSK_SCHEDULER__WORKER_TTL"}) || ve.Value != "10" {
		t.Errorf("first error = %+v", ve)
	}
	if src := c.Source("worker.nthreads"); src.Layer != LayerDefault {
		t.Errorf("a failed load applied a good variable: %v", src)
	}
}
