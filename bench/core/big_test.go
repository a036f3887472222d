package main

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/internal/testcluster"
)

// One big-graph run on a small graph: the tree's sum checks out (bigRunAt
// compares it) and every task is forgotten once the futures are released.
func TestBigRunReleasesEverything(t *testing.T) {
	ctx := testcluster.Context(t)
	c := testcluster.New(t, ctx, nil, dusk.LocalWorkers(2), dusk.LocalThreads(1))
	ident := func(context.Context) (int64, error) { return int64(c.Local().Snapshot().Tasks), nil }
	peaked := false
	if _, _, _, err := bigRunAt(ctx, c, ident, 3000, 8, func() { peaked = true }); err != nil {
		t.Fatal(err)
	}
	if !peaked {
		t.Fatal("the run never reached its peak (all results in, nothing released)")
	}
	if n := c.Local().Snapshot().Tasks; n != 0 {
		t.Fatalf("the scheduler holds %d tasks after the run", n)
	}
}

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("10000, 1e5,1000000")
	if err != nil || !slices.Equal(got, []int{10000, 100000, 1000000}) {
		t.Fatalf("parseSizes = %v, %v", got, err)
	}
	for _, bad := range []string{"", "ten", "0", "1.5", "-3"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q) gave no error", bad)
		}
	}
}

// This process's memory is read from /proc: its peak is at least its
// current size; a field /proc does not have is an error.
func TestProcMemory(t *testing.T) {
	rss, err := procStatus(os.Getpid(), "VmRSS")
	if err != nil {
		t.Fatal(err)
	}
	peak, err := peakRSS(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if rss <= 0 || peak < rss<<10 {
		t.Fatalf("VmRSS %d kB, peak %d B: want a peak at least the current size", rss, peak)
	}
	if _, err := procStatus(os.Getpid(), "NoSuchField"); err == nil {
		t.Fatal("a missing field gave no error")
	}
}
