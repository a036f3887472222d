package dusk_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/config"
)

// fStrLen returns the length of s.
var fStrLen = dusk.Register("it.strlen", func(s string) int { return len(s) })

// fBlob returns n zero bytes: a result of a known size.
var fBlob = dusk.Register("it.blob", func(n int) []byte { return make([]byte, n) })

// clientWith starts a local cluster whose client has the settings kv.
func clientWith(t *testing.T, ctx context.Context, kv ...string) *dusk.Client {
	t.Helper()
	cfg := config.New()
	for i := 0; i < len(kv); i += 2 {
		if err := cfg.Set(kv[i], kv[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	return newCluster(t, ctx, dusk.LocalConfig(cfg), dusk.LocalWorkers(1))
}

// adviceNow returns the findings once the scheduler has every message the
// client sent so far: a task submitted after them finishes only once the
// scheduler has read what came before it on the client's stream.
func adviceNow(t *testing.T, ctx context.Context, c *dusk.Client) []dusk.Finding {
	t.Helper()
	f, err := dusk.Submit[int](ctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Result(ctx); err != nil {
		t.Fatal(err)
	}
	f.Release()
	fnd, err := c.Advise(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return fnd
}

// A graph of more tasks than advisor.large-graph.tasks is a finding made
// before it is sent, naming the prefix with the most tasks and the
// partition count that brings the graph under; the graph still runs. The
// twin, under the threshold, is not.
func TestLargeGraphFinding(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := clientWith(t, ctx, "advisor.large-graph.tasks", "100")
	items := make([]int, 300)
	fs, err := dusk.Map[int](ctx, c, fInc, items)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := dusk.Gather(ctx, fs)
	if err != nil || len(vals) != 300 || vals[299] != 1 {
		t.Fatalf("the large graph did not run: %d results, %v", len(vals), err)
	}
	f := findingOf(adviceNow(t, ctx, c), "large-graph")
	if f == nil || f.Severity != "warning" {
		t.Fatalf("no large-graph warning for 300 tasks over a limit of 100")
	}
	t.Log(f.Message)
	for _, want := range []string{"300 tasks", "advisor.large-graph.tasks (100)", "300 of its tasks are it.inc", "300 partitions → 100"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("the finding %q does not say %q", f.Message, want)
		}
	}

	twin := clientWith(t, ctx, "advisor.large-graph.tasks", "100")
	fs, err = dusk.Map[int](ctx, twin, fInc, make([]int, 100))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dusk.Gather(ctx, fs); err != nil {
		t.Fatal(err)
	}
	if f := findingOf(adviceNow(t, ctx, twin), "large-graph"); f != nil {
		t.Fatalf("a graph of 100 tasks (the limit) was found large: %s", f.Message)
	}
}

// A graph whose tasks encode to more than advisor.large-graph.bytes is a
// finding too, with the bytes.
func TestLargeGraphBytesFinding(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := clientWith(t, ctx, "advisor.large-graph.bytes", "4KiB")
	items := make([]string, 64)
	for i := range items {
		items[i] = strings.Repeat("x", 200)
	}
	fs, err := dusk.Map[int](ctx, c, fStrLen, items)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dusk.Gather(ctx, fs); err != nil {
		t.Fatal(err)
	}
	f := findingOf(adviceNow(t, ctx, c), "large-graph")
	if f == nil || !strings.Contains(f.Message, "advisor.large-graph.bytes (4 KiB)") || !strings.Contains(f.Message, "64 partitions →") {
		t.Fatalf("want a large-graph finding over 4 KiB of tasks, got %+v", f)
	}
}

// Gathering more than advisor.large-gather.bytes is a finding that names
// the line that gathered, with the bytes; gathering less is not.
func TestLargeGatherFinding(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := clientWith(t, ctx, "advisor.large-gather.bytes", "1MiB")
	small, err := dusk.Map[[]byte](ctx, c, fBlob, []int{100 << 10, 100 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dusk.Gather(ctx, small); err != nil {
		t.Fatal(err)
	}
	if f := findingOf(adviceNow(t, ctx, c), "large-gather"); f != nil {
		t.Fatalf("gathering 200 KiB under a limit of 1 MiB was found large: %s", f.Message)
	}
	big, err := dusk.Map[[]byte](ctx, c, fBlob, []int{1 << 20, 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	_, _, line, _ := runtime.Caller(0)
	vals, err := dusk.Gather(ctx, big) // the line the finding names
	if err != nil || len(vals[1]) != 1<<20 {
		t.Fatalf("gather: %v", err)
	}
	f := findingOf(adviceNow(t, ctx, c), "large-gather")
	if f == nil || f.Severity != "warning" {
		t.Fatal("no large-gather warning for 2 MiB over a limit of 1 MiB")
	}
	t.Log(f.Message)
	for _, want := range []string{fmt.Sprintf("largefindings_test.go:%d", line+1), "MiB", "2 results", "ToParquet"} {
		if !strings.Contains(f.Message+" "+f.Advice, want) {
			t.Errorf("the finding %q (%q) does not say %q", f.Message, f.Advice, want)
		}
	}
}
