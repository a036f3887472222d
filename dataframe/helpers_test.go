package dataframe_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
	"github.com/dusk-go/dusk/internal/testcluster"
)

func testContext(t *testing.T) context.Context { return testcluster.Context(t) }

// newCluster starts a local cluster of 2 in-process workers (unless opts
// say otherwise) and a client, closed when the test ends.
func newCluster(t *testing.T, ctx context.Context, opts ...dusk.Option) *dusk.Client {
	t.Helper()
	return testcluster.New(t, ctx, nil, opts...)
}

// row is the test data's shape.
type row struct {
	ID int64   `df:"id"`
	K  string  `df:"k"`
	X  float64 `df:"x"`
	Y  float64 `df:"y"`
}

// makeRows returns n deterministic rows: id = i % ids, k one of nk keys.
func makeRows(n, ids, nk int) []row {
	out := make([]row, n)
	for i := range out {
		out[i] = row{ID: int64(i % ids), K: fmt.Sprintf("k%02d", (i*7)%nk), X: float64(i%97) / 4, Y: float64((i*13)%101) / 2}
	}
	return out
}

// rowsOf renders a table as sorted lines "v1|v2|...", for comparisons that
// ignore row order.
func rowsOf(t *testing.T, tbl arrow.Table) []string {
	t.Helper()
	lines := tableLines(t, tbl)
	sort.Strings(lines)
	return lines
}

// tableLines renders a table's rows in order.
func tableLines(t *testing.T, tbl arrow.Table) []string {
	t.Helper()
	return linesOf(tbl, cell)
}

// linesOf renders a table's rows in order, each value as cellOf says.
func linesOf(tbl arrow.Table, cellOf func(arrow.Array, int) string) []string {
	var lines []string
	tr := array.NewTableReader(tbl, -1)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		for r := range int(rec.NumRows()) {
			parts := make([]string, rec.NumCols())
			for c := range parts {
				parts[c] = cellOf(rec.Column(c), r)
			}
			lines = append(lines, strings.Join(parts, "|"))
		}
	}
	return lines
}

func cell(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "null"
	}
	switch x := a.(type) {
	case *array.Float64:
		return fmt.Sprintf("%.6g", x.Value(i))
	case *array.Dictionary:
		return cell(x.Dictionary(), x.GetValueIndex(i))
	}
	return a.ValueStr(i)
}

func mustCompute(t *testing.T, ctx context.Context, df *dataframe.DataFrame) arrow.Table {
	t.Helper()
	tbl, err := df.Compute(ctx)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return tbl
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not mention %q", err, p)
		}
	}
}
