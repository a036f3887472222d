package dataframe_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/dataframe"
	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/internal/testcluster"
)

// adaptiveSides are the two sides of the adaptive tests' joins: left
// (id, a, v) and right (id, b).
type adaptiveSides struct {
	left, right arrow.RecordBatch
}

// skewedSides returns a left side of n rows of which three quarters have
// id 7 and the rest ids 0..ids-1, and a right side of two rows per id.
func skewedSides(n, ids int) adaptiveSides {
	lid := make([]int64, n)
	la := make([]float64, n)
	lv := make([]string, n)
	for i := range n {
		lid[i] = 7
		if i%4 == 0 {
			lid[i] = int64(i % ids)
		}
		la[i], lv[i] = float64(i)/8, "l"+strconv.Itoa(i)
	}
	rid := make([]int64, 2*ids)
	rb := make([]int64, 2*ids)
	for i := range rid {
		rid[i], rb[i] = int64(i%ids), int64(i)
	}
	return adaptiveSides{left: leftRecord(lid, la, lv), right: rightRecord(rid, rb)}
}

func leftRecord(id []int64, a []float64, v []string) arrow.RecordBatch {
	s := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "a", Type: arrow.PrimitiveTypes.Float64}, {Name: "v", Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues(id, nil)
	b.Field(1).(*array.Float64Builder).AppendValues(a, nil)
	b.Field(2).(*array.StringBuilder).AppendValues(v, nil)
	return b.NewRecordBatch()
}

func rightRecord(id, v []int64) arrow.RecordBatch {
	s := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "b", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues(id, nil)
	b.Field(1).(*array.Int64Builder).AppendValues(v, nil)
	return b.NewRecordBatch()
}

// frames places both sides on the cluster, in nl and nr partitions.
func (s adaptiveSides) frames(t testing.TB, ctx context.Context, c *dusk.Client, nl, nr int) (*dataframe.DataFrame, *dataframe.DataFrame) {
	t.Helper()
	l, err := dataframe.FromArrow(ctx, c, array.NewTableFromRecords(s.left.Schema(), []arrow.RecordBatch{s.left}), dataframe.Partitions(nl))
	if err != nil {
		t.Fatal(err)
	}
	r, err := dataframe.FromArrow(ctx, c, array.NewTableFromRecords(s.right.Schema(), []arrow.RecordBatch{s.right}), dataframe.Partitions(nr))
	if err != nil {
		t.Fatal(err)
	}
	return l, r
}

// duckJoin is the join of the sides as DuckDB computes it (the right side
// filtered by rightWhere, when given), as sorted lines.
func (s adaptiveSides) duckJoin(t *testing.T, how, rightWhere string) []string {
	t.Helper()
	e, err := engine.For(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	kind := map[string]string{"inner": "INNER", "left": "LEFT", "right": "RIGHT", "outer": "FULL OUTER"}[how]
	r := engine.ScanView("R")
	if rightWhere != "" {
		r = "SELECT * FROM (" + r + ") WHERE " + rightWhere
	}
	q := engine.WithCTE("l", engine.ScanView("L"), engine.WithCTE("r", r,
		"SELECT id, l.a, l.v, r.b FROM l "+kind+" JOIN r USING (id)"))
	rec, err := e.Query(context.Background(), q, engine.Input{Name: "L", Rec: s.left}, engine.Input{Name: "R", Rec: s.right})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	return rowsOf(t, array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec}))
}

