package dataframe_test

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// idRow is the adaptive shuffle tests' data: an index and a value.
type idRow struct {
	ID int64   `df:"id"`
	X  float64 `df:"x"`
}

// sumsByID returns sum(x) per id of rows, as a plain computation.
func sumsByID(rows []idRow) map[int64]float64 {
	out := map[int64]float64{}
	for _, r := range rows {
		out[r.ID] += r.X
	}
	return out
}

// sumsOf reads a group-by result (id, x_sum), failing on a key seen twice
// (a group split between partitions).
func sumsOf(t *testing.T, tbl arrow.Table) map[int64]float64 {
	t.Helper()
	out := map[int64]float64{}
	ids, xs := tbl.Column(0).Data().Chunks(), tbl.Column(1).Data().Chunks()
	for c := range ids {
		id, x := ids[c].(*array.Int64), xs[c].(*array.Float64)
		for i := range id.Len() {
			if _, dup := out[id.Value(i)]; dup {
				t.Fatalf("group %d is in the result twice", id.Value(i))
			}
			out[id.Value(i)] = x.Value(i)
		}
	}
	return out
}

// idsByChunk returns each partition's ids, in order.
func idsByChunk(tbl arrow.Table) [][]int64 {
	var out [][]int64
	for _, ch := range tbl.Column(0).Data().Chunks() {
		out = append(out, slices.Clone(ch.(*array.Int64).Int64Values()))
	}
	return out
}

// SplitOut group-bys over tiny data: the 40 shuffle outputs are read as
// one partition a worker (the default target is 128 MiB, and a run is of
// one owner's outputs), shown in Explain after the run; 16 outputs, under
// the 32 the planner coalesces from, are read as planned; switched off,
// the 40 planned partitions. The sums are the plain computation's.
func TestAdaptiveGroupBySplitOutCoalesces(t *testing.T) {
	ctx := testContext(t)
	rows := make([]idRow, 3000)
	for i := range rows {
		rows[i] = idRow{ID: int64(i % 500), X: float64(i % 7)}
	}
	want := sumsByID(rows)
	on := newCluster(t, ctx)
	for _, tc := range []struct {
		name     string
		c        *dusk.Client
		splitOut int
		chunks   int
	}{
		{"on", on, 40, 2},
		{"on, 16 outputs", on, 16, 16},
		{"off", coalesceCluster(t, ctx, "optimization.adaptive.active", "false"), 40, 40},
	} {
		df, err := dataframe.FromRecords(ctx, tc.c, rows, dataframe.Partitions(8))
		if err != nil {
			t.Fatal(err)
		}
		g := df.GroupBy("id").SplitOut(tc.splitOut).Agg(dataframe.Sum("x"))
		if ex := g.Explain(); strings.Contains(ex, "adaptive:") || !strings.Contains(ex, fmt.Sprintf("hash shuffle 8 -> %d partitions", tc.splitOut)) {
			t.Fatalf("%s: before any run:\n%s", tc.name, ex)
		}
		tbl := mustCompute(t, ctx, g)
		if got := sumsOf(t, tbl); !maps.Equal(got, want) {
			t.Fatalf("%s: %d groups, want %d", tc.name, len(got), len(want))
		}
		ex := g.Explain()
		line := regexp.MustCompile(`  adaptive: 40 of the 40 shuffle outputs \([0-9.]+ (KiB|B) in all\) read as 2 partitions \(target 128.0 MiB\): 2 partitions instead of 40`)
		if chunks(tbl) != tc.chunks || (tc.name == "on") != line.MatchString(ex) || (tc.name != "on" && strings.Contains(ex, "adaptive:")) {
			t.Errorf("%s: %d partitions computed, want %d; Explain:\n%s", tc.name, chunks(tbl), tc.chunks, ex)
		}
	}
}

