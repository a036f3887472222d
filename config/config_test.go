package config

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestZeroConfigHoldsDefaults(t *testing.T) {
	var c Config
	if got := c.Int("scheduler.allowed-failures"); got != 3 {
		t.Errorf("zero Config: allowed-failures = %d, want 3", got)
	}
	if src := c.Source("scheduler.allowed-failures"); src != (Source{Layer: LayerDefault}) {
		t.Errorf("zero Config: source = %v, want default", src)
	}
}

func TestUnknownKey(t *testing.T) {
	c := New()
	tests := []struct {
		key, suggestion, msg string
	}{
		{"worker.memory.targte", "worker.memory.target", `config: unknown key "worker.memory.targte"; did you mean "worker.memory.target"?`},
		{"worker.memory", "", `config: unknown key "worker.memory"; "dusk config" lists the known keys`},
		{"nope", "", `config: unknown key "nope"; "dusk config" lists the known keys`},
	}
	for _, tt := range tests {
		for name, err := range map[string]error{
			"Set": c.Set(tt.key, 1),
			"Get": func() error { _, err := c.Get(tt.key); return err }(),
		} {
			var ue *UnknownKeyError
			if !errors.As(err, &ue) {
				t.Errorf("%s(%q) = %v, want an *UnknownKeyError", name, tt.key, err)
				continue
			}
			if ue.Key != tt.key || ue.Suggestion != tt.suggestion || err.Error() != tt.msg {
				t.Errorf("%s(%q) = %+v %q, want suggestion %q, message %q", name, tt.key, ue, err, tt.suggestion, tt.msg)
			}
		}
	}
}

// Keys match whatever their case, and "_" for "-".
func TestKeySpellings(t *testing.T) {
	c := New()
	if err := c.Set("Worker.Memory.Monitor_Interval", "1s"); err != nil {
		t.Fatal(err)
	}
	if got := c.Duration("worker.memory.monitor-interval"); got != time.Second {
		t.Errorf("got %v, want 1s", got)
	}
	if got, err := c.Get("WORKER.MEMORY.MONITOR-INTERVAL"); err != nil || got != time.Second {
		t.Errorf("Get = %v, %v", got, err)
	}
}

func TestGetterPanics(t *testing.T) {
	c := New()
	tests := []struct {
		name string
		call func()
		want string
	}{
		{"unknown key", func() { c.Float("worker.memory.targte") }, `unknown key "worker.memory.targte"; did you mean "worker.memory.target"?`},
		{"unknown Source", func() { c.Source("nope") }, `unknown key "nope"`},
		{"Int on a float", func() { c.Int("worker.memory.target") }, "worker.memory.target is of type fraction, not int"},
		{"Float on an int", func() { c.Float("worker.nthreads") }, "worker.nthreads is of type int, not float"},
		{"Bytes on a duration", func() { c.Bytes("scheduler.worker-ttl") }, "is of type duration, not byte size"},
		{"String on bytes", func() { c.String("worker.memory.limit") }, "is of type byte size, not string"},
		{"Bool on a string", func() { c.Bool("scheduler.address") }, "is of type string, not bool"},
		{"Duration on a bool", func() { c.Duration("worker.nanny") }, "is of type bool, not duration"},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), tt.want) {
					t.Errorf("%s: panic %v, want one saying %q", tt.name, r, tt.want)
				}
			}()
			tt.call()
		}()
	}
}

func TestTypedGetters(t *testing.T) {
	c := New()
	for key, v := range map[string]any{
		"scheduler.worker-saturation": "inf",
		"worker.memory.spill":         false,
		"worker.nthreads":             4,
		"worker.nanny":                false,
		"worker.spill-directory":      "/scratch",
		"comm.timeouts.connect":       "3s",
		"worker.memory.limit":         "8GiB",
	} {
		if err := c.Set(key, v); err != nil {
			t.Fatalf("Set(%s, %v): %v", key, v, err)
		}
	}
	if got := c.Float("scheduler.worker-saturation"); got <= 1e308 {
		t.Errorf("worker-saturation = %v, want +Inf", got)
	}
	if got := c.Float("worker.memory.spill"); got != 0 {
		t.Errorf("disabled spill = %v, want 0", got)
	}
	if got, _ := c.Get("worker.memory.spill"); got != 0.0 {
		t.Errorf("Get(disabled spill) = %#v, want 0.0", got)
	}
	if got := c.Int("worker.nthreads"); got != 4 {
		t.Errorf("nthreads = %d", got)
	}
	if got := c.Bool("worker.nanny"); got {
		t.Error("nanny = true")
	}
	if got := c.String("worker.spill-directory"); got != "/scratch" {
		t.Errorf("spill-directory = %q", got)
	}
	if got := c.Duration("comm.timeouts.connect"); got != 3*time.Second {
		t.Errorf("connect = %v", got)
	}
	if got := c.Bytes("worker.memory.limit"); got != 8<<30 {
		t.Errorf("limit = %d", got)
	}
}

func TestCloneIsASnapshot(t *testing.T) {
	c := New()
	if err := c.LoadFile(writeFile(t, "dusk.yaml", "worker.nthreads: 2\n")); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("worker.nanny", false); err != nil {
		t.Fatal(err)
	}
	d := c.Clone()
	if d.Int("worker.nthreads") != 2 || d.Source("worker.nthreads").Layer != LayerFile || d.Bool("worker.nanny") {
		t.Fatalf("the clone lost values or sources: nthreads %d from %v, nanny %v",
			d.Int("worker.nthreads"), d.Source("worker.nthreads"), d.Bool("worker.nanny"))
	}
	if err := c.Set("worker.nthreads", 8); err != nil {
		t.Fatal(err)
	}
	if err := d.Set("worker.nanny", true); err != nil {
		t.Fatal(err)
	}
	if got := d.Int("worker.nthreads"); got != 2 {
		t.Errorf("a change to the original reached the clone: nthreads = %d", got)
	}
	if got := c.Bool("worker.nanny"); got {
		t.Error("a change to the clone reached the original")
	}
}

// Run with -race: readers and writers of one Config, and clones, at once.
func TestConcurrentUse(t *testing.T) {
	c := New()
	fs := newFlagSet()
	c.BindFlags(fs, "worker.nthreads")
	fv := fs.Lookup("nthreads").Value // a FlagSet is not safe for concurrent use; its values are
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				switch g % 4 {
				case 0:
					if err := c.Set("worker.nthreads", i); err != nil {
						t.Error(err)
						return
					}
				case 1:
					_ = c.Int("worker.nthreads")
					_ = c.Source("worker.nthreads")
					_, _ = c.Get("worker.memory.target")
				case 2:
					d := c.Clone()
					_ = d.Set("worker.memory.target", 0.5)
					_ = d.Validate()
					_ = c.Print(io.Discard)
				case 3:
					_ = fv.Set(fmt.Sprint(i))
					_ = fv.String()
				}
			}
		})
	}
	wg.Wait()
	if got := c.Int("worker.nthreads"); got != 199 {
		t.Errorf("after the writers, nthreads = %d, want 199 from the code layer", got)
	}
}