// adaptiveFinding returns the advisor's finding of a rule, or nil.
func adaptiveFinding(t *testing.T, ctx context.Context, c *dusk.Client, rule string) *dusk.Finding {
	t.Helper()
	fs, err := c.Advise(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range fs {
		if fs[i].Rule == rule {
			return &fs[i]
		}
	}
	return nil
}

// chunks counts the partitions a computed table came in.
func chunks(tbl arrow.Table) int { return len(tbl.Column(0).Data().Chunks()) }

// transfersRun counts the shuffle Transfer tasks the cluster ran so far.
func transfersRun(c *dusk.Client) int {
	n := 0
	for _, e := range c.Local().Events().Snapshot() {
		if e.Kind == event.TaskRun && strings.Contains(e.Key, "shuffle_transfer") {
			n++
		}
	}
	return n
}

// A merge whose key 7 holds three quarters of the left side's rows: the
// shuffle output that receives key 7 is cut into pieces, each joined with
// the right side's matching output, for inner and left joins (the rule:
// only a side whose partner's unmatched rows are not kept may be cut);
// right and outer joins keep it whole. Every result is DuckDB's; the cut
// shows in Explain after the run and among the advisor's findings.
func TestAdaptiveSkewedMergeSplits(t *testing.T) {
	ctx := testContext(t)
	on := coalesceCluster(t, ctx, "optimization.coalesce.target", "64KiB", "optimization.adaptive.skew-bytes", "16KiB")
	off := coalesceCluster(t, ctx, "optimization.coalesce.target", "64KiB", "optimization.adaptive.active", "false")
	sides := skewedSides(40000, 1000)
	cut := regexp.MustCompile(`adaptive: shuffle output \d+ of 16 holds [0-9.]+ KiB of the left side \(median [0-9.]+ KiB; skew factor 5, skew bytes 16.0 KiB\): cut into (\d+) pieces, each joined with the right side's output \d+`)
	for _, how := range []string{"inner", "left", "right", "outer"} {
		want := sides.duckJoin(t, how, "")
		for name, c := range map[string]*dusk.Client{"on": on, "off": off} {
			l, r := sides.frames(t, ctx, c, 16, 4)
			m := l.Merge(r, []string{"id"}, how, dataframe.Strategy(dataframe.StrategyShuffle))
			if ex := m.Explain(); strings.Contains(ex, "adaptive:") {
				t.Fatalf("%s %s: Explain shows adaptive decisions before any run:\n%s", how, name, ex)
			}
			tbl := mustCompute(t, ctx, m)
			if got := rowsOf(t, tbl); len(want) < 40000 || !slices.Equal(got, want) {
				t.Fatalf("%s, adaptive %s: %d rows, DuckDB %d rows\n%.300v\n%.300v", how, name, len(got), len(want), got, want)
			}
			ex := m.Explain()
			match := cut.FindStringSubmatch(ex)
			switch {
			case name == "off" && strings.Contains(ex, "adaptive:"):
				t.Errorf("%s: adaptive execution switched off still decided:\n%s", how, ex)
			case name == "on" && (how == "inner" || how == "left") && (match == nil || match[1] == "1"):
				t.Errorf("%s: the skewed output was not cut:\n%s", how, ex)
			case name == "on" && (how == "right" || how == "outer") && strings.Contains(ex, "cut into"):
				t.Errorf("%s: a side whose partner keeps its unmatched rows was cut:\n%s", how, ex)
			}
			if match != nil {
				k, _ := strconv.Atoi(match[1])
				// 16 outputs: the cut one becomes k partitions, the others
				// are coalesced into fewer than 15.
				if n := chunks(tbl); n <= k || n >= k+15 {
					t.Errorf("%s: %d partitions computed; want the %d pieces and fewer than 15 others", how, n, k)
				}
			}
		}
	}
	f := adaptiveFinding(t, ctx, on, "adaptive-skew")
	if f == nil || f.Severity != "fixed" || !strings.Contains(f.Message, "Merge how=inner on=[id]: shuffle output") ||
		!strings.Contains(f.Advice, "optimization.adaptive.active: false") {
		t.Fatalf("want a fixed finding adaptive-skew naming the Merge and how to turn it off, got %+v", f)
	}
	if f := adaptiveFinding(t, ctx, off, "adaptive-skew"); f != nil {
		t.Fatalf("switched off, adaptive execution recorded %+v", f)
	}
}

// A shuffle of tiny sides into 40 outputs: the outputs are read as one
// downstream partition (the default target is 128 MiB), so the cluster
// runs fewer tasks, and the result is DuckDB's, as without adaptive
// execution.
func TestAdaptiveCoalescesTinyShuffleOutputs(t *testing.T) {
	ctx := testContext(t)
	sides := skewedSides(2000, 300)
	want := sides.duckJoin(t, "inner", "")
	run := func(c *dusk.Client) (arrow.Table, string, int) {
		l, r := sides.frames(t, ctx, c, 40, 40)
		m := l.Merge(r, []string{"id"}, "inner", dataframe.Strategy(dataframe.StrategyShuffle))
		before := tasksRun(c)
		tbl := mustCompute(t, ctx, m)
		return tbl, m.Explain(), tasksRun(c) - before
	}
	onTbl, onEx, onTasks := run(newCluster(t, ctx))
	off := coalesceCluster(t, ctx, "optimization.adaptive.active", "false")
	offTbl, offEx, offTasks := run(off)
	for name, tbl := range map[string]arrow.Table{"on": onTbl, "off": offTbl} {
		if got := rowsOf(t, tbl); !slices.Equal(got, want) {
			t.Fatalf("adaptive %s: %d rows, DuckDB %d rows", name, len(got), len(want))
		}
	}
	if !strings.Contains(onEx, "adaptive: 40 of the 40 shuffle outputs (") || !strings.Contains(onEx, "read as 1 partition (target 128.0 MiB): 1 partition instead of 40") {
		t.Errorf("no coalescing of the shuffle outputs in Explain:\n%s", onEx)
	}
	if strings.Contains(offEx, "adaptive:") {
		t.Errorf("switched off, adaptive execution decided:\n%s", offEx)
	}
	if chunks(onTbl) != 1 || chunks(offTbl) != 40 {
		t.Errorf("partitions computed: %d adaptive, %d not; want 1 and 40", chunks(onTbl), chunks(offTbl))
	}
	if onTasks >= offTasks {
		t.Errorf("adaptive, the cluster ran %d tasks; not adaptive %d", onTasks, offTasks)
	}
}

// A merge whose right side a filter makes small (the plan cannot know: it
// estimates the filter's output as large as its input, over the broadcast
// threshold, and plans a hash shuffle): after the right side's map side
// has run, the join becomes a broadcast of it, and the left side is not
// shuffled at all. The result is DuckDB's. A right join, whose right side
// cannot be broadcast, stays a shuffle of both sides.
func TestAdaptiveBroadcastsAFilteredSmallSide(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	sides := skewedSides(20000, 5000)
	l, r := sides.frames(t, ctx, c, 8, 6)
	small := r.Filter("b < 40")
	for _, tc := range []struct {
		how       string
		broadcast bool
	}{{"inner", true}, {"left", true}, {"right", false}} {
		m := l.Merge(small, []string{"id"}, tc.how, dataframe.BroadcastThreshold(40<<10))
		if ex := m.Explain(); !strings.Contains(ex, "strategy=hash-shuffle") {
			t.Fatalf("%s: the plan is not a hash shuffle:\n%s", tc.how, ex)
		}
		before := transfersRun(c)
		tbl := mustCompute(t, ctx, m)
		transfers := transfersRun(c) - before
		if got, want := rowsOf(t, tbl), sides.duckJoin(t, tc.how, "b < 40"); len(want) == 0 || !slices.Equal(got, want) {
			t.Fatalf("%s: %d rows, DuckDB %d rows\n%.300v\n%.300v", tc.how, len(got), len(want), got, want)
		}
		ex := m.Explain()
		line := "adaptive: the right side is "
		switched := strings.Contains(ex, line) && strings.Contains(ex, "under the broadcast threshold 40.0 KiB: switched to a broadcast of it to each of the left side's 8 partitions (the left side was not shuffled)")
		switch {
		case tc.broadcast && (!switched || transfers != 6 || chunks(tbl) != 8):
			t.Errorf("%s: want a switch to broadcast with the right side's 6 transfers only and 8 partitions; ran %d transfers, %d partitions:\n%s", tc.how, transfers, chunks(tbl), ex)
		case !tc.broadcast && (strings.Contains(ex, "switched to a broadcast") || transfers != 14):
			t.Errorf("%s: want both sides shuffled (14 transfers), ran %d:\n%s", tc.how, transfers, ex)
		}
	}
	if f := adaptiveFinding(t, ctx, c, "adaptive-broadcast"); f == nil || f.Severity != "fixed" || !strings.Contains(f.Message, "Merge how=inner on=[id]: the right side is") {
		t.Fatalf("want a fixed finding adaptive-broadcast, got %+v", f)
	}
}

// BenchmarkSkewedMerge joins a left side whose one key holds three
// quarters of 400,000 rows with a right side of two rows per key, by a
// hash shuffle, with adaptive execution on (the skewed output cut into
// pieces joined in parallel), on with nothing skewed enough to cut (what
// running the map side first costs), and off.
func BenchmarkSkewedMerge(b *testing.B) {
	ctx := testcluster.Context(b)
	sides := skewedSides(400000, 2000)
	for _, tc := range []struct{ name, active, skewBytes string }{
		{"adaptive", "true", "1MiB"},
		{"adaptive-no-cut", "true", "1GiB"},
		{"not-adaptive", "false", "1MiB"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := benchCluster(b, ctx, "optimization.adaptive.active", tc.active, "optimization.coalesce.target", "1MiB", "optimization.adaptive.skew-bytes", tc.skewBytes)
			l, r := sides.frames(b, ctx, c, 16, 4)
			m := l.Merge(r, []string{"id"}, "inner", dataframe.Strategy(dataframe.StrategyShuffle))
			b.ResetTimer()
			for b.Loop() {
				tbl, err := m.Compute(ctx)
				if err != nil {
					b.Fatal(err)
				}
				tbl.Release()
			}
			b.StopTimer()
			b.Log(firstAdaptiveLine(m.Explain()))
		})
	}
}