// keysIn returns n integer keys, from 0 up, that a hash shuffle into nout
// outputs places in output out (when in is true) or elsewhere.
func keysIn(t *testing.T, nout, out, n int, in bool) []int64 {
	t.Helper()
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	for v := range int64(200 * n) {
		b.Append(v)
	}
	col := b.NewArray()
	s := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rec := array.NewRecordBatch(s, []arrow.Array{col}, int64(col.Len()))
	targets, err := shuffle.Targets(rec, &shuffle.Spec{Kind: shuffle.Hash, Columns: []string{"id"}, Owners: make([]string, nout)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []int64
	for v, tg := range targets {
		if (int(tg) == out) == in && len(keys) < n {
			keys = append(keys, int64(v))
		}
	}
	if len(keys) < n {
		t.Fatalf("found %d keys, want %d", len(keys), n)
	}
	return keys
}

// A SplitOut group-by whose output 3 of 40 receives 4,000 of the 4,450
// keys:
// its partial results are cut into pieces by a finer hash of the key, each
// group in one piece (the sums are the plain computation's, no key
// twice), the other outputs coalesced; the decision shows in Explain and
// among the advisor's findings.
func TestAdaptiveGroupBySplitOutSkew(t *testing.T) {
	ctx := testContext(t)
	on := coalesceCluster(t, ctx, "optimization.coalesce.target", "64KiB", "optimization.adaptive.skew-bytes", "16KiB")
	off := coalesceCluster(t, ctx, "optimization.coalesce.target", "64KiB", "optimization.adaptive.skew-bytes", "16KiB", "optimization.adaptive.active", "false")
	keys := append(keysIn(t, 40, 3, 4000, true), keysIn(t, 40, 3, 450, false)...)
	var rows []idRow
	for r := range 6 {
		for i, k := range keys {
			rows = append(rows, idRow{ID: k, X: float64((i + r) % 11)})
		}
	}
	want := sumsByID(rows)
	cut := regexp.MustCompile(`adaptive: shuffle output 3 of 40 holds [0-9.]+ KiB in \d+ rows \(median [0-9.]+ (KiB|B); skew factor 5, skew bytes 16.0 KiB\) of partial results from (\d+) inputs, so several groups: cut into (\d+) pieces by a finer hash of \[id\] \(no group split\)`)
	for name, c := range map[string]*dusk.Client{"on": on, "off": off} {
		df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(6))
		if err != nil {
			t.Fatal(err)
		}
		g := df.GroupBy("id").SplitOut(40).Agg(dataframe.Sum("x"))
		tbl := mustCompute(t, ctx, g)
		if got := sumsOf(t, tbl); !maps.Equal(got, want) {
			t.Fatalf("%s: %d groups, want %d", name, len(got), len(want))
		}
		ex := g.Explain()
		m := cut.FindStringSubmatch(ex)
		if name == "off" {
			if strings.Contains(ex, "adaptive:") || chunks(tbl) != 40 {
				t.Errorf("switched off: %d partitions (want 40); Explain:\n%s", chunks(tbl), ex)
			}
			continue
		}
		if m == nil || m[3] == "1" {
			t.Fatalf("the skewed output was not cut:\n%s", ex)
		}
		var k int
		fmt.Sscan(m[3], &k)
		// Output 3's pieces, and the 39 others coalesced into fewer.
		if n := chunks(tbl); n <= k || n >= k+39 {
			t.Errorf("%d partitions computed; want the %d pieces and fewer than 39 others:\n%s", n, k, ex)
		}
	}
	if f := adaptiveFinding(t, ctx, on, "adaptive-skew"); f == nil || !strings.Contains(f.Message, "GroupBy [id] Agg [sum(x)]: shuffle output 3 of 40") {
		t.Fatalf("want a finding adaptive-skew naming the group-by, got %+v", f)
	}
}

// sortedRows returns rows' ids sorted, as a plain computation of SetIndex
// (its ids in order).
func sortedIDs(rows []idRow) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	slices.Sort(out)
	return out
}

