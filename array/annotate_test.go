package array_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/array"
	"github.com/dusk-go/dusk/task"
)

// ranOn records, by test, the addresses of the workers that ran
// whereBlock (the cluster's workers are in-process).
var ranOn struct {
	sync.Mutex
	addrs map[string][]string
}

// whereBlock returns its block, recording the worker that runs it under
// name.
var whereBlock = dusk.Register("array_test.where-block", func(ctx context.Context, info array.BlockInfo, b *array.Block, name string) (*array.Block, error) {
	rt, ok := task.FromContext(ctx)
	if !ok {
		return nil, errors.New("where-block: not in a task")
	}
	ranOn.Lock()
	defer ranOn.Unlock()
	if ranOn.addrs == nil {
		ranOn.addrs = map[string][]string{}
	}
	ranOn.addrs[name] = append(ranOn.addrs[name], rt.Address())
	return b, nil
})

func ranOnTake(name string) []string {
	ranOn.Lock()
	defer ranOn.Unlock()
	out := ranOn.addrs[name]
	delete(ranOn.addrs, name)
	return out
}

// The annotations of the ctx an array is computed with reach its tasks:
// under dusk.WithWorkers every block runs on the named worker, for each
// worker in turn, in an element-wise computation and in a reduction.
func TestAnnotationsReachArrayTasks(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	ws, err := c.Workers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const rows, cols, blocks = 11, 9, 12 // blocks of 3 × 4
	data := make([]float64, rows*cols)
	want := 0.0
	for i := range data {
		data[i] = float64(i % 7)
		want += data[i]
	}
	x := arr(array.FromSlice(c, data, []int{rows, cols}, array.By(3, 4)))
	name := t.Name()
	for _, w := range ws {
		actx := dusk.WithWorkers(ctx, w.Address)
		y := arr(x.MapBlocks(whereBlock, array.Float64, name))
		d, err := y.Compute(actx)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := array.Values[float64](d); err != nil || len(got) != len(data) {
			t.Fatalf("computed %d values (%v); want %d", len(got), err, len(data))
		}
		s, err := arr(y.Sum()).Compute(actx)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := array.Values[float64](s); err != nil || len(got) != 1 || got[0] != want {
			t.Fatalf("sum = %v, %v; want %v", got, err, want)
		}
		got := ranOnTake(name)
		if len(got) != 2*blocks {
			t.Fatalf("%d blocks ran; want %d", len(got), 2*blocks)
		}
		for _, a := range got {
			if a != w.Address {
				t.Fatalf("under WithWorkers(%s) blocks ran on %v", w.Address, got)
			}
		}
	}
}
