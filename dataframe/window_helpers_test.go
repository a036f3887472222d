package dataframe_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	_ "github.com/duckdb/duckdb-go/v2" // DuckDB alone, to compute what dusk should give

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
)

// sortedFrame places rows, sorted on index, in nparts partitions of equal
// row counts with divisions from SetIndex(Sorted()), then keeps the rows
// for which keep (SQL over the columns; "" keeps all) is true: partitions
// become small or empty, and the divisions stay.
func sortedFrame[T any](t *testing.T, ctx context.Context, c *dusk.Client, rows []T, index string, nparts int, keep string) *dataframe.DataFrame {
	t.Helper()
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(nparts))
	if err != nil {
		t.Fatal(err)
	}
	si, err := df.SetIndex(ctx, index, dataframe.Sorted())
	if err != nil {
		t.Fatal(err)
	}
	if keep == "" {
		return si
	}
	out := si.Filter(keep)
	if out.Err() != nil || out.Divisions() == nil {
		t.Fatalf("Filter(%q): %v, divisions %v", keep, out.Err(), out.Divisions())
	}
	return out
}

// keepRows deletes from a DuckDB table the rows sortedFrame's keep leaves
// out.
func keepRows(t *testing.T, db *sql.DB, table, keep string) {
	t.Helper()
	if keep == "" {
		return
	}
	if _, err := db.Exec(fmt.Sprintf("DELETE FROM %s WHERE NOT coalesce((%s), false)", table, keep)); err != nil {
		t.Fatal(err)
	}
}

// tsRow is the test data of the window, resample and as-of tests: a
// timestamp, an integer id, a float and an integer value, a group.
type tsRow struct {
	T  time.Time `df:"t"`
	ID int64     `df:"id"`
	X  float64   `df:"x"`
	V  int64     `df:"v"`
	G  string    `df:"g"`
}

var tsBase = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// makeTSRows returns n rows at irregular, strictly increasing times (5 to
// 13 minutes apart), id = i.
func makeTSRows(n int) []tsRow {
	out := make([]tsRow, n)
	t := tsBase
	for i := range out {
		out[i] = tsRow{T: t, ID: int64(i), X: float64((i*37)%101) / 4, V: int64((i * 13) % 29), G: fmt.Sprintf("g%d", (i*7)%3)}
		t = t.Add(time.Duration(5+(i*3)%9) * time.Minute)
	}
	return out
}

// duckdbTable is a DuckDB of its own (not dusk's) holding rows as table
// name (t TIMESTAMPTZ, id, x, v, g).
func duckdbTable(t *testing.T, db *sql.DB, name string, rows []tsRow) {
	t.Helper()
	if _, err := db.Exec("SET TimeZone = 'UTC'"); err != nil {
		t.Fatal(err)
	}
	var vals []string
	for _, r := range rows {
		vals = append(vals, fmt.Sprintf("(make_timestamp(%d::BIGINT)::TIMESTAMPTZ, %d, %v, %d, '%s')", r.T.UnixMicro(), r.ID, r.X, r.V, r.G))
	}
	q := fmt.Sprintf("CREATE TABLE %s (t TIMESTAMPTZ, id BIGINT, x DOUBLE, v BIGINT, g VARCHAR)", name)
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
	if len(vals) > 0 {
		if _, err := db.Exec(fmt.Sprintf("INSERT INTO %s VALUES %s", name, strings.Join(vals, ", "))); err != nil {
			t.Fatal(err)
		}
	}
}

// openDuckDB opens a DuckDB of the test's own, closed when it ends.
func openDuckDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// duckdbRows runs a query and renders its rows as windowCell renders
// dusk's: timestamps as microseconds since the epoch (select epoch_us(t)),
// floats with 6 significant digits.
func duckdbRows(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("DuckDB alone: %v\n  in the query: %s", err, query)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				parts[i] = "null"
			case float64:
				parts[i] = fmt.Sprintf("%.6g", x)
			case time.Time:
				parts[i] = fmt.Sprint(x.UnixMicro())
			default:
				parts[i] = fmt.Sprint(x)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// windowLines renders a table's rows in order, timestamps as microseconds
// since the epoch.
func windowLines(tbl arrow.Table) []string {
	return linesOf(tbl, windowCell)
}

func windowCell(a arrow.Array, i int) string {
	if ts, ok := a.(*array.Timestamp); ok && !a.IsNull(i) {
		u := ts.DataType().(*arrow.TimestampType).Unit
		return fmt.Sprint(ts.Value(i).ToTime(u).UnixMicro())
	}
	return cell(a, i)
}

// sameRows fails the test where got and want differ.
func sameRows(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d\n got: %v\nwant: %v", what, len(got), len(want), head(got), head(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: row %d is %s, want %s", what, i, got[i], want[i])
		}
	}
}

func head(lines []string) []string {
	if len(lines) > 12 {
		return lines[:12]
	}
	return lines
}

// partitionRows returns the number of rows of each partition (chunk) of
// the table's first column.
func partitionRows(tbl arrow.Table) []int {
	var out []int
	for _, ch := range tbl.Column(0).Data().Chunks() {
		out = append(out, ch.Len())
	}
	return out
}
