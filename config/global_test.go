package config

import (
	"errors"
	"testing"
)

// resetDefault empties the process-wide Config now and after the test.
// Tests that use it must not run in parallel.
func resetDefault(t *testing.T) {
	t.Helper()
	reset := func() {
		std.mu.Lock()
		std.layers = [numLayers]map[string]entry{}
		std.mu.Unlock()
	}
	reset()
	t.Cleanup(reset)
}

func TestDefaultAndSet(t *testing.T) {
	resetDefault(t)
	if Default() != Default() {
		t.Fatal("Default returned two Configs")
	}
	if err := Set("worker.nthreads", 3); err != nil {
		t.Fatal(err)
	}
	if got := Default().Int("worker.nthreads"); got != 3 {
		t.Errorf("Default nthreads = %d, want 3", got)
	}
	var ue *UnknownKeyError
	if err := Set("worker.nthread", 3); !errors.As(err, &ue) || ue.Suggestion != "worker.nthreads" {
		t.Errorf("Set(unknown) = %v", err)
	}

	// Load takes the code layer from Default, above the environment; what is
	// set after Load does not reach the loaded Config.
	c, _, err := Loader{Home: t.TempDir(), Dir: t.TempDir(), Environ: []string{"DUSK_WORKER__NTHREADS=8"}}.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got, src := c.Int("worker.nthreads"), c.Source("worker.nthreads"); got != 3 || src.Layer != LayerCode {
		t.Errorf("loaded nthreads = %d from %v, want 3 from code", got, src)
	}
	if err := Set("worker.nthreads", 5); err != nil {
		t.Fatal(err)
	}
	if got := c.Int("worker.nthreads"); got != 3 {
		t.Errorf("a Set after Load reached the loaded Config: %d", got)
	}
}