func firstAdaptiveLine(ex string) string {
	for _, l := range strings.Split(ex, "\n") {
		if strings.Contains(l, "adaptive:") {
			return strings.TrimSpace(l)
		}
	}
	return "no adaptive decision"
}

// benchCluster is coalesceCluster for benchmarks.
func benchCluster(b *testing.B, ctx context.Context, settings ...string) *dusk.Client {
	b.Helper()
	cfg := config.New()
	for i := 0; i+1 < len(settings); i += 2 {
		if err := cfg.Set(settings[i], settings[i+1]); err != nil {
			b.Fatal(err)
		}
	}
	return testcluster.New(b, ctx, nil, dusk.LocalConfig(cfg))
}

// A worker process killed while an adaptive Merge runs its map side: the
// computation starts again (as for any shuffle) and its result is the
// one computed without a kill.
func TestAdaptiveMergeSurvivesAKilledWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalProcesses(), dusk.LocalWorkers(2), dusk.LocalThreads(2))
	dir := t.TempDir()
	rows := makeRows(40000, 1000, 9)
	for f := range 8 {
		writeCSV(t, dir, fmt.Sprintf("part-%d.csv", f), rows[f*5000:(f+1)*5000])
	}
	// The right side is read from a file too: a side placed from memory
	// (FromRecords) dies with the worker that held it.
	rdir := t.TempDir()
	writeCSV(t, rdir, "right.csv", makeRows(2000, 1000, 5))
	right := dataframe.ReadCSV(c, filepath.Join(rdir, "right.csv"))
	df := dataframe.ReadCSV(c, filepath.Join(dir, "*.csv"))
	merge := func(left *dataframe.DataFrame) *dataframe.DataFrame {
		return left.Merge(right, []string{"id"}, "inner", dataframe.Strategy(dataframe.StrategyShuffle))
	}
	plain := merge(df)
	want := rowsOf(t, mustCompute(t, ctx, plain))
	if len(want) != 80000 || !strings.Contains(plain.Explain(), "adaptive: ") {
		t.Fatalf("%d rows, want 80000; Explain:\n%s", len(want), plain.Explain())
	}

	marker := filepath.Join(dir, "kill")
	writeFile(t, marker, "")
	restarts := dataframe.ShuffleRestarts()
	killed := merge(df.MapPartitions(killOnce, dataframe.Args(marker)))
	got := rowsOf(t, mustCompute(t, ctx, killed))
	if _, err := os.Stat(marker + ".killed"); errors.Is(err, os.ErrNotExist) {
		t.Fatal("no worker was killed")
	}
	if !slices.Equal(got, want) {
		t.Fatalf("after a worker was killed: %d rows, want %d", len(got), len(want))
	}
	if dataframe.ShuffleRestarts() <= restarts {
		t.Fatal("the computation did not start again")
	}
}

