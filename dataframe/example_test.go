package dataframe_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
)

// sale is the examples' data.
type sale struct {
	Store string   `df:"store"`
	Item  string   `df:"item"`
	Qty   int64    `df:"qty"`
	Price *float64 `df:"price"` // nil is null
}

func price(p float64) *float64 { return &p }

var sales = []sale{
	{"north", "apple", 3, price(0.5)},
	{"south", "pear", 1, price(0.75)},
	{"north", "pear", 4, nil},
	{"east", "apple", 10, price(0.45)},
	{"south", "apple", 2, price(0.55)},
	{"north", "plum", 6, price(1.2)},
}

// localCluster starts a cluster in this process: a scheduler and two
// workers. Closing the client stops it.
func localCluster(ctx context.Context) *dusk.Client {
	c, err := dusk.Connect(ctx, "", dusk.LocalWorkers(2), dusk.LocalThreads(1),
		dusk.Logger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// printTable prints a table's rows, one line each; sorted, when the
// order of rows is not defined.
func printTable(tbl arrow.Table, sorted bool) {
	var lines []string
	tr := array.NewTableReader(tbl, -1)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		for r := range int(rec.NumRows()) {
			cells := make([]string, rec.NumCols())
			for c := range cells {
				cells[c] = rec.Column(c).ValueStr(r)
				if rec.Column(c).IsNull(r) {
					cells[c] = "null"
				}
			}
			lines = append(lines, strings.Join(cells, " "))
		}
	}
	if sorted {
		sort.Strings(lines)
	}
	var names []string
	for _, f := range tbl.Schema().Fields() {
		names = append(names, f.Name)
	}
	fmt.Println(strings.Join(names, " "))
	for _, l := range lines {
		fmt.Println(l)
	}
}

// A pipeline of everyday steps: they run as one DuckDB query per
// partition.
func Example() {
	ctx := context.Background()
	c := localCluster(ctx)
	defer c.Close()

	df, err := dataframe.FromRecords(ctx, c, sales, dataframe.Partitions(3))
	if err != nil {
		log.Fatal(err)
	}
	out := df.FillNAColumns(map[string]any{"price": 1.0}).
		IsIn("item", "apple", "pear").
		Assign("total", "qty * price").
		Rename(map[string]string{"qty": "n"}).
		Drop("price")
	if out.Err() != nil { // a mistake names the line that made it
		log.Fatal(out.Err())
	}
	tbl, err := out.Compute(ctx)
	if err != nil {
		log.Fatal(err)
	}
	printTable(tbl, false)
	// Output:
	// store item n total
	// north apple 3 1.5
	// south pear 1 0.75
	// north pear 4 4
	// east apple 10 4.5
	// south apple 2 1.1
}

// A group-by: one row per group, sorted by the keys.
func ExampleDataFrame_GroupBy() {
	ctx := context.Background()
	c := localCluster(ctx)
	defer c.Close()

	df, err := dataframe.FromRecords(ctx, c, sales, dataframe.Partitions(3))
	if err != nil {
		log.Fatal(err)
	}
	out := df.GroupBy("store").Agg(dataframe.Sum("qty"), dataframe.Count("price"), dataframe.Max("price").As("top"))
	tbl, err := out.Compute(ctx)
	if err != nil {
		log.Fatal(err)
	}
	printTable(tbl, false)
	// Output:
	// store qty_sum price_count top
	// east 10 1 0.45
	// north 13 2 1.2
	// south 3 2 0.75
}

// A merge of two frames on a key column; Explain says how it joins.
func ExampleDataFrame_Merge() {
	ctx := context.Background()
	c := localCluster(ctx)
	defer c.Close()

	type store struct {
		Store string `df:"store"`
		City  string `df:"city"`
	}
	df, err := dataframe.FromRecords(ctx, c, sales, dataframe.Partitions(3))
	if err != nil {
		log.Fatal(err)
	}
	stores, err := dataframe.FromRecords(ctx, c, []store{{"north", "Oslo"}, {"south", "Rome"}})
	if err != nil {
		log.Fatal(err)
	}
	out := df.Merge(stores, []string{"store"}, "left").Select("store", "city", "item")
	tbl, err := out.Compute(ctx)
	if err != nil {
		log.Fatal(err)
	}
	printTable(tbl, true) // a join's rows come in no set order
	// Output:
	// store city item
	// east null apple
	// north Oslo apple
	// north Oslo pear
	// north Oslo plum
	// south Rome apple
	// south Rome pear
}

// Concat stacks frames; Quantile reads exact quantiles.
func ExampleConcat() {
	ctx := context.Background()
	c := localCluster(ctx)
	defer c.Close()

	a, err := dataframe.FromRecords(ctx, c, sales[:3])
	if err != nil {
		log.Fatal(err)
	}
	b, err := dataframe.FromRecords(ctx, c, sales[3:], dataframe.Partitions(2))
	if err != nil {
		log.Fatal(err)
	}
	all := dataframe.Concat(a, b.Drop("price"))
	fmt.Println(all)
	q, err := all.Quantile(ctx, []float64{0.25, 0.5, 0.75}, "qty", "price")
	if err != nil {
		log.Fatal(err)
	}
	printTable(q, false)
	// Output:
	// DataFrame(3 partitions; store utf8, item utf8, qty int64, price float64)
	// q qty price
	// 0.25 2.25 0.5625
	// 0.5 3.5 0.625
	// 0.75 5.5 0.6875
}
