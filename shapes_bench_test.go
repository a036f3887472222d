package dusk_test

import (
	"fmt"
	"testing"

	"github.com/dusk-go/dusk"
)

// BenchmarkShapesEndToEnd runs wide graphs through an in-process cluster
// (client, scheduler and two workers): a merge over n tasks (fan-in),
// n tasks over one (fan-out) and a chain of n, built with Call. A linear
// engine spends the same per task at every n.
//
//	go test -run '^$' -bench BenchmarkShapesEndToEnd -benchtime 1x .
func BenchmarkShapesEndToEnd(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("fan-in/n=%d", n), func(b *testing.B) {
			ctx, c := benchClient(b)
			for b.Loop() {
				leaves := make([]*dusk.Delayed[int], n)
				for i := range leaves {
					leaves[i] = dusk.Call[int](benchInc, i)
				}
				got, err := dusk.Compute(ctx, c, dusk.Call[int](benchSum, leaves), dusk.Optimize(false))
				if err != nil || got != n*(n+1)/2 {
					b.Fatalf("sum = %d, %v", got, err)
				}
			}
			reportPerTask(b, n+1)
		})
		b.Run(fmt.Sprintf("fan-out/n=%d", n), func(b *testing.B) {
			ctx, c := benchClient(b)
			for b.Loop() {
				src := dusk.Call[int](benchInc, 0)
				uses := make([]dusk.Lazy, n)
				for i := range uses {
					uses[i] = dusk.Call[int](benchInc, src)
				}
				got, err := dusk.ComputeAll(ctx, c, uses, dusk.Optimize(false))
				if err != nil || len(got) != n || got[n-1] != 2 {
					b.Fatalf("%d results, %v", len(got), err)
				}
			}
			reportPerTask(b, n+1)
		})
		b.Run(fmt.Sprintf("chain/n=%d", n), func(b *testing.B) {
			ctx, c := benchClient(b)
			for b.Loop() {
				x := dusk.Call[int](benchInc, 0)
				for range n - 1 {
					x = dusk.Call[int](benchInc, x)
				}
				got, err := dusk.Compute(ctx, c, x, dusk.Optimize(false))
				if err != nil || got != n {
					b.Fatalf("chain = %d, %v", got, err)
				}
			}
			reportPerTask(b, n)
		})
	}
}