// Adaptive execution reaches a Merge through steps that work partition by
// partition (Filter, Assign, Select): the result is DuckDB's and Explain
// of the derived frame shows the decision under the Merge. A Merge read by
// a group-by keeps the planned partitions: no decision, the same rows.
func TestAdaptiveThroughPerPartitionSteps(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	sides := skewedSides(3000, 200)
	l, r := sides.frames(t, ctx, c, 40, 40)
	m := l.Merge(r, []string{"id"}, "inner", dataframe.Strategy(dataframe.StrategyShuffle))
	derived := m.Filter("b % 2 = 0").Assign("c", "b * 2").Select("id", "a", "v", "b")
	tbl := mustCompute(t, ctx, derived)
	want := sides.duckJoin(t, "inner", "b % 2 = 0")
	if got := rowsOf(t, tbl); len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("%d rows, DuckDB %d", len(got), len(want))
	}
	if ex := derived.Explain(); chunks(tbl) != 1 || !strings.Contains(ex, "  adaptive: 40 of the 40 shuffle outputs") {
		t.Errorf("%d partitions computed; want 1, and the decision in Explain:\n%s", chunks(tbl), ex)
	}

	// Not where the partition count is planned on.
	m3 := l.Merge(r, []string{"id"}, "inner", dataframe.Strategy(dataframe.StrategyShuffle))
	g := m3.GroupBy("id").Agg(dataframe.Sum("b"))
	gl := rowsOf(t, mustCompute(t, ctx, g))
	e, err := engine.For(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	q := engine.WithCTE("l", engine.ScanView("L"), engine.WithCTE("r", engine.ScanView("R"),
		"SELECT id, sum(r.b) AS b FROM l JOIN r USING (id) GROUP BY id"))
	rec, err := e.Query(context.Background(), q, engine.Input{Name: "L", Rec: sides.left}, engine.Input{Name: "R", Rec: sides.right})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if want := rowsOf(t, array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})); !slices.Equal(gl, want) {
		t.Errorf("group-by over the merge: %d rows %.200v, DuckDB %d %.200v", len(gl), gl, len(want), want)
	}
	if ex := g.Explain(); strings.Contains(ex, "adaptive:") {
		t.Errorf("a Merge read by a group-by adapted:\n%s", ex)
	}
}

