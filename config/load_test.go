package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// homeFile writes the user's config file under a fresh home directory and
// returns the directory and the file's path.
func homeFile(t *testing.T, text string) (home, path string) {
	t.Helper()
	home = t.TempDir()
	path = filepath.Join(home, ".config", "dusk", "dusk.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return home, path
}

// All five layers at once: each key is set in every layer from the file up
// to some layer, and the highest of those must win.
func TestPrecedence(t *testing.T) {
	resetDefault(t)
	home, homePath := homeFile(t, `worker:
  nthreads: 1
  heartbeat-interval: 1s
  memory.target: 0.1
  transfer.max-connections: 11
scheduler.allowed-failures: 7
`)
	dir := t.TempDir()
	dirPath := filepath.Join(dir, "dusk.yaml")
	if err := os.WriteFile(dirPath, []byte("worker.nthreads: 2\nworker.memory.target: 0.2\nworker.transfer.max-connections: 12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Set("worker.transfer.max-connections", 15); err != nil { // code, through Default
		t.Fatal(err)
	}
	l := Loader{
		Home: home,
		Dir:  dir,
		Environ: []string{
			"DUSK_WORKER__NTHREADS=3",
			"DUSK_WORKER__MEMORY__TARGET=0.3",
			"DUSK_WORKER__TRANSFER__MAX_CONNECTIONS=13",
			"DUSK_WORKER__HEARTBEAT_INTERVAL=3s",
		},
	}
	c, warns, err := l.Load()
	if err != nil || len(warns) > 0 {
		t.Fatalf("Load: %v, %v", warns, err)
	}
	fs := newFlagSet()
	c.BindFlags(fs, "worker.nthreads", "worker.memory.target", "worker.transfer.max-connections", "worker.memory.pause")
	if err := fs.Parse([]string{"--nthreads=4", "--memory-target=0.4", "--transfer-max-connections=14"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("worker.memory.target", 0.5); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		key    string
		want   any
		source string
	}{
		{"worker.memory.target", 0.5, "code"},                                      // file, file, env, flag, code
		{"worker.transfer.max-connections", 15, "code"},                            // file, file, env, flag, code (before Load)
		{"worker.nthreads", 4, "flag --nthreads"},                                  // file, file, env, flag
		{"worker.heartbeat-interval", "3s", "env DUSK_WORKER__HEARTBEAT_INTERVAL"}, // file, env
		{"scheduler.allowed-failures", 7, "file " + homePath + ":6"},               // home file only
		{"worker.memory.pause", 0.8, "default"},                                    // bound, not given
		{"worker.memory.spill", 0.7, "default"},                                    // nowhere
	}
	for _, tt := range tests {
		got, _ := c.Get(tt.key)
		if s, ok := tt.want.(string); ok {
			tt.want, _ = byName[tt.key].parse(s)
		}
		if got != tt.want || c.Source(tt.key).String() != tt.source {
			t.Errorf("%s = %#v from %q, want %#v from %q", tt.key, got, c.Source(tt.key), tt.want, tt.source)
		}
	}

	// The layers underneath are still there: a clone without the top ones
	// shows them. Drop code, then flags, then env, for worker.memory.target.
	d := c.Clone()
	for _, step := range []struct {
		drop   Layer
		want   float64
		source string
	}{
		{LayerCode, 0.4, "flag --memory-target"},
		{LayerFlag, 0.3, "env DUSK_WORKER__MEMORY__TARGET"},
		{LayerEnv, 0.2, "file " + dirPath + ":2"},
		{LayerFile, 0.6, "default"},
	} {
		d.layers[step.drop] = nil
		if got, src := d.Float("worker.memory.target"), d.Source("worker.memory.target").String(); got != step.want || src != step.source {
			t.Errorf("without %v and above: target = %v from %q, want %v from %q", step.drop, got, src, step.want, step.source)
		}
	}
}

// DUSK_CONFIG replaces both usual files.
func TestLoadDuskConfig(t *testing.T) {
	resetDefault(t)
	home, _ := homeFile(t, "worker.nthreads: 1\nworker.nanny: false\n")
	explicit := writeFile(t, "elsewhere.yaml", "worker.nthreads: 9\n")
	c, _, err := Loader{Home: home, Dir: t.TempDir(), Environ: []string{"DUSK_CONFIG=" + explicit}}.Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Int("worker.nthreads") != 9 || c.Source("worker.nthreads").File != explicit {
		t.Errorf("nthreads = %d from %v, want 9 from %s", c.Int("worker.nthreads"), c.Source("worker.nthreads"), explicit)
	}
	if !c.Bool("worker.nanny") {
		t.Error("the home file was read although DUSK_CONFIG named another")
	}
}

func TestLoadErrors(t *testing.T) {
	resetDefault(t)
	bad := writeFile(t, "dusk.yaml", "worker.nthreads: x\n")
	tests := []struct {
		name   string
		loader Loader
		want   string
		is     error
	}{
		{
			name:   "DUSK_CONFIG names a missing file",
			loader: Loader{Home: t.TempDir(), Dir: t.TempDir(), Environ: []string{"DUSK_CONFIG=/no/such/dusk.yaml"}},
			want:   "config: open /no/such/dusk.yaml: no such file or directory",
			is:     fs.ErrNotExist,
		},
		{
			name:   "bad file",
			loader: Loader{Home: t.TempDir(), Dir: filepath.Dir(bad), Environ: []string{}},
			want:   `config: bad value "x" for worker.nthreads (file ` + bad + `:1): want a whole number, 0 or more`,
		},
		{
			name:   "bad variable",
			loader: Loader{Home: t.TempDir(), Dir: t.TempDir(), Environ: []string{"DUSK_WORKER__NANNY=sometimes", "DUSK_WORKER__NANY=1"}},
			want:   `config: bad value "sometimes" for worker.nanny (env DUSK_WORKER__NANNY): want true or false`,
		},
	}
	for _, tt := range tests {
		c, _, err := tt.loader.Load()
		if c != nil || err == nil || err.Error() != tt.want {
			t.Errorf("%s: Load = %v, %v; want the error %q", tt.name, c, err, tt.want)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: %v is not %v", tt.name, err, tt.is)
		}
	}
}

// Without files or variables, Load gives the defaults; a missing usual file
// is not an error.
func TestLoadNothing(t *testing.T) {
	resetDefault(t)
	c, warns, err := Loader{Home: t.TempDir(), Dir: t.TempDir(), Environ: []string{}}.Load()
	if err != nil || len(warns) > 0 {
		t.Fatal(warns, err)
	}
	for _, k := range c.Keys() {
		if c.Source(k).Layer != LayerDefault {
			t.Errorf("%s came from %v", k, c.Source(k))
		}
	}
}

// A nil Environ reads the process environment.
func TestLoadProcessEnvironment(t *testing.T) {
	resetDefault(t)
	t.Setenv("DUSK_WORKER__NTHREADS", "5")
	t.Setenv("DUSK_WORKER__NTHRAEDS", "5")
	c, warns, err := Loader{Home: t.TempDir(), Dir: t.TempDir()}.Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Int("worker.nthreads") != 5 {
		t.Errorf("nthreads = %d, want 5", c.Int("worker.nthreads"))
	}
	found := false
	for _, w := range warns {
		if w.Var == "DUSK_WORKER__NTHRAEDS" && w.Suggestion == "worker.nthreads" {
			found = true
		}
	}
	if !found {
		t.Errorf("warnings %v lack DUSK_WORKER__NTHRAEDS", warns)
	}
}

// The files Load looks for.
func TestLoaderFiles(t *testing.T) {
	tests := []struct {
		l    Loader
		env  []string
		want []configFile
	}{
		{Loader{Home: "/h", Dir: "/d"}, nil, []configFile{{"/h/.config/dusk/dusk.yaml", false}, {"/d/dusk.yaml", false}}},
		{Loader{Home: "/h"}, nil, []configFile{{"/h/.config/dusk/dusk.yaml", false}, {"dusk.yaml", false}}},
		{Loader{Home: "/h", Dir: "/d"}, []string{"DUSK_CONFIG=/etc/dusk.yaml"}, []configFile{{"/etc/dusk.yaml", true}}},
		{Loader{Home: "/h", Dir: "/d"}, []string{"DUSK_CONFIG="}, []configFile{{"/h/.config/dusk/dusk.yaml", false}, {"/d/dusk.yaml", false}}},
	}
	for _, tt := range tests {
		got := tt.l.files(tt.env)
		if strings.Join(fileNames(got), ",") != strings.Join(fileNames(tt.want), ",") || got[0].required != tt.want[0].required {
			t.Errorf("%+v with %q: files = %v, want %v", tt.l, tt.env, got, tt.want)
		}
	}
}

func fileNames(fs []configFile) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.path)
	}
	return out
}
