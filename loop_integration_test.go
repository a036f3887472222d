package dusk_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
)

// TestComputeInALoopWarns calls Compute in a loop, the guide's first
// "don't": the client's log says so, naming this file's line.
func TestComputeInALoopWarns(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	var buf syncBuffer
	c := newCluster(t, ctx, dusk.Logger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	dusk.SetLoopWindow(c, time.Hour) // a slow machine must not make the loop look slow
	sum := 0
	for i := range 60 {
		v, err := dusk.Compute(ctx, c, dusk.Call[int](fInc, i))
		if err != nil {
			t.Fatal(err)
		}
		sum += v
	}
	if sum != 60*61/2 {
		t.Fatalf("sum %d", sum)
	}
	if out := buf.String(); !strings.Contains(out, "dusk.Compute is called in a loop") || !strings.Contains(out, "loop_integration_test.go:") {
		t.Fatalf("no warning naming this line in the client's log:\n%s", out)
	}
}

// TestAdviseOnALiveCluster runs many tiny tasks, then asks the advisor
// about the cluster's recent past, without a report.
func TestAdviseOnALiveCluster(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	if fs, err := c.Advise(ctx); err != nil || len(fs) != 0 {
		t.Fatalf("a fresh cluster: findings %+v, %v", fs, err)
	}
	xs := make([]int, 1200)
	for i := range xs {
		xs[i] = i
	}
	fs, err := dusk.Map[int](ctx, c, fInc, xs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dusk.Gather(ctx, fs); err != nil {
		t.Fatal(err)
	}
	found, err := c.Advise(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		if f.Rule == "tiny-tasks" && strings.Contains(f.Message, "1200 tasks of it.inc") {
			return
		}
	}
	t.Fatalf("no tiny-tasks finding about it.inc: %+v", found)
}
