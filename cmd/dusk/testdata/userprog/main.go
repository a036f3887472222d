// Command userprog is a user's program with a function of its own, as a
// test builds it: "userprog scheduler" and "userprog worker ADDRESS" make
// it a cluster process (dusk.Main); "userprog ADDRESS" is its own work, a
// client of that cluster; "userprog ADDRESS burst GATE-DIR" is a burst of
// work for an adaptive cluster of 1 to 3 workers, which it watches grow
// and shrink; "userprog ADDRESS shuffle" sorts a dataframe across the
// workers (a peer-to-peer shuffle); "userprog ADDRESS ship" ships itself
// to workers of another binary (dusk.ShipBinary) and runs triple there.
// Build it with -tags duckdb_arrow; with the tag userprog_v2 as well,
// triple's body differs (it multiplies by 4), its name and signature not.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
)

// triple is this program's own function: only its workers know it.
var triple = dusk.Register("userprog.triple", func(x int) int { return factor * x })

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
	if len(os.Args) != 2 && !(len(os.Args) == 4 && os.Args[2] == "burst") && !(len(os.Args) == 3 && (os.Args[2] == "shuffle" || os.Args[2] == "ship")) {
		fmt.Fprintln(os.Stderr, "usage: userprog scheduler|worker ... | userprog SCHEDULER-ADDRESS [burst GATE-DIR | shuffle | ship]")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if len(os.Args) == 3 && os.Args[2] == "ship" {
		if err := ship(ctx, os.Args[1]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	c, err := dusk.Connect(ctx, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer c.Close()
	if len(os.Args) == 3 {
		if err := sortRows(ctx, c); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
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

// sortRows sorts 20,000 rows by a key of 1,000 values across the workers
// (a range shuffle) and checks the result: every row once, keys in order.
func sortRows(ctx context.Context, c *dusk.Client) error {
	type row struct{ Row, Key int64 }
	rows := make([]row, 20000)
	for i := range rows {
		rows[i] = row{Row: int64(i), Key: int64(i*7919) % 1000}
	}
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(8))
	if err != nil {
		return err
	}
	sorted, err := df.SetIndex(ctx, "Key", dataframe.WithDivisions(dataframe.Bounds[int64](0, 250, 500, 750, 999)))
	if err != nil {
		return err
	}
	tbl, err := sorted.Compute(ctx)
	if err != nil {
		return err
	}
	defer tbl.Release()
	seen := make([]bool, len(rows))
	last := int64(-1)
	keys := tbl.Column(tbl.Schema().FieldIndices("Key")[0]).Data().Chunks()
	for ci, ch := range tbl.Column(tbl.Schema().FieldIndices("Row")[0]).Data().Chunks() {
		ks := keys[ci].(*array.Int64)
		for i, r := range ch.(*array.Int64).Int64Values() {
			if seen[r] || ks.Value(i) < last {
				return fmt.Errorf("row %d twice or out of order", r)
			}
			seen[r], last = true, ks.Value(i)
		}
	}
	fmt.Printf("sorted %d rows across the workers\n", tbl.NumRows())
	return nil
}

// ship connects with dusk.ShipBinary, says how many workers switched, and
// runs triple on every worker.
func ship(ctx context.Context, addr string) error {
	c, err := dusk.Connect(ctx, addr)
	if err != nil {
		return err
	}
	rep, err := c.ShipBinary(ctx)
	if err != nil {
		c.Close()
		return err
	}
	fmt.Printf("switched %d, unchanged %d\n", len(rep.Switched), len(rep.Unchanged))
	c.Close()
	// Connecting with the option ships nothing more: every worker runs
	// this program now.
	c, err = dusk.Connect(ctx, addr, dusk.ShipBinary())
	if err != nil {
		return err
	}
	defer c.Close()
	vs, err := dusk.Run[int](ctx, c, triple, 14)
	if err != nil {
		return err
	}
	for w, v := range vs {
		if v != factor*14 {
			return fmt.Errorf("triple(14) = %d on %s", v, w)
		}
	}
	fmt.Printf("triple(14) = %d on %d workers\n", factor*14, len(vs))
	return nil
}