// checkRanges checks that a range-partitioned result holds every id of
// want in order, each partition within its divisions (the last one
// closed), no id in two partitions, and the divisions exact at the ends.
func checkRanges(t *testing.T, name string, tbl arrow.Table, d *dataframe.Divisions, want []int64) {
	t.Helper()
	parts := idsByChunk(tbl)
	if d == nil || len(d.Bounds) != len(parts)+1 {
		t.Fatalf("%s: %d partitions, divisions %v", name, len(parts), d)
	}
	if d.Bounds[0] != want[0] || d.Bounds[len(d.Bounds)-1] != want[len(want)-1] {
		t.Errorf("%s: divisions %v; want them from %d to %d", name, d.Bounds, want[0], want[len(want)-1])
	}
	var all []int64
	where := map[int64]int{}
	for i, p := range parts {
		lo, hi := d.Bounds[i].(int64), d.Bounds[i+1].(int64)
		for _, v := range p {
			if v < lo || v > hi || (v == hi && i < len(parts)-1) {
				t.Fatalf("%s: partition %d holds %d, out of its divisions [%d, %d)", name, i, v, lo, hi)
			}
			if w, ok := where[v]; ok && w != i {
				t.Fatalf("%s: value %d is in partitions %d and %d", name, v, w, i)
			}
			where[v] = i
		}
		all = append(all, p...)
	}
	if !slices.Equal(all, want) {
		t.Fatalf("%s: %d ids, not those of the data in order (%d)", name, len(all), len(want))
	}
}

