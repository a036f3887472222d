package dusk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
)

// fSubmitsTasks submits tasks from inside a task through TaskClient and
// sums their results.
var fSubmitsTasks = dusk.Register("it.submits-tasks", func(ctx context.Context, n int) (int, error) {
	c, err := dusk.TaskClient(ctx)
	if err != nil {
		return 0, err
	}
	items := make([]int, n)
	for i := range items {
		items[i] = i
	}
	fs, err := dusk.Map[int](ctx, c, fInc, items)
	if err != nil {
		return 0, err
	}
	vs, err := dusk.Gather(ctx, fs)
	if err != nil {
		return 0, err
	}
	sum := 0
	for _, v := range vs {
		sum += v
	}
	return sum, nil
})

func TestTaskClientSubmitsFromATask(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	f, err := dusk.Submit[int](ctx, c, fSubmitsTasks, 10)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 55 {
		t.Fatalf("Result = %v, %v; want 55 (1+...+10)", v, err)
	}
}

func TestTaskClientOutsideATask(t *testing.T) {
	t.Parallel()
	if _, err := dusk.TaskClient(context.Background()); err == nil || !strings.Contains(err.Error(), "outside a task") {
		t.Fatalf("err = %v; want one saying it is outside a task", err)
	}
}
