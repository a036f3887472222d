package config

import (
	"errors"
	"io/fs"
	"math"
	"strings"
	"testing"
	"time"
)

func TestLoadFile(t *testing.T) {
	p := writeFile(t, "dusk.yaml", `# dusk settings
worker:
  nthreads: 4
  memory:
    target: 0.45
    spill: false
    limit: 4GiB
    max-spill: 1e9
  transfer.chunk-size: 2MiB
  spill_directory: /scratch   # underscores are dashes
scheduler.worker-saturation: .inf
scheduler:
  work-stealing: no
  events:
  bandwidth: "1GB"
comm.token: 12345
comm.tls:
  cert: ~
dataframe.broadcast-threshold: 67108864
optimization:
  fuse: {active: false, max-height: 16.0}
`)
	c := New()
	if err := c.LoadFile(p); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		key  string
		want any
		line int
	}{
		{"worker.nthreads", 4, 3},
		{"worker.memory.target", 0.45, 5},
		{"worker.memory.spill", 0.0, 6},
		{"worker.memory.limit", int64(4 << 30), 7},
		{"worker.memory.max-spill", int64(1e9), 8},
		{"worker.transfer.chunk-size", int64(2 << 20), 9},
		{"worker.spill-directory", "/scratch", 10},
		{"scheduler.worker-saturation", math.Inf(1), 11},
		{"scheduler.work-stealing", false, 13},
		{"scheduler.bandwidth", int64(1e9), 15},
		{"comm.token", "12345", 16},
		{"comm.tls.cert", "", 18},
		{"dataframe.broadcast-threshold", int64(64 << 20), 19},
		{"optimization.fuse.active", false, 21},
		{"optimization.fuse.max-height", 16, 21},
	}
	for _, ck := range checks {
		got, _ := c.Get(ck.key)
		if got != ck.want {
			t.Errorf("%s = %#v, want %#v", ck.key, got, ck.want)
		}
		if src, want := c.Source(ck.key), (Source{Layer: LayerFile, File: p, Line: ck.line}); src != want {
			t.Errorf("Source(%s) = %v, want %v", ck.key, src, want)
		}
	}
	if got := c.Source("scheduler.events.capacity"); got.Layer != LayerDefault {
		t.Errorf("an empty section set a key: %v", got)
	}
}

// A later file overrides an earlier one key by key.
func TestLoadFileTwice(t *testing.T) {
	a := writeFile(t, "a.yaml", "worker.nthreads: 1\nworker.nanny: false\n")
	b := writeFile(t, "b.yaml", "\n\nworker.nthreads: 2\n")
	c := New()
	if err := c.LoadFile(a); err != nil {
		t.Fatal(err)
	}
	if err := c.LoadFile(b); err != nil {
		t.Fatal(err)
	}
	if c.Int("worker.nthreads") != 2 || c.Source("worker.nthreads").String() != "file "+b+":3" {
		t.Errorf("nthreads = %d from %v, want 2 from %s:3", c.Int("worker.nthreads"), c.Source("worker.nthreads"), b)
	}
	if c.Bool("worker.nanny") || c.Source("worker.nanny").String() != "file "+a+":2" {
		t.Errorf("nanny = %v from %v, want false from %s:2", c.Bool("worker.nanny"), c.Source("worker.nanny"), a)
	}
}

func TestLoadFileEmpty(t *testing.T) {
	for _, text := range []string{"", "# nothing yet\n", "~\n", "---\n"} {
		if err := New().LoadFile(writeFile(t, "dusk.yaml", text)); err != nil {
			t.Errorf("LoadFile(%q): %v", text, err)
		}
	}
}

