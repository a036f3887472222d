//go:build duckdb_arrow

package main

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
)

// The planner's workloads (issue 14), after the eight above.
var plannerWorkloads = []string{
	"Parquet: merge with dim, filter, project",
	"in memory: SetIndex on id, then group by id",
	"in memory: pivot table (id % 10 by k, sum x)",
	"Parquet time series: rolling mean of 60 rows",
}

func init() { workloads = append(workloads, plannerWorkloads...) }

// duskPlanner runs the planner's workloads on c; mem is the main rows
// persisted.
func duskPlanner(ctx context.Context, c *dusk.Client, mem *dataframe.DataFrame, add func(name string, f func() (string, error)) error) error {
	if err := add(plannerWorkloads[0], func() (string, error) {
		facts := dataframe.ReadParquet(c, parquetGlob())
		dim := dataframe.ReadParquet(c, dimGlob())
		q := facts.Merge(dim, []string{"id"}, "inner").Filter("cat = 'c3' AND x > 0.9").Select("id", "x", "w")
		tbl, err := q.Compute(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d rows, sum(x*w)=%.4f", tbl.NumRows(), sumProduct(tbl, "x", "w")), nil
	}); err != nil {
		return err
	}
	if err := add(plannerWorkloads[1], func() (string, error) {
		si, err := mem.SetIndex(ctx, "id")
		if err != nil {
			return "", err
		}
		tbl, err := si.GroupBy("id").Agg(dataframe.Sum("x")).Compute(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d groups, sum=%.4f", tbl.NumRows(), sumColumn(tbl, 1)), nil
	}); err != nil {
		return err
	}
	byK, err := mem.Assign("b", "id % 10").Categorize(ctx, "k")
	if err != nil {
		return err
	}
	if err := add(plannerWorkloads[2], func() (string, error) {
		tbl, err := byK.PivotTable("b", "k", "x", dataframe.Sum).Compute(ctx)
		if err != nil {
			return "", err
		}
		total := 0.0
		for i := 1; i < int(tbl.NumCols()); i++ {
			total += sumColumn(tbl, i)
		}
		return fmt.Sprintf("%d rows x %d columns, total=%.4f", tbl.NumRows(), tbl.NumCols(), total), nil
	}); err != nil {
		return err
	}
	return add(plannerWorkloads[3], func() (string, error) {
		ts, err := dataframe.ReadParquet(c, tsGlob()).SetIndex(ctx, "timestamp", dataframe.Sorted())
		if err != nil {
			return "", err
		}
		tbl, err := ts.Rolling(dataframe.RowWindow(60)).Agg(dataframe.Mean("x")).Compute(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d rows, sum of means=%.4f", tbl.NumRows(), sumColumn(tbl, 1)), nil
	})
}

// duckdbPlanner runs the planner's workloads in DuckDB alone, where the
// table t holds the main rows; scalar and materialize are runDuckDB's.
func duckdbPlanner(scalarAdd func(name, q string) error, materialize func(name, create, count string) error) error {
	join := fmt.Sprintf("CREATE OR REPLACE TABLE o AS SELECT f.id, f.x, d.w FROM read_parquet('%s') f JOIN read_parquet('%s') d USING (id) WHERE d.cat = 'c3' AND f.x > 0.9",
		parquetGlob(), dimGlob())
	if err := materialize(plannerWorkloads[0], join, "SELECT count(*) || ' rows, sum(x*w)=' || printf('%.4f', sum(x * w)) FROM o"); err != nil {
		return err
	}
	if err := materialize(plannerWorkloads[1], "CREATE OR REPLACE TABLE o AS SELECT * FROM t ORDER BY id",
		"SELECT count(*) || ' groups, sum=' || printf('%.4f', sum(sx)) FROM (SELECT id, sum(x) AS sx FROM o GROUP BY id)"); err != nil {
		return err
	}
	if err := materialize(plannerWorkloads[2], "CREATE OR REPLACE TABLE o AS PIVOT (SELECT id % 10 AS b, k, x FROM t) ON k USING sum(x) GROUP BY b",
		"SELECT (SELECT count(*) FROM o) || ' rows x ' || (SELECT count(*) FROM information_schema.columns WHERE table_name = 'o') || ' columns, total=' || printf('%.4f', sum(value)) FROM (UNPIVOT o ON COLUMNS(* EXCLUDE (b)))"); err != nil {
		return err
	}
	return materialize(plannerWorkloads[3],
		fmt.Sprintf("CREATE OR REPLACE TABLE o AS SELECT timestamp, avg(x) OVER (ORDER BY timestamp ROWS BETWEEN 59 PRECEDING AND CURRENT ROW) AS x_mean FROM read_parquet('%s')", tsGlob()),
		"SELECT count(*) || ' rows, sum of means=' || printf('%.4f', sum(x_mean)) FROM o")
}

// sumProduct sums a*b over the rows of tbl's float64 columns a and b.
func sumProduct(tbl arrow.Table, a, b string) float64 {
	ia, ib := tbl.Schema().FieldIndices(a), tbl.Schema().FieldIndices(b)
	if len(ia) == 0 || len(ib) == 0 {
		return math.NaN()
	}
	ca, cb := tbl.Column(ia[0]).Data().Chunks(), tbl.Column(ib[0]).Data().Chunks()
	s := 0.0
	for i := range ca {
		xa, xb := ca[i].(*array.Float64).Float64Values(), cb[i].(*array.Float64).Float64Values()
		for j := range xa {
			s += xa[j] * xb[j]
		}
	}
	return s
}
