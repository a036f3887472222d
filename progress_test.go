package dusk_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/dusk-go/dusk"
)

// syncBuffer is a bytes.Buffer safe for the progress goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestProgressOfFutures(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	fs, err := dusk.Map[int](ctx, c, fInc, []int{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	if err := dusk.ProgressTo(ctx, &out, fs...); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, "4/4 100%") || !strings.Contains(s, "4 of 4 tasks done in") || strings.Contains(s, "\x1b[") {
		t.Errorf("progress output:\n%s", s)
	}
	// A failed future counts as erred, and Progress returns its error.
	bad, err := dusk.Submit[int](ctx, c, fFail, "no")
	if err != nil {
		t.Fatal(err)
	}
	out = syncBuffer{}
	if err := dusk.ProgressTo(ctx, &out, bad); err == nil || !strings.Contains(out.String(), "(1 erred)") {
		t.Errorf("err %v, output:\n%s", err, out.String())
	}
}

func TestShowProgressFollowsEveryTaskOfTheGraph(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	xs := make([]*dusk.Delayed[int], 10)
	for i := range xs {
		xs[i] = dusk.Call[int](fDouble, i)
	}
	total := dusk.Call[int](fSum, xs)
	var out syncBuffer
	v, err := dusk.Compute(ctx, c, total, dusk.ShowProgressTo(&out))
	if err != nil || v != 90 {
		t.Fatalf("Compute = %d, %v", v, err)
	}
	s := out.String()
	for _, want := range []string{"it.double", "10/10 100%", "it.sum", "1/1 100%", "11 of 11 tasks done in"} {
		if !strings.Contains(s, want) {
			t.Errorf("progress output lacks %q:\n%s", want, s)
		}
	}
	// Persist draws in the background until its result is in memory.
	out2 := &syncBuffer{}
	f, err := dusk.Persist(ctx, c, dusk.Call[int](fInc, total), dusk.ShowProgressTo(out2))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 91 {
		t.Fatalf("Persist = %d, %v", v, err)
	}
	waitUntil(t, ctx, "Persist's progress ends", func() bool { return strings.Contains(out2.String(), "tasks done in") })
}
