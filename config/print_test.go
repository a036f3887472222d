package config

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/print.golden")

// Print shows every key with its value and source; testdata/print.golden
// holds the expected text (go test -run Print -update rewrites it).
func TestPrint(t *testing.T) {
	c := New()
	batch, err := parseFile("dusk.yaml", []byte("worker:\n  memory:\n    limit: 6GiB\n    spill: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	c.put(LayerFile, batch)
	if _, err := c.loadEnv([]string{"DUSK_SCHEDULER__WORKER_SATURATION=inf", "DUSK_COMM__TOKEN=s3cret"}); err != nil {
		t.Fatal(err)
	}
	fs := newFlagSet()
	c.BindFlags(fs, "worker.nthreads", "worker.spill-directory")
	if err := fs.Parse([]string{"--nthreads=8", "--spill-directory=/scratch/dusk"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("dataframe.partition-size", "200MB"); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := c.Print(&out); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "print.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("Print wrote\n%s\nwant\n%s", out.String(), want)
	}

	// Every row has its columns at the header's offsets, and the token's
	// value does not appear.
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(table)+1 {
		t.Errorf("%d lines, want a header and %d keys", len(lines), len(table))
	}
	valueAt, sourceAt := strings.Index(lines[0], "VALUE"), strings.Index(lines[0], "SOURCE")
	for _, l := range lines[1:] {
		if l[valueAt-1] != ' ' || l[valueAt] == ' ' || l[sourceAt-1] != ' ' || l[sourceAt] == ' ' {
			t.Errorf("misaligned row %q", l)
		}
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Error("Print showed the token")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestPrintWriteError(t *testing.T) {
	if err := New().Print(failingWriter{}); err == nil || err.Error() != "disk full" {
		t.Errorf("Print = %v, want the writer's error", err)
	}
}
