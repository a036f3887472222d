package dusk_test

// Evidence for the advisor's rules about memory (spilling, paused,
// unmanaged-memory, data-skew): real worker processes with small memory
// limits are given more data than they hold, and a twin does the same
// work on workers with room for it, or spread, or streamed.

import (
	"context"
	"hash/crc32"
	"testing"

	"github.com/dusk-go/dusk"
)

// advStream reads n MiB of pseudo-random bytes 8 MiB at a time through
// one buffer and returns their checksum: what mem.hog computes over, never
// holding more than 8 MiB.
var advStream = dusk.Register("adv.stream", func(ctx context.Context, n int) (uint32, error) {
	buf := make([]byte, 8<<20)
	var sum uint32
	for i := 0; i < n/8; i++ {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		for j := 0; j < len(buf); j += 4096 {
			buf[j] = byte(i)
		}
		sum = crc32.Update(sum, crc32.IEEETable, buf)
	}
	return sum, nil
})

// onWorker0 makes n partitions of 8 MiB, all on worker-0, and waits for
// them.
func onWorker0(t *testing.T, ctx context.Context, c *dusk.Client, n int) []*dusk.Future[[]byte] {
	t.Helper()
	parts, err := dusk.Map[[]byte](ctx, c, memPartition.With(dusk.Workers("worker-0")), specs(n, 8*mib))
	if err != nil {
		t.Fatal(err)
	}
	if err := dusk.Wait(ctx, parts...); err != nil {
		t.Fatal(err)
	}
	return parts
}

func TestAdviceSpilling(t *testing.T) {
	t.Parallel()
	ctx := memoryContext(t)
	// 256 MiB on a worker of 256 MiB, whose target is 154 MiB (a worker
	// process of this test binary holds about 60 MiB of its own, DuckDB
	// linked in: a smaller worker would have no room between target and
	// terminate).
	bad, _ := memoryCluster(t, ctx, 256*mib, nil)
	parts := onWorker0(t, ctx, bad, 32)
	mentions(t, adviceUntil(t, ctx, bad, "spilling"), "to disk to stay within their memory")

	// The twin: the same 256 MiB on workers of 1 GiB.
	good, _ := memoryCluster(t, ctx, 1024*mib, nil)
	twin := onWorker0(t, ctx, good, 32)
	noAdvice(t, ctx, good, "spilling")
	_, _ = parts, twin // held until here: a collected future releases its data
}

func TestAdvicePaused(t *testing.T) {
	t.Parallel()
	ctx := memoryContext(t)
	cfg := pauseAtHalf(t)
	// 256 MiB for a worker that pauses at 128 MiB (and spills from there).
	bad, _ := memoryCluster(t, ctx, 256*mib, cfg)
	parts := onWorker0(t, ctx, bad, 32)
	mentions(t, adviceUntil(t, ctx, bad, "paused"), "1 workers paused", "worker-0")

	// The twin: the same 256 MiB on workers that pause at 1 GiB.
	good, _ := memoryCluster(t, ctx, 2048*mib, cfg)
	twin := onWorker0(t, ctx, good, 32)
	noAdvice(t, ctx, good, "paused")
	_, _ = parts, twin
}

func TestAdviceUnmanagedMemory(t *testing.T) {
	t.Parallel()
	ctx := memoryContext(t)
	// A task that keeps 288 MiB for itself on a worker of 512 MiB (the
	// rule's line is 40%, 205 MiB; pausing starts at 410 MiB).
	bad, _ := memoryCluster(t, ctx, 512*mib, nil)
	hog, err := dusk.Submit[int](ctx, bad, memHog.With(dusk.Workers("worker-0")), 288)
	if err != nil {
		t.Fatal(err)
	}
	mentions(t, adviceUntil(t, ctx, bad, "unmanaged-memory"), "Worker worker-0", "512 MiB limit")
	if err := hog.Cancel(ctx); err != nil {
		t.Fatal(err)
	}

	// The twin goes through the same 288 MiB 8 MiB at a time.
	good, _ := memoryCluster(t, ctx, 512*mib, nil)
	f, err := dusk.Submit[uint32](ctx, good, advStream.With(dusk.Workers("worker-0")), 288)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Result(ctx); err != nil {
		t.Fatal(err)
	}
	noAdvice(t, ctx, good, "unmanaged-memory")
}

func TestAdviceDataSkew(t *testing.T) {
	t.Parallel()
	ctx := memoryContext(t)
	// 288 MiB, all on worker-0.
	bad, _ := memoryCluster(t, ctx, 1024*mib, nil)
	parts := onWorker0(t, ctx, bad, 36)
	mentions(t, adviceUntil(t, ctx, bad, "data-skew"), "Worker worker-0 holds")

	// The twin spreads the same partitions over both workers.
	good, _ := memoryCluster(t, ctx, 1024*mib, nil)
	var twin []*dusk.Future[[]byte]
	for i, p := range specs(36, 8*mib) {
		f, err := dusk.Submit[[]byte](ctx, good, memPartition.With(dusk.Workers("worker-"+itoa(i%2))), p)
		if err != nil {
			t.Fatal(err)
		}
		twin = append(twin, f)
	}
	if err := dusk.Wait(ctx, twin...); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "both workers report their 144 MiB", func() bool {
		for _, w := range workersNow(t, ctx, good) {
			if w.Memory.Managed+w.Memory.Spilled < 144*mib {
				return false
			}
		}
		return true
	})
	noAdvice(t, ctx, good, "data-skew")
	_, _ = parts, twin
}