// SetIndex and SortValues over tiny data: the ranges are read as one
// partition a worker (two: divisions the data's least id, one planned
// between, and its greatest id), persisted so;
// switched off, the 40 planned partitions and divisions. The rows are the
// sorted data either way; descending, in descending order.
func TestAdaptiveSetIndexCoalesces(t *testing.T) {
	ctx := testContext(t)
	rows := make([]idRow, 4000)
	for i := range rows {
		rows[i] = idRow{ID: int64((i * 7919) % 3001), X: float64(i)}
	}
	want := sortedIDs(rows)
	for _, tc := range []struct {
		name   string
		c      *dusk.Client
		nparts int
	}{
		{"on", newCluster(t, ctx), 2},
		{"off", coalesceCluster(t, ctx, "optimization.adaptive.active", "false"), 40},
	} {
		df, err := dataframe.FromRecords(ctx, tc.c, rows, dataframe.Partitions(16))
		if err != nil {
			t.Fatal(err)
		}
		si, err := df.SetIndex(ctx, "id", dataframe.OutPartitions(40))
		if err != nil {
			t.Fatal(err)
		}
		planned := si.Divisions()
		if ex := si.Explain(); strings.Contains(ex, "adaptive:") || si.NPartitions() != 40 {
			t.Fatalf("%s: before any run, %d partitions:\n%s", tc.name, si.NPartitions(), ex)
		}
		p, err := si.Persist(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ex := si.Explain()
		if p.NPartitions() != tc.nparts {
			t.Errorf("%s: persisted %d partitions, want %d:\n%s", tc.name, p.NPartitions(), tc.nparts, ex)
		}
		checkRanges(t, tc.name, mustCompute(t, ctx, p), p.Divisions(), want)
		switch tc.name {
		case "on":
			b := p.Divisions().Bounds
			if !strings.Contains(ex, "  adaptive: 40 of the 40 shuffle outputs (") || !strings.Contains(ex, "read as 2 partitions (target 128.0 MiB): 2 partitions instead of 40") ||
				!strings.Contains(ex, fmt.Sprintf("adaptive: divisions %v", b)) || !slices.Contains(planned.Bounds, b[1]) {
				t.Errorf("no coalescing in Explain, or divisions %v not of the planned %v:\n%s", b, planned.Bounds, ex)
			}
		case "off":
			if strings.Contains(ex, "adaptive:") || fmt.Sprint(p.Divisions()) != fmt.Sprint(planned) {
				t.Errorf("switched off: divisions %v, planned %v; Explain:\n%s", p.Divisions(), planned, ex)
			}
		}
		p.Release()

		desc, err := df.SortValues(ctx, []string{"id"}, dataframe.Descending(), dataframe.OutPartitions(40))
		if err != nil {
			t.Fatal(err)
		}
		tbl := mustCompute(t, ctx, desc)
		var got []int64
		for _, ch := range idsByChunk(tbl) {
			got = append(got, ch...)
		}
		rev := slices.Clone(want)
		slices.Reverse(rev)
		if !slices.Equal(got, rev) || chunks(tbl) != tc.nparts {
			t.Errorf("%s: SortValues descending: %d partitions (want %d), in order %t", tc.name, chunks(tbl), tc.nparts, slices.Equal(got, rev))
		}
	}
}

// skewedIndex returns rows whose ids 0..999 (the first of 40 ranges of
// 1000 given as divisions) hold 40,001 rows (all of id 0 when one is
// set), the other ranges 40 rows each; ids run from 0 to 40000.
func skewedIndex(one bool) []idRow {
	var rows []idRow
	for i := range 40000 {
		id := int64((i * 7) % 997)
		if one {
			id = 0
		}
		rows = append(rows, idRow{ID: id, X: float64(i)})
	}
	rows = append(rows, idRow{ID: 0}, idRow{ID: 40000})
	for r := 1; r < 40; r++ {
		for i := range 40 {
			rows = append(rows, idRow{ID: int64(1000*r + 7*i), X: 1})
		}
	}
	return rows
}

// SetIndex with divisions that put most rows in the first range: the
// range is cut at index values a sample of it holds (new divisions inside
// it, each piece within its divisions, no value in two pieces), the small
// ranges coalesced; persisted with the divisions the run made. A range
// of one hot value is not cut (rows of one value stay together).
// Switched off, the 40 planned ranges.
func TestAdaptiveSetIndexSkew(t *testing.T) {
	ctx := testContext(t)
	on := coalesceCluster(t, ctx, "optimization.coalesce.target", "64KiB", "optimization.adaptive.skew-bytes", "16KiB")
	off := coalesceCluster(t, ctx, "optimization.coalesce.target", "64KiB", "optimization.adaptive.skew-bytes", "16KiB", "optimization.adaptive.active", "false")
	bounds := make([]int64, 41)
	for i := range bounds {
		bounds[i] = int64(1000 * i)
	}
	cut := regexp.MustCompile(`adaptive: shuffle output 0 of 40 holds [0-9.]+ KiB in 40001 rows \(median [0-9.]+ (KiB|B); skew factor 5, skew bytes 16.0 KiB\), range \[0, 1000\) of id: cut into (\d+) ranges at id = `)
	for _, one := range []bool{false, true} {
		rows := skewedIndex(one)
		want := sortedIDs(rows)
		for name, c := range map[string]*dusk.Client{"on": on, "off": off} {
			name := fmt.Sprintf("%s, one value %t", name, one)
			df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(8))
			if err != nil {
				t.Fatal(err)
			}
			si, err := df.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds(bounds...)))
			if err != nil {
				t.Fatal(err)
			}
			p, err := si.Persist(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Release()
			tbl := mustCompute(t, ctx, p)
			checkRanges(t, name, tbl, p.Divisions(), want)
			ex := si.Explain()
			m := cut.FindStringSubmatch(ex)
			switch {
			case strings.HasPrefix(name, "off"):
				if strings.Contains(ex, "adaptive:") || p.NPartitions() != 40 {
					t.Errorf("%s: %d partitions, want 40:\n%s", name, p.NPartitions(), ex)
				}
			case one:
				if m != nil || !strings.Contains(ex, "its sample holds one value, not cut (rows of one value stay together)") {
					t.Errorf("%s: a range of one value was cut, or no line says why not:\n%s", name, ex)
				}
				// The hot range alone, the 39 others coalesced.
				if parts := idsByChunk(tbl); len(parts) >= 40 || len(parts[0]) != 40001 {
					t.Errorf("%s: %d partitions, the first of %d rows:\n%s", name, len(parts), len(parts[0]), ex)
				}
			default:
				if m == nil {
					t.Fatalf("%s: the skewed range was not cut:\n%s", name, ex)
				}
				var k int
				fmt.Sscan(m[2], &k)
				b := p.Divisions().Bounds
				if k < 2 || len(b) < k+2 || b[k] != int64(1000) {
					t.Errorf("%s: cut into %d, divisions %v; want %d ranges up to 1000, then the coalesced others", name, k, b, k)
				}
				if p.NPartitions() >= k+39 {
					t.Errorf("%s: %d partitions; want the %d pieces and fewer than 39 others", name, p.NPartitions(), k)
				}
			}
		}
	}
	if f := adaptiveFinding(t, ctx, on, "adaptive-skew"); f == nil || !strings.Contains(f.Message, "SetIndex [id]: shuffle output 0 of 40") {
		t.Fatalf("want a finding adaptive-skew naming the SetIndex, got %+v", f)
	}
}