// Persist adapts too: the persisted frame has the partitions the run made
// (the skewed output's pieces, the coalesced runs), and no claim of a hash
// placement on the key: merged with a frame hash-placed on the key into
// as many partitions, it is not joined partition by partition (which
// would lose rows), and the result is DuckDB's.
func TestAdaptivePersist(t *testing.T) {
	ctx := testContext(t)
	c := coalesceCluster(t, ctx, "optimization.coalesce.target", "64KiB", "optimization.adaptive.skew-bytes", "16KiB")
	sides := skewedSides(40000, 1000)
	l, r := sides.frames(t, ctx, c, 16, 4)
	m := l.Merge(r, []string{"id"}, "inner", dataframe.Strategy(dataframe.StrategyShuffle))
	p, err := m.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release()
	n := p.NPartitions()
	if ex := m.Explain(); n == 16 || !strings.Contains(ex, "adaptive: shuffle output") {
		t.Fatalf("persisted into %d partitions (planned 16); Explain:\n%s", n, ex)
	}
	tbl := mustCompute(t, ctx, p)
	if got, want := rowsOf(t, tbl), sides.duckJoin(t, "inner", ""); !slices.Equal(got, want) || chunks(tbl) != n {
		t.Fatalf("persisted: %d rows in %d partitions, DuckDB %d rows", len(got), chunks(tbl), len(want))
	}

	sums := r.GroupBy("id").SplitOut(n).Agg(dataframe.Sum("b"))
	j := p.Merge(sums, []string{"id"}, "inner", dataframe.BroadcastThreshold(0))
	if ex := j.Explain(); strings.Contains(ex, "no data moved") {
		t.Fatalf("the adapted partitions were taken as hash-placed:\n%s", ex)
	}
	e, err := engine.For(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	q := engine.WithCTE("l", engine.ScanView("L"), engine.WithCTE("r", engine.ScanView("R"),
		"SELECT id, l.a, l.v, r.b, s.b_sum FROM l JOIN r USING (id) JOIN (SELECT id, sum(b) AS b_sum FROM r GROUP BY id) s USING (id)"))
	rec, err := e.Query(context.Background(), q, engine.Input{Name: "L", Rec: sides.left}, engine.Input{Name: "R", Rec: sides.right})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	want := rowsOf(t, array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec}))
	if got := rowsOf(t, mustCompute(t, ctx, j)); len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("merge of the persisted frame: %d rows, DuckDB %d\n%.300v\n%.300v", len(got), len(want), got, want)
	}
}

// The writers and Len take the partitions the run makes: ToParquet of an
// adapted Merge writes one file per adapted partition, read back as
// DuckDB's join; Len counts its rows.
func TestAdaptiveWriteAndLen(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	sides := skewedSides(3000, 200)
	l, r := sides.frames(t, ctx, c, 40, 40)
	m := l.Merge(r, []string{"id"}, "left", dataframe.Strategy(dataframe.StrategyShuffle))
	want := sides.duckJoin(t, "left", "")
	n, err := m.Len(ctx)
	if err != nil || n != int64(len(want)) {
		t.Fatalf("Len = %d, %v; DuckDB has %d rows", n, err, len(want))
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := m.ToParquet(ctx, dir); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "part.*.parquet"))
	if err != nil || len(files) != 1 {
		t.Fatalf("%d files written (%v); want 1, the 40 outputs coalesced:\n%s", len(files), err, m.Explain())
	}
	back := mustCompute(t, ctx, dataframe.ReadParquet(c, dir))
	if got := rowsOf(t, back); !slices.Equal(got, want) {
		t.Fatalf("read back %d rows, DuckDB %d", len(got), len(want))
	}
}
