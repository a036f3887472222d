package config

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestFlagName(t *testing.T) {
	tests := []struct{ key, want string }{
		{"worker.memory.target", "memory-target"},
		{"worker.memory.limit", "memory-limit"},
		{"worker.nthreads", "nthreads"},
		{"scheduler.worker-saturation", "worker-saturation"},
		{"scheduler.events.capacity", "events-capacity"},
		{"comm.tls.cert", "tls-cert"},
		{"comm.timeouts.connect", "timeouts-connect"},
		{"dataframe.broadcast-threshold", "broadcast-threshold"},
		{"Worker.Spill_Directory", "spill-directory"},
	}
	for _, tt := range tests {
		if got := FlagName(tt.key); got != tt.want {
			t.Errorf("FlagName(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestBindFlags(t *testing.T) {
	keys := []string{"worker.nthreads", "worker.memory.limit", "worker.memory.target", "worker.memory.spill",
		"worker.nanny", "scheduler.work-stealing", "comm.timeouts.connect", "scheduler.worker-saturation", "scheduler.address"}
	tests := []struct {
		args []string
		want map[string]any // keys set by a flag, and their values
		rest []string
	}{
		{args: nil, want: map[string]any{}},
		{
			args: []string{"--nthreads", "4", "--memory-limit=8GiB", "-memory-target", "0.5"},
			want: map[string]any{"worker.nthreads": 4, "worker.memory.limit": int64(8 << 30), "worker.memory.target": 0.5},
		},
		{
			args: []string{"--memory-spill=false", "--memory-limit", "auto", "--timeouts-connect=250ms", "--worker-saturation=inf"},
			want: map[string]any{"worker.memory.spill": 0.0, "worker.memory.limit": AutoBytes,
				"comm.timeouts.connect": 250 * time.Millisecond, "scheduler.worker-saturation": inf()},
		},
		{
			args: []string{"--nanny=false", "--work-stealing", "--address", "0.0.0.0:9000", "run", "--nthreads=2"},
			want: map[string]any{"worker.nanny": false, "scheduler.work-stealing": true, "scheduler.address": "0.0.0.0:9000"},
			rest: []string{"run", "--nthreads=2"},
		},
		{
			args: []string{"--nthreads=2", "--nthreads=3"}, // the last one wins, as with any flag
			want: map[string]any{"worker.nthreads": 3},
		},
	}
	for _, tt := range tests {
		c := New()
		fs := newFlagSet()
		c.BindFlags(fs, keys...)
		if err := fs.Parse(tt.args); err != nil {
			t.Errorf("Parse(%q): %v", tt.args, err)
			continue
		}
		if rest := fs.Args(); strings.Join(rest, " ") != strings.Join(tt.rest, " ") {
			t.Errorf("Parse(%q) left %q, want %q", tt.args, rest, tt.rest)
		}
		for _, k := range keys {
			got, _ := c.Get(k)
			src := c.Source(k)
			want, set := tt.want[k]
			switch {
			case !set && src.Layer != LayerDefault:
				t.Errorf("Parse(%q): %s came from %v, but its flag was not given", tt.args, k, src)
			case set && (got != want || src != Source{Layer: LayerFlag, Name: "--" + FlagName(k)}):
				t.Errorf("Parse(%q): %s = %#v from %v, want %#v from --%s", tt.args, k, got, src, want, FlagName(k))
			}
		}
	}
}

func inf() float64 { return math.Inf(1) }

func TestBindFlagsBadValue(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--memory-target=1.5"}, `invalid value "1.5" for flag -memory-target: want a fraction in (0, 1], or false to disable`},
		{[]string{"--nthreads", "many"}, `invalid value "many" for flag -nthreads: want a whole number, 0 or more`},
		{[]string{"--nanny=perhaps"}, `invalid boolean value "perhaps" for -nanny: want true or false`},
		{[]string{"--memory-limit", "-5"}, `invalid value "-5" for flag -memory-limit: want a byte size like 4GiB, 512MB or 1e9, or auto`},
		{[]string{"--nthreads"}, `flag needs an argument: -nthreads`},
		{[]string{"--memory-targte=0.5"}, `flag provided but not defined: -memory-targte`},
	}
	for _, tt := range tests {
		c := New()
		fs := newFlagSet()
		c.BindFlags(fs, "worker.memory.target", "worker.nthreads", "worker.nanny", "worker.memory.limit")
		err := fs.Parse(tt.args)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) = %v, want %q", tt.args, err, tt.want)
		}
		for _, k := range c.Keys() {
			if c.Source(k).Layer != LayerDefault {
				t.Errorf("Parse(%q) set %s", tt.args, k)
			}
		}
	}
}

// With no keys, BindFlags binds them all; the usage text shows each key's
// doc line and the value the Config held when the flags were bound.
func TestBindFlagsAll(t *testing.T) {
	c := New()
	if err := c.Set("worker.memory.limit", "16GiB"); err != nil {
		t.Fatal(err)
	}
	fs := newFlagSet()
	c.BindFlags(fs)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n != len(table) {
		t.Errorf("bound %d flags, want %d", n, len(table))
	}
	var usage bytes.Buffer
	fs.SetOutput(&usage)
	fs.PrintDefaults()
	for _, want := range []string{
		"  -memory-limit value\n    \tMemory a worker may use; auto derives it from the machine's memory. (default 16 GiB)\n",
		"  -nanny\n    \tWhether a nanny process supervises the worker and restarts it. (default true)\n",
		"  -spill-directory value\n    \tDirectory for spilled data; empty means the OS temporary directory.\n",
	} {
		if !strings.Contains(usage.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, usage.String())
		}
	}
}

func TestBindFlagsPanics(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want string
	}{
		{"unknown key", []string{"worker.nthread"}, `unknown key "worker.nthread"; did you mean "worker.nthreads"?`},
		{"bound twice", []string{"worker.nthreads", "worker.nthreads"}, "flag redefined: nthreads"},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), tt.want) {
					t.Errorf("%s: panic %v, want one saying %q", tt.name, r, tt.want)
				}
			}()
			New().BindFlags(newFlagSet(), tt.keys...)
		}()
	}
}
