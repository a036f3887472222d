// Package benchcheck runs a benchmark's workload under a performance
// report and fails the test if the advisor has a warning or a problem
// about it: the benchmarks in bench/ are meant to be well tuned, and CI
// checks that the advisor agrees.
package benchcheck

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dusk-go/dusk"
)

// TimeRules are the rules measured in wall time against the machine's
// load (threads idle for part of the run): a short check-sized run on a
// busy CI machine may trip them by luck, so Check leaves them out.
var TimeRules = []string{"idle-workers"}

// Check runs f under a performance report on c and fails t for each
// finding of severity warning or problem, except those of the rules in
// allow (each allowed rule says, in the caller, why the benchmark trips
// it on purpose) and of TimeRules. Findings of severity info (spilling
// within bounds, recomputed tasks) and fixed (an automatic fix that
// acted) are logged, not failed.
func Check(t *testing.T, ctx context.Context, c *dusk.Client, name string, f func(ctx context.Context) error, allow ...string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := c.PerformanceReport(ctx, path, func() error { return f(ctx) }); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	fs, err := findings(filepath.Join(filepath.Dir(path), "report.json"))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, f := range fs {
		serious := f.Severity == "warning" || f.Severity == "problem"
		if !serious || slices.Contains(allow, f.Rule) || slices.Contains(TimeRules, f.Rule) {
			t.Logf("%s: advisor [%s] %s: %s", name, f.Severity, f.Rule, f.Message)
			continue
		}
		t.Errorf("%s: advisor [%s] %s: %s", name, f.Severity, f.Rule, f.Message)
	}
}

// findings reads the advisor's findings from a report's JSON.
func findings(path string) ([]dusk.Finding, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the performance report: %w", err)
	}
	var d struct{ Findings []dusk.Finding }
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	return d.Findings, nil
}
