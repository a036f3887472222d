package dusk_test

import (
	"errors"
	"testing"

	"github.com/dusk-go/dusk"
)

// A Map larger than the client's message size goes to the scheduler in
// several graphs, in order, and every result comes back where it belongs.
func TestMapSendsALargeGraphInParts(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	dusk.SetGraphChunk(c, 100)
	items := make([]int, 1050)
	for i := range items {
		items[i] = i
	}
	before := dusk.GraphMessages(c)
	fs, err := dusk.Map[int](ctx, c, fDouble, items)
	if err != nil {
		t.Fatal(err)
	}
	if sent := dusk.GraphMessages(c) - before; sent != 11 {
		t.Fatalf("Map of 1050 items in parts of 100 sent %d graphs; want 11", sent)
	}
	got, err := dusk.Gather(ctx, fs)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != 2*i {
			t.Fatalf("result %d = %d, want %d", i, v, 2*i)
		}
	}
	for _, f := range fs {
		f.Release()
	}
	if !eventually(ctx, func() bool { return c.Local().Snapshot().Tasks == 0 }) {
		t.Fatalf("the scheduler still holds %d tasks after every future was released", c.Local().Snapshot().Tasks)
	}
}

// An argument that does not fit, in a later part of a Map, is an error
// naming it; the parts sent before it are released, so the scheduler
// forgets their tasks.
func TestMapArgumentErrorInALaterPartReleasesTheEarlierParts(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	dusk.SetGraphChunk(c, 100)
	items := make([]any, 250)
	for i := range items {
		items[i] = i
	}
	items[150] = "one hundred fifty"
	before := dusk.GraphMessages(c)
	fs, err := dusk.Map[int](ctx, c, fDouble, items)
	var argErr *dusk.ArgError
	if !errors.As(err, &argErr) || fs != nil {
		t.Fatalf("Map with a string among ints = %d futures, %v; want no futures and an ArgError", len(fs), err)
	}
	if sent := dusk.GraphMessages(c) - before; sent != 1 {
		t.Fatalf("Map sent %d graphs before the bad argument in its second part; want 1", sent)
	}
	if !eventually(ctx, func() bool { return c.Local().Snapshot().Tasks == 0 }) {
		t.Fatalf("the scheduler still holds %d tasks of the part sent before the error", c.Local().Snapshot().Tasks)
	}
}
