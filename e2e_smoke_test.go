package dusk_test

import (
	"context"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
)

var smokeInc = dusk.Register("smoke.inc", func(ctx context.Context, x int) (int, error) { return x + 1, nil })
var smokeSum = dusk.Register("smoke.sum", func(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
})

func TestSmoke(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := dusk.Connect(ctx, "", dusk.LocalWorkers(2), dusk.LocalThreads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, err := dusk.Submit[int](ctx, c, smokeInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.Result(ctx)
	if err != nil || v != 2 {
		t.Fatalf("got %v, %v", v, err)
	}
	items := make([]int, 100)
	for i := range items {
		items[i] = i
	}
	fs, err := dusk.Map[int](ctx, c, smokeInc, items)
	if err != nil {
		t.Fatal(err)
	}
	total, err := dusk.Submit[int](ctx, c, smokeSum, fs)
	if err != nil {
		t.Fatal(err)
	}
	s, err := total.Result(ctx)
	if err != nil || s != 5050 {
		t.Fatalf("sum = %v, %v", s, err)
	}
}
