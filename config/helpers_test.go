package config

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// writeFile writes text to name in a fresh temporary directory and returns
// its path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// newFlagSet returns a flag set that reports errors instead of exiting,
// and prints nothing.
func newFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("dusk", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}
