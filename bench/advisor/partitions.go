//go:build duckdb_arrow

package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/dataframe"
)

// benchRow is the too-many-partitions case's data: id in [0, ids), k one
// of 100 keys.
type benchRow struct {
	ID int64   `df:"id"`
	K  string  `df:"k"`
	X  float64 `df:"x"`
	Y  float64 `df:"y"`
}

// ids is how many distinct ids the rows have.
const ids = 100_000

// tooManyPartitions times a group-by and a SetIndex over a frame of many
// tiny partitions with coalescing off, on, and repartitioned by hand.
func tooManyPartitions(ctx context.Context, nrows, nparts int, target string, repeat, workers int) {
	rows := make([]benchRow, nrows)
	for i := range rows {
		rows[i] = benchRow{ID: int64((i * 7919) % ids), K: fmt.Sprintf("k%02d", i%100), X: float64(i%1000) / 8, Y: float64(i % 17)}
	}
	bounds := make([]int64, 0, 9)
	for j := range 8 {
		bounds = append(bounds, int64(j*ids/8))
	}
	bounds = append(bounds, int64(ids-1))
	fmt.Printf("too-many-partitions: %d rows in %d partitions; group-by k (sum, mean) and SetIndex id (8 outputs); target %s; %d worker processes of 1 thread\n",
		nrows, nparts, target, workers)

	type mode struct {
		name   string
		active bool
		byHand bool
	}
	modes := []mode{{"coalescing off", false, false}, {"coalescing on (default)", true, false}, {"repartitioned by hand", false, true}}
	type times struct{ groupBy, setIndex, total []time.Duration }
	ts := make([]times, len(modes))
	for r := range repeat {
		for i, m := range modes {
			cfg := config.New()
			if err := cfg.Set("optimization.coalesce.active", m.active); err != nil {
				log.Fatal(err)
			}
			if err := cfg.Set("optimization.coalesce.target", target); err != nil {
				log.Fatal(err)
			}
			c := connect(ctx, cfg, workers)
			orig, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(nparts))
			if err != nil {
				log.Fatal(err)
			}
			df := orig
			start := time.Now()
			if m.byHand {
				// What the advice says to do: Repartition by size
				// (its first pass reads each partition's size).
				if df, err = df.Repartition(ctx, dataframe.PartitionSize(target)); err != nil {
					log.Fatal(err)
				}
			}
			g := df.GroupBy("k").Agg(dataframe.Sum("x"), dataframe.Mean("y"))
			tbl, err := g.Compute(ctx)
			if err != nil {
				log.Fatal(err)
			}
			if tbl.NumRows() != 100 {
				log.Fatalf("%s: the group-by gave %d groups, want 100", m.name, tbl.NumRows())
			}
			tbl.Release()
			mid := time.Now()
			indexed, err := df.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds(bounds...)))
			if err != nil {
				log.Fatal(err)
			}
			p, err := indexed.Persist(ctx)
			if err != nil {
				log.Fatal(err)
			}
			end := time.Now()
			p.Release()
			orig.Release()
			c.Close()
			ts[i].groupBy = append(ts[i].groupBy, mid.Sub(start))
			ts[i].setIndex = append(ts[i].setIndex, end.Sub(mid))
			ts[i].total = append(ts[i].total, end.Sub(start))
			fmt.Fprintf(os.Stderr, "round %d: %-26s group-by %6.2f s, set-index %6.2f s\n", r+1, m.name, mid.Sub(start).Seconds(), end.Sub(mid).Seconds())
		}
	}
	base := median(ts[0].total)
	fmt.Printf("%-26s %12s %13s %10s %10s\n", "mode", "group-by s", "set-index s", "total s", "vs off")
	for i, m := range modes {
		fmt.Printf("%-26s %12.2f %13.2f %10.2f %9.2fx\n", m.name, median(ts[i].groupBy).Seconds(), median(ts[i].setIndex).Seconds(),
			median(ts[i].total).Seconds(), float64(median(ts[i].total))/float64(base))
	}
}
