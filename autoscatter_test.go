package dusk_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/config"
)

// fLookup sums the table's values for the keys k0..k(n-1).
var fLookup = dusk.Register("it.lookup", func(table map[string]int, n int) int {
	s := 0
	for i := range n {
		s += table["k"+itoa(i)]
	}
	return s
})

func bigTable(n int) map[string]int {
	m := make(map[string]int, n)
	for i := range n {
		m["k"+itoa(i)] = i
	}
	return m
}

// autoScattered counts the client's futures of auto-scattered values.
func autoScattered(c *dusk.Client) int {
	n := 0
	for _, k := range c.Futures() {
		if strings.HasPrefix(string(k.Key()), "auto_scatter-") {
			n++
		}
	}
	return n
}

// The guide's bad pattern: 20 delayed tasks that each take a large map as a
// literal. Auto-scatter places the map once and the tasks refer to it; the
// results are the same, and the scattered value lives as long as the
// futures that need it.
func TestAutoScatterLargeLiteral(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	table := bigTable(200_000) // about 3 MB encoded
	want := 0
	for i := range 10 {
		want += i
	}
	for _, active := range []bool{true, false} {
		cfg := config.New()
		if err := cfg.Set("optimization.auto-scatter.active", active); err != nil {
			t.Fatal(err)
		}
		c := newCluster(t, ctx, dusk.LocalConfig(cfg))
		var ds []dusk.Lazy
		for range 20 {
			ds = append(ds, dusk.Call[int](fLookup, table, 10))
		}
		fs, err := dusk.PersistAll(ctx, c, ds)
		if err != nil {
			t.Fatal(err)
		}
		if n := autoScattered(c); active && n != 1 || !active && n != 0 {
			t.Fatalf("auto-scatter %v: %d values scattered; want %d", active, n, map[bool]int{true: 1, false: 0}[active])
		}
		for _, f := range fs {
			v, err := f.Result(ctx)
			if err != nil || fmt.Sprint(v) != fmt.Sprint(want) {
				t.Fatalf("auto-scatter %v: a task gave %v, %v; want %d", active, v, err, want)
			}
		}
		// The fix (or, switched off, the finding) is in the advisor's
		// findings, and in a performance report of a stretch of code that
		// submits such tasks: the client recorded it before sending the
		// graph.
		fnd, err := c.Advise(ctx)
		if err != nil {
			t.Fatal(err)
		}
		d := reportOn(t, ctx, c, func() error {
			_, err := dusk.Compute(ctx, c, dusk.Call[int](fLookup, table, 5))
			return err
		})
		if f := findingOf(d.Findings, map[bool]string{true: "auto-scatter", false: "large-argument"}[active]); f == nil {
			t.Fatalf("auto-scatter %v: the performance report does not show it: %+v", active, d.Findings)
		}
		rule, sev := map[bool]string{true: "auto-scatter", false: "large-argument"}[active], map[bool]string{true: "fixed", false: "warning"}[active]
		if f := findingOf(fnd, rule); f == nil || f.Severity != sev || !strings.Contains(f.Message, "MiB") {
			t.Fatalf("auto-scatter %v: want a %s finding %q naming the size, got %+v", active, sev, rule, fnd)
		}
		// Releasing the results lets the scattered value go.
		for _, f := range fs {
			f.Release()
		}
		waitUntil(t, ctx, "the scattered value is released with the futures that need it", func() bool {
			return autoScattered(c) == 0
		})
	}
}

// A value under the threshold passed once travels with its task; Submit
// of one above it scatters it.
func TestAutoScatterThreshold(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(1))
	f, err := dusk.Submit[int](ctx, c, fLookup, bigTable(100), 3)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 3 {
		t.Fatalf("small: %v, %v", v, err)
	}
	if n := autoScattered(c); n != 0 {
		t.Fatalf("a small literal was scattered (%d)", n)
	}
	g, err := dusk.Submit[int](ctx, c, fLookup, bigTable(200_000), 3)
	if err != nil {
		t.Fatal(err)
	}
	if n := autoScattered(c); n != 1 {
		t.Fatalf("a large literal: %d values scattered, want 1", n)
	}
	if v, err := g.Result(ctx); err != nil || v != 3 {
		t.Fatalf("large: %v, %v", v, err)
	}
}

// findingOf returns the finding of rule among fs, or nil.
func findingOf(fs []dusk.Finding, rule string) *dusk.Finding {
	for i := range fs {
		if fs[i].Rule == rule {
			return &fs[i]
		}
	}
	return nil
}
