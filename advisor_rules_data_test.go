package dusk_test

// Evidence for the advisor's rules about moving data and cutting arrays
// (communication, small-chunks, rechunk-moves-data, array-data-moved):
// each provoked on a local cluster, each silent on a twin that keeps the
// data where it is used or cuts it as the computation needs.

import (
	"context"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/advisor"
	"github.com/dusk-go/dusk/array"
	"github.com/dusk-go/dusk/diagnostics/report"
	"github.com/dusk-go/dusk/internal/incompressible"
)

// scatteredOn places 10 incompressible pieces of 8 MiB on worker-0.
func scatteredOn(t *testing.T, ctx context.Context, c *dusk.Client) []*dusk.Future[[]byte] {
	t.Helper()
	var pieces [][]byte
	for _, p := range specs(10, 8*mib) {
		pieces = append(pieces, incompressible.Bytes(p))
	}
	fs, err := dusk.ScatterEach(ctx, c, pieces, dusk.OnWorkers("worker-0"))
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// TestAdviceCommunication reads 80 MiB that sit on worker-0 with tasks
// that must run on worker-1 and take microseconds: moving the data costs
// far more than the 30% of compute time the rule allows. The twin runs
// the same tasks where the data is.
func TestAdviceCommunication(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	for _, where := range []string{"worker-1", "worker-0"} {
		c := newCluster(t, ctx)
		data := scatteredOn(t, ctx, c)
		lens, err := dusk.Map[int](ctx, c, fLen.With(dusk.Workers(where)), data)
		if err != nil {
			t.Fatal(err)
		}
		ns, err := dusk.Gather(ctx, lens)
		if err != nil || len(ns) != 10 || ns[0] != 8*mib {
			t.Fatalf("lengths %v, %v", ns, err)
		}
		if where == "worker-1" {
			mentions(t, adviceUntil(t, ctx, c, "communication"), "Workers moved 80 MiB between them")
		} else {
			noAdvice(t, ctx, c, "communication")
		}
	}
}

// persistWait persists the array's blocks, unfused, and waits for them.
func persistWait(ctx context.Context, c *dusk.Client, x *array.Array) error {
	var ls []dusk.Lazy
	for _, b := range x.Blocks() {
		ls = append(ls, b)
	}
	fs, err := dusk.PersistAll(ctx, c, ls, dusk.Optimize(false))
	if err != nil {
		return err
	}
	return dusk.Wait(ctx, fs...)
}

func TestAdviceSmallChunks(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	persist := func(chunks array.Chunks) report.Data {
		return reportOn(t, ctx, c, func() error {
			x, err := array.Random(c, []int{1200, 1200}, chunks, 1)
			if err != nil {
				return err
			}
			return persistWait(ctx, c, x)
		})
	}
	// 144 blocks of 100×100 float64s (78 KiB).
	f := findingOf(persist(array.By(100)).Findings, "small-chunks")
	if f == nil {
		t.Fatal("no small-chunks finding on 144 blocks of 78 KiB")
	}
	mentions(t, *f, "144 blocks of array.random")
	// The twin: array.Auto's chunks (one block for these 11 MiB).
	if f := findingOf(persist(array.Auto()).Findings, "small-chunks"); f != nil {
		t.Errorf("automatic chunks: %s", f.Message)
	}
}

// smallData is the advisor with the byte thresholds of the rechunk and
// array-move rules lowered from 256 MiB to 1 MiB, so that a test's arrays
// of a few MiB show what arrays of gigabytes do: the rules' shares keep
// their defaults.
func smallData() *advisor.Advisor {
	a := advisor.New()
	a.RechunkBytes = 1 << 20
	return a
}

// TestAdviceRechunkMovesData rechunks row blocks into column blocks: every
// new block is assembled from pieces of every old one. The twin makes the
// array in the column blocks its reduction needs.
func TestAdviceRechunkMovesData(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	run := func(first array.Chunks, rechunk bool) []report.Finding {
		d := reportOn(t, ctx, c, func() error {
			x, err := array.Random(c, []int{800, 800}, first, 1)
			if err == nil && rechunk {
				x, err = x.Rechunk(array.By(800, 100))
			}
			if err != nil {
				return err
			}
			return persistWait(ctx, c, x)
		})
		return smallData().Advise(&d)
	}
	if f := findingOf(run(array.By(100, 800), true), "rechunk-moves-data"); f == nil {
		t.Error("no rechunk-moves-data finding on rows rechunked into columns")
	} else {
		mentions(t, *f, "Rechunking put together 4.94 MiB", "100%")
	}
	if f := findingOf(run(array.By(800, 100), false), "rechunk-moves-data"); f != nil {
		t.Errorf("made in the right chunks: %s", f.Message)
	}
}

// TestAdviceArrayDataMoved makes an array on worker-0, doubles it with
// tasks that must run on worker-1, and adds one to that back on worker-0:
// every block crosses twice. The 16 blocks of 328 KiB crossing twice are
// 10 MiB; the blocks made are four times 5 MiB (the random array, the
// persisted array's pass-through, the product, the sum), so exactly half,
// the rule's line. The twin runs every step on worker-0.
// (The rule knows a transfer is of array blocks from the task that made
// them, so the array is made within the recording.)
func TestAdviceArrayDataMoved(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	for _, where := range []string{"worker-1", "worker-0"} {
		c := newCluster(t, ctx)
		on0, onW := dusk.WithWorkers(ctx, "worker-0"), dusk.WithWorkers(ctx, where)
		d := reportOn(t, ctx, c, func() error {
			x, err := array.Random(c, []int{800, 800}, array.By(200), 1)
			if err != nil {
				return err
			}
			if x, err = x.Persist(on0); err != nil {
				return err
			}
			y, err := x.Mul(2)
			if err != nil {
				return err
			}
			if y, err = y.Persist(onW); err != nil {
				return err
			}
			z, err := y.Add(1)
			if err != nil {
				return err
			}
			return persistWait(on0, c, z)
		})
		f := findingOf(smallData().Advise(&d), "array-data-moved")
		switch {
		case where == "worker-1" && f == nil:
			t.Errorf("no array-data-moved finding when every block crossed twice: %+v", d.Bandwidth.ByType)
		case where == "worker-1":
			mentions(t, *f, "Workers sent each other 10 MiB of array blocks", "50%")
		case f != nil:
			t.Errorf("computed where the blocks are: %s", f.Message)
		}
	}
}
