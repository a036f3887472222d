package array_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/array"
)

// A persisted array published by one client is the same array for
// another, after the first has gone.
func TestPublishedArray(t *testing.T) {
	ctx, c := client(t)
	a, err := array.FromSlice(c, seq(6*4), []int{6, 4}, array.By(4, 3))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx, "a", a); err == nil || !strings.Contains(err.Error(), "Persist first") {
		t.Fatalf("publishing an array not persisted: %v", err)
	}
	sum, err := a.Add(a)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sum.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx, "doubled", p); err != nil {
		t.Fatal(err)
	}
	c2, err := dusk.Connect(ctx, c.Scheduler(), dusk.Token(c.Local().Token()))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	d, err := c2.Dataset(ctx, "doubled")
	if err != nil {
		t.Fatal(err)
	}
	b, err := array.FromDataset(d)
	if err != nil {
		t.Fatal(err)
	}
	d.Release()
	if !slices.Equal(b.Shape(), []int{6, 4}) || !slices.EqualFunc(b.Chunks(), [][]int{{4, 2}, {3, 1}}, slices.Equal) || b.DType() != array.Float64 {
		t.Fatalf("shape %v chunks %v dtype %s", b.Shape(), b.Chunks(), b.DType())
	}
	want := seq(24)
	for i := range want {
		want[i] *= 2
	}
	if got := values[float64](t, ctx, b); !slices.Equal(got, want) {
		t.Fatalf("got %v", got)
	}
	// Futures are not an array.
	f, err := dusk.Submit[int](ctx, c2, fnTestInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := c2.Publish(ctx, "futs", f); err != nil {
		t.Fatal(err)
	}
	d2, err := c2.Dataset(ctx, "futs")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := array.FromDataset(d2); err == nil || !strings.Contains(err.Error(), "not an array") {
		t.Fatalf("futures as an array: %v", err)
	}
}

var fnTestInc = dusk.Register("array-test.inc", func(x int) int { return x + 1 })
