// Command userprog is a user's program with a function of its own, as a
// test builds it: "userprog scheduler" and "userprog worker ADDRESS" make
// it a cluster process (dusk.Main); "userprog ADDRESS" is its own work, a
// client of that cluster; "userprog ADDRESS burst GATE-DIR" is a burst of
// work for an adaptive cluster of 1 to 3 workers, which it watches grow
// and shrink.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/dusk-go/dusk"
)

// triple is this program's own function: only its workers know it.
var triple = dusk.Register("userprog.triple", func(x int) int { return 3 * x })

// slowTriple is triple once the file "open" exists in the directory gate.
var slowTriple = dusk.Register("userprog.slow-triple", func(ctx context.Context, gate string, x int) (int, error) {
	for {
		if _, err := os.Stat(filepath.Join(gate, "open")); err == nil {
			return 3 * x, nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
})

func main() {
	dusk.Main()
	if len(os.Args) != 2 && !(len(os.Args) == 4 && os.Args[2] == "burst") {
		fmt.Fprintln(os.Stderr, "usage: userprog scheduler|worker ... | userprog SCHEDULER-ADDRESS [burst GATE-DIR]")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := dusk.Connect(ctx, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer c.Close()
	if len(os.Args) == 4 {
		if err := burst(ctx, c, os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	for _, x := range []int{14, 5} {
		f, err := dusk.Submit[int](ctx, c, triple, x)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		v, err := f.Result(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("triple(%d) = %d\n", x, v)
		if x == 14 {
			if err := c.Restart(ctx); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			fmt.Println("restarted")
		}
	}
}

// burst submits 60 tasks that wait at the gate, waits for the cluster to
// grow to three workers, opens the gate, sums the results, waits for the
// idle cluster to shrink to one worker, and sums them again.
func burst(ctx context.Context, c *dusk.Client, gate string) error {
	fs := make([]*dusk.Future[int], 60)
	for i := range fs {
		f, err := dusk.Submit[int](ctx, c, slowTriple, gate, i)
		if err != nil {
			return err
		}
		fs[i] = f
	}
	waitWorkers := func(n int) error {
		for {
			ws, err := c.Workers(ctx)
			if err != nil {
				return err
			}
			if len(ws) == n {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %d workers, have %d: %w", n, len(ws), ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	sum := func() (int, error) {
		vs, err := dusk.Gather(ctx, fs)
		total := 0
		for _, v := range vs {
			total += v
		}
		return total, err
	}
	if err := waitWorkers(3); err != nil {
		return err
	}
	fmt.Println("grew to 3 workers")
	if err := os.WriteFile(filepath.Join(gate, "open"), nil, 0o644); err != nil {
		return err
	}
	total, err := sum()
	if err != nil {
		return err
	}
	fmt.Printf("sum = %d\n", total)
	if err := waitWorkers(1); err != nil {
		return err
	}
	fmt.Println("shrank to 1 worker")
	if total, err = sum(); err != nil {
		return err
	}
	fmt.Printf("sum = %d\n", total)
	return nil
}
