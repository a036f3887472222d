package dusk_test

import (
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
)

func TestScatterThenUse(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	data := make([]int, 1000)
	for i := range data {
		data[i] = i
	}
	f, err := dusk.Scatter(ctx, c, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := dusk.Submit[int](ctx, c, fSum, f)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Result(ctx); err != nil || v != 999*1000/2 {
		t.Fatalf("sum(scattered) = %v, %v", v, err)
	}
	// ...and the client reads it back.
	back, err := f.Result(ctx)
	if err != nil || len(back) != len(data) || back[999] != 999 {
		t.Fatalf("Result of the scattered future: len %d, %v", len(back), err)
	}
	// Many tasks use the same reference.
	fs := make([]*dusk.Future[int], 10)
	for i := range fs {
		if fs[i], err = dusk.Submit[int](ctx, c, fSum, f); err != nil {
			t.Fatal(err)
		}
	}
	got, err := dusk.Gather(ctx, fs)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range got {
		if v != 999*1000/2 {
			t.Fatalf("Gather = %v", got)
		}
	}
}

func TestScatterEachSpreadsValues(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(3))
	vals := make([][]byte, 9)
	for i := range vals {
		vals[i] = make([]byte, 10000+i)
	}
	fs, err := dusk.ScatterEach(ctx, c, vals)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != len(vals) {
		t.Fatalf("%d futures for %d values", len(fs), len(vals))
	}
	if err := dusk.Wait(ctx, fs...); err != nil {
		t.Fatal(err)
	}
	// Spread: every worker holds some of them.
	for addr, n := range workerBytes(t, ctx, c) {
		if n == 0 {
			t.Errorf("worker %s holds none of the scattered values", addr)
		}
	}
	lens := make([]*dusk.Future[int], len(fs))
	for i, f := range fs {
		if lens[i], err = dusk.Submit[int](ctx, c, fLen, f); err != nil {
			t.Fatal(err)
		}
	}
	got, err := dusk.Gather(ctx, lens)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range got {
		if n != 10000+i {
			t.Fatalf("len of scattered value %d = %d", i, n)
		}
	}
	// ScatterEach of ints, used as a []int argument.
	ints, err := dusk.ScatterEach(ctx, c, []int{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	s, err := dusk.Submit[int](ctx, c, fSum, ints)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Result(ctx); err != nil || v != 10 {
		t.Fatalf("sum(scattered ints) = %v, %v", v, err)
	}
}

// Broadcast places the value on every worker; a task pinned to each
// worker reads it there.
func TestScatterBroadcast(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(3))
	const size = 256 << 10
	f, err := dusk.Scatter(ctx, c, make([]byte, size), dusk.Broadcast())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	addrs := workerAddrs(t, ctx, c)
	if len(addrs) != 3 {
		t.Fatalf("workers: %v", addrs)
	}
	for addr, n := range workerBytes(t, ctx, c) {
		if n < size {
			t.Errorf("worker %s holds %d bytes after a broadcast of %d", addr, n, size)
		}
	}
	for _, addr := range addrs {
		g, err := dusk.Submit[int](ctx, c, fLen.With(dusk.Workers(addr)), f)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := g.Result(ctx); err != nil || v != size {
			t.Fatalf("len(broadcast) on %s = %v, %v", addr, v, err)
		}
	}
}

func TestScatterOnWorkers(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(3))
	addrs := workerAddrs(t, ctx, c)
	target := addrs[1]
	const size = 100 << 10
	f, err := dusk.Scatter(ctx, c, make([]byte, size), dusk.OnWorkers(target))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for addr, n := range workerBytes(t, ctx, c) {
		if addr == target && n < size {
			t.Errorf("the chosen worker %s holds %d bytes", addr, n)
		}
		if addr != target && n != 0 {
			t.Errorf("worker %s holds %d bytes; the value went to %s only", addr, n, target)
		}
	}
	g, err := dusk.Submit[int](ctx, c, fLen, f)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := g.Result(ctx); err != nil || v != size {
		t.Fatalf("len = %v, %v", v, err)
	}
	// By worker name.
	h, err := dusk.Scatter(ctx, c, 5, dusk.OnWorkers("worker-0"))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := h.Result(ctx); err != nil || v != 5 {
		t.Fatalf("scatter by name = %v, %v", v, err)
	}
	// Nowhere to go.
	_, err = dusk.Scatter(ctx, c, 1, dusk.OnWorkers("no-such-worker"))
	if err == nil || !strings.Contains(err.Error(), "no-such-worker") {
		t.Fatalf("scatter to an unknown worker = %v; want an error naming it", err)
	}
}