func TestLoadFileMissing(t *testing.T) {
	err := New().LoadFile(t.TempDir() + "/absent.yaml")
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "absent.yaml") {
		t.Errorf("err = %v, want a not-exist error naming the file", err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // the lines of the message, "FILE" standing for the path
		unknown    *UnknownKeyError
		value      *ValueError
	}{
		{
			name: "unknown nested key",
			text: "worker:\n  memory:\n    targte: 0.5\n",
			want: []string{`config: unknown key "worker.memory.targte" (file FILE:3); did you mean "worker.memory.target"?`},
			unknown: &UnknownKeyError{Key: "worker.memory.targte", Suggestion: "worker.memory.target",
				Source: Source{Layer: LayerFile, Line: 3}},
		},
		{
			name: "unknown dotted key",
			text: "worker.nthreads: 1\nworker.nthread: 2\n",
			want: []string{`config: unknown key "worker.nthread" (file FILE:2); did you mean "worker.nthreads"?`},
		},
		{
			name: "unknown key, nothing close",
			text: "colour: blue\n",
			want: []string{`config: unknown key "colour" (file FILE:1); "dusk config" lists the known keys`},
		},
		{
			name: "wrong type",
			text: "worker:\n  nthreads: 4\n  memory:\n    target: lots\n",
			want: []string{`config: bad value "lots" for worker.memory.target (file FILE:4): want a fraction in (0, 1], or false to disable`},
			value: &ValueError{Key: "worker.memory.target", Value: "lots", Want: "a fraction in (0, 1], or false to disable",
				Source: Source{Layer: LayerFile, Line: 4}},
		},
		{
			name: "value on the next line",
			text: "scheduler.worker-ttl:\n  10\n",
			want: []string{`config: bad value "10" for scheduler.worker-ttl (file FILE:2): want a duration like 100ms or 2s`},
		},
		{
			name: "null for a number",
			text: "worker.nthreads:\n",
			want: []string{`config: bad value "" for worker.nthreads (file FILE:1): want a whole number, 0 or more`},
		},
		{
			name: "mapping for a key",
			text: "worker:\n  nthreads:\n    count: 4\n",
			want: []string{`config: bad value "(a mapping)" for worker.nthreads (file FILE:3): want a whole number, 0 or more`},
		},
		{
			name: "list for a key",
			text: "worker.resources: [GPU=1]\n",
			want: []string{`config: bad value "(a list)" for worker.resources (file FILE:1): want a list like GPU=1,MEM=2`},
		},
		{
			name: "value for a section",
			text: "worker:\n  memory: 0.5\n",
			want: []string{`config: bad value "0.5" for worker.memory (file FILE:2): want a mapping of worker.memory.* keys`},
		},
		{
			name: "list for a section",
			text: "worker:\n  - nthreads: 1\n",
			want: []string{`config: bad value "(a list)" for worker (file FILE:2): want a mapping of worker.* keys`},
		},
		{
			name: "set twice",
			text: "worker.nthreads: 1\nworker:\n  nthreads: 2\n",
			want: []string{`config: FILE: worker.nthreads is set twice, on lines 1 and 3; keep one`},
		},
		{
			name: "every error at once",
			text: "worker:\n  nthreads: -1\n  nany: true\nscheduler.bandwidth: 0\n",
			want: []string{
				`config: bad value "-1" for worker.nthreads (file FILE:2): want a whole number, 0 or more`,
				`config: unknown key "worker.nany" (file FILE:3); did you mean "worker.nanny"?`,
				`config: bad value "0" for scheduler.bandwidth (file FILE:4): want a byte size like 4GiB, 512MB or 1e9 greater than 0`,
			},
		},
		{
			name: "not a mapping",
			text: "- worker.nthreads: 1\n",
			want: []string{`config: FILE:1: want a mapping of keys to values at the top level`},
		},
		{
			name: "key that is not a name",
			text: "? [a, b]\n: 1\n",
			want: []string{`config: FILE:1: a key must be a plain name`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "dusk.yaml", tt.text)
			c := New()
			err := c.LoadFile(p)
			if err == nil {
				t.Fatal("no error")
			}
			want := strings.ReplaceAll(strings.Join(tt.want, "\n"), "FILE", p)
			if err.Error() != want {
				t.Errorf("error\n%s\nwant\n%s", err, want)
			}
			if tt.unknown != nil {
				var ue *UnknownKeyError
				tt.unknown.Source.File = p
				if !errors.As(err, &ue) || *ue != *tt.unknown {
					t.Errorf("UnknownKeyError = %+v, want %+v", ue, tt.unknown)
				}
			}
			if tt.value != nil {
				var ve *ValueError
				tt.value.Source.File = p
				if !errors.As(err, &ve) || ve.Key != tt.value.Key || ve.Value != tt.value.Value || ve.Want != tt.value.Want || ve.Source != tt.value.Source {
					t.Errorf("ValueError = %+v, want %+v", ve, tt.value)
				}
			}
			for _, k := range c.Keys() {
				if c.Source(k).Layer != LayerDefault {
					t.Errorf("a file with errors set %s", k)
				}
			}
		})
	}
}

func TestLoadFileSyntaxError(t *testing.T) {
	p := writeFile(t, "dusk.yaml", "worker:\n  nthreads: 1\n bad indent: [\n")
	err := New().LoadFile(p)
	if err == nil || !strings.HasPrefix(err.Error(), "config: reading "+p+": yaml: line ") {
		t.Errorf("err = %v, want a YAML error naming the file and line", err)
	}
}

// YAML anchors and aliases resolve to the values they name.
func TestLoadFileAlias(t *testing.T) {
	p := writeFile(t, "dusk.yaml", "worker:\n  heartbeat-interval: &slow 30s\ncomm.timeouts.connect: *slow\n")
	c := New()
	if err := c.LoadFile(p); err != nil {
		t.Fatal(err)
	}
	if got := c.Duration("comm.timeouts.connect"); got != 30*time.Second {
		t.Errorf("connect = %v, want 30s", got)
	}
}
