package dataframe_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
)

// A shuffle of persisted partitions that one worker holds all of runs its
// Transfers on both workers (half of them fetch their input first), and
// the hash merge over it gives the rows of a broadcast merge of the same
// data.
func TestShuffleOfPartitionsOnOneWorkerBalances(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	ws, err := c.Workers(ctx)
	if err != nil || len(ws) != 2 {
		t.Fatalf("workers %v, %v; want 2", ws, err)
	}
	on0 := dusk.WithWorkers(ctx, ws[0].Address)
	frame := func(n, parts int) *dataframe.DataFrame {
		df, err := dataframe.FromRecords(ctx, c, makeRows(n, 50, 4), dataframe.Partitions(parts))
		if err != nil {
			t.Fatal(err)
		}
		p, err := df.Filter("x >= 0").Persist(on0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Release)
		return p
	}
	left, right := frame(2000, 8), frame(300, 2)
	m := left.Merge(right, []string{"id", "k"}, "inner", dataframe.Strategy(dataframe.StrategyShuffle))
	var got arrow.Table
	report := filepath.Join(t.TempDir(), "report.html")
	if err := c.PerformanceReport(ctx, report, func() error {
		var err error
		got, err = m.Compute(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	want := mustCompute(t, ctx, left.Merge(right, []string{"id", "k"}, "inner", dataframe.Strategy(dataframe.StrategyBroadcast)))
	if g, w := rowsOf(t, got), rowsOf(t, want); len(w) == 0 || strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Fatalf("the shuffled merge gave %d rows, the broadcast one %d", len(g), len(w))
	}
	b, err := os.ReadFile(strings.TrimSuffix(report, ".html") + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Rows   []struct{ Worker string }
		Stream []struct {
			R int
			K string
			P string
		}
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	var where []string
	for _, e := range r.Stream {
		if e.K == "task" && e.P == "dataframe.shuffle_transfer" && e.R < len(r.Rows) {
			where = append(where, r.Rows[e.R].Worker)
		}
	}
	if len(where) != 10 {
		t.Fatalf("%d Transfers in the report; want 10", len(where))
	}
	for _, w := range ws {
		if n := len(slices.DeleteFunc(slices.Clone(where), func(x string) bool { return x != w.Address })); n != 5 {
			t.Errorf("worker %s ran %d Transfers of 10; want 5", w.Address, n)
		}
	}
}
