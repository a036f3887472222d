package dataframe_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/dataframe"
	"github.com/dusk-go/dusk/diagnostics/event"
)

// coalesceCluster starts a cluster whose client coalesces as the
// settings say (key, value pairs of optimization.coalesce.*).
func coalesceCluster(t *testing.T, ctx context.Context, settings ...string) *dusk.Client {
	t.Helper()
	cfg := config.New()
	for i := 0; i+1 < len(settings); i += 2 {
		if err := cfg.Set(settings[i], settings[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	return newCluster(t, ctx, dusk.LocalConfig(cfg))
}

// coalesceWorkload is a group-by (a tree reduction), a group-by with
// SplitOut (a hash shuffle), a SetIndex (a range shuffle) and a shuffled
// Merge over frames of tiny partitions (nparts of the rows, a tenth as
// many of the other side). It returns every result as
// exact lines (in order where the order is defined), the plans' Explain
// text, and how many tasks the cluster ran for it.
type coalesceResult struct {
	lines   map[string][]string
	explain map[string]string
	tasks   int
}

func coalesceWorkload(t *testing.T, ctx context.Context, c *dusk.Client, nparts int, rows []row) coalesceResult {
	t.Helper()
	left, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(nparts))
	if err != nil {
		t.Fatal(err)
	}
	other := make([]struct {
		ID int64 `df:"id"`
		W  int64 `df:"w"`
	}, len(rows)/4)
	for i := range other {
		other[i].ID, other[i].W = int64(i%97), int64(i)
	}
	right, err := dataframe.FromRecords(ctx, c, other, dataframe.Partitions(max(nparts/10, 1)))
	if err != nil {
		t.Fatal(err)
	}
	before := tasksRun(c)
	indexed, err := left.SetIndex(ctx, "id", dataframe.OutPartitions(8))
	if err != nil {
		t.Fatal(err)
	}
	frames := map[string]*dataframe.DataFrame{
		"tree":     left.GroupBy("k").Agg(dataframe.Sum("x"), dataframe.Count("x").As("n"), dataframe.Max("y")),
		"splitout": left.GroupBy("id").SplitOut(4).Agg(dataframe.Sum("x"), dataframe.Sum("y")),
		"setindex": indexed,
		"merge":    left.Merge(right, []string{"id"}, "inner", dataframe.Strategy(dataframe.StrategyShuffle)),
	}
	out := coalesceResult{lines: map[string][]string{}, explain: map[string]string{}}
	for name, df := range frames {
		out.explain[name] = df.Explain()
		lines := exactLines(t, mustCompute(t, ctx, df))
		if name != "setindex" && name != "tree" {
			slices.Sort(lines) // hash outputs come in no defined order
		}
		out.lines[name] = lines
	}
	if d := indexed.Divisions(); d != nil {
		out.lines["divisions"] = []string{fmt.Sprint(d.Bounds)}
	}
	out.tasks = tasksRun(c) - before
	return out
}

// tasksRun counts the tasks the local cluster ran so far.
func tasksRun(c *dusk.Client) int {
	n := 0
	for _, e := range c.Local().Events().Snapshot() {
		if e.Kind == event.TaskRun {
			n++
		}
	}
	return n
}

// exactLines renders a table's rows with every value in full (floats to
// the last bit), in order.
func exactLines(t *testing.T, tbl arrow.Table) []string {
	t.Helper()
	return linesOf(tbl, func(a arrow.Array, r int) string {
		if x, ok := a.(*array.Float64); ok {
			return fmt.Sprintf("%b", x.Value(r))
		}
		return a.ValueStr(r)
	})
}

func coalesceFinding(t *testing.T, ctx context.Context, c *dusk.Client) *dusk.Finding {
	t.Helper()
	fs, err := c.Advise(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range fs {
		if fs[i].Rule == "coalesce-partitions" {
			return &fs[i]
		}
	}
	return nil
}

// Before its shuffles and group-bys, a plan over 400 tiny partitions joins
// them into partitions of up to the target: the results are the same, to
// the last bit, as with coalescing switched off; the steps read fewer
// partitions and the cluster runs fewer tasks; the fix is among the
// advisor's findings, as fixed. Partitions of a sensible size (larger
// than the target) are left alone and nothing is recorded.
func TestCoalesceTinyPartitionsBeforeShuffles(t *testing.T) {
	ctx := testContext(t)
	rows := makeRows(8000, 500, 23)
	on := coalesceCluster(t, ctx, "optimization.coalesce.target", "16KiB")
	off := coalesceCluster(t, ctx, "optimization.coalesce.active", "false")

	// The well-tuned twin first: 40 partitions of about 20 KiB each.
	twin := coalesceWorkload(t, ctx, on, 40, makeRows(28000, 500, 23))
	for name, ex := range twin.explain {
		if strings.Contains(ex, "Coalesce") {
			t.Fatalf("%s: partitions over the target were coalesced:\n%s", name, ex)
		}
	}
	if f := coalesceFinding(t, ctx, on); f != nil {
		t.Fatalf("the well-tuned twin recorded %+v", f)
	}

	got := coalesceWorkload(t, ctx, on, 400, rows)
	want := coalesceWorkload(t, ctx, off, 400, rows)
	for name, lines := range want.lines {
		if len(lines) == 0 || !slices.Equal(got.lines[name], lines) {
			t.Errorf("%s: coalesced gives %d rows %.300v\nnot coalesced %d rows %.300v", name, len(got.lines[name]), got.lines[name], len(lines), lines)
		}
	}
	note := regexp.MustCompile(`Coalesce: 400 partitions of [0-9.]+ B coalesced into (\d+) before`)
	inputs := map[string]*regexp.Regexp{
		"tree":     regexp.MustCompile(`tree reduction (\d+) -> 1`),
		"splitout": regexp.MustCompile(`hash shuffle (\d+) -> 4`),
		"setindex": regexp.MustCompile(`range shuffle (\d+) -> 8`),
		"merge":    regexp.MustCompile(`left (\d+) and right (\d+) partitions`),
	}
	for name, re := range inputs {
		m := note.FindStringSubmatch(got.explain[name])
		in := re.FindStringSubmatch(got.explain[name])
		if m == nil || in == nil || in[1] != m[1] || m[1] == "400" {
			t.Errorf("%s: no coalescing into fewer inputs of the step:\n%s", name, got.explain[name])
		}
		if in := re.FindStringSubmatch(want.explain[name]); in == nil || in[1] != "400" || strings.Contains(want.explain[name], "Coalesce") {
			t.Errorf("%s: coalescing switched off still changed the plan:\n%s", name, want.explain[name])
		}
	}
	t.Logf("tasks run: %d coalesced, %d not; plans coalesced:\n%s\n%s", got.tasks, want.tasks, got.explain["setindex"], got.explain["tree"])
	if got.tasks >= want.tasks {
		t.Errorf("coalesced, the cluster ran %d tasks; not coalesced %d", got.tasks, want.tasks)
	}
	f := coalesceFinding(t, ctx, on)
	if f == nil || f.Severity != "fixed" || !strings.Contains(f.Message, "400 partitions of") ||
		!strings.Contains(f.Message, "(target 16.0 KiB)") || !strings.Contains(f.Advice, "optimization.coalesce.active: false") {
		t.Fatalf("want a fixed finding coalesce-partitions with its numbers and how to turn it off, got %+v", f)
	}
	if f := coalesceFinding(t, ctx, off); f != nil {
		t.Fatalf("switched off, coalescing recorded %+v", f)
	}
}

// With the default target (128 MiB), all 400 tiny partitions become one
// before a tree reduction, and Explain shows it; a frame of 31
// partitions, however tiny, is left as it is.
func TestCoalesceDefaultTarget(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalConfig(config.New()))
	rows := makeRows(4000, 100, 7)
	for _, tc := range []struct {
		nparts int
		want   string
	}{
		{400, "into 1 before the tree reduction of GroupBy [k] Agg [sum(x)] (target 128.0 MiB)"},
		{31, "tree reduction 31 -> 1"},
	} {
		df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(tc.nparts))
		if err != nil {
			t.Fatal(err)
		}
		if ex := df.GroupBy("k").Agg(dataframe.Sum("x")).Explain(); !strings.Contains(ex, tc.want) {
			t.Errorf("%d partitions: Explain lacks %q:\n%s", tc.nparts, tc.want, ex)
		}
	}
}
