package shuffle

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func record(t testing.TB, ids []int64, keys []string) arrow.RecordBatch {
	t.Helper()
	s := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "k", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues(ids, nil)
	b.Field(1).(*array.StringBuilder).AppendValues(keys, nil)
	return b.NewRecordBatch()
}

func TestReceiverSpillsReplacesAndForgets(t *testing.T) {
	dir := t.TempDir()
	r := newReceiver(100, func() (string, error) { return dir, nil })
	ctx := context.Background()
	piece := func(n int, c byte) []byte { return bytes.Repeat([]byte{c}, n) }
	// 3 x 60 bytes into a budget of 100: spills.
	for in := range 3 {
		if err := r.Receive(ctx, topic("s1", 0, in, 0), piece(60, byte('a'+in))); err != nil {
			t.Fatal(err)
		}
	}
	st := r.stats()
	if st.Spilled == 0 || st.InMemory > 100 {
		t.Fatalf("stats %+v: want spilling within the budget", st)
	}
	// A piece sent again replaces the first (a Transfer that ran twice).
	if err := r.Receive(ctx, topic("s1", 0, 1, 0), piece(10, 'z')); err != nil {
		t.Fatal(err)
	}
	got, err := r.take("s1", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{piece(60, 'a'), piece(10, 'z'), piece(60, 'c')}
	if !slices.EqualFunc(got, want, bytes.Equal) {
		t.Fatalf("took %d pieces, not in input order or not replaced", len(got))
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "s1", "*")); len(files) != 0 {
		t.Fatalf("spill files left after take: %v", files)
	}
	// Forget drops a shuffle and refuses its later pieces.
	if err := r.Receive(ctx, topic("s2", 1, 0, 0), piece(150, 'q')); err != nil {
		t.Fatal(err)
	}
	r.forget("s2")
	if st := r.stats(); st.InMemory != 0 {
		t.Fatalf("%d bytes held after forget", st.InMemory)
	}
	if _, err := os.Stat(filepath.Join(dir, "s2")); !os.IsNotExist(err) {
		t.Fatal("the spill directory of a forgotten shuffle is still there")
	}
	if err := r.Receive(ctx, topic("s2", 1, 1, 0), piece(1, 'q')); err == nil {
		t.Fatal("a piece of a forgotten shuffle was accepted")
	}
}

func TestTargetsHashAgreesAcrossTypesAndRangeFollowsBounds(t *testing.T) {
	rec := record(t, []int64{1, 2, 3, 40, 500}, []string{"a", "b", "c", "d", "e"})
	hs := Spec{Kind: Hash, Columns: []string{"id"}, Owners: make([]string, 7)}
	a, err := Targets(rec, &hs)
	if err != nil {
		t.Fatal(err)
	}
	// The same keys as int32 go to the same outputs.
	b32 := array.NewInt32Builder(memory.DefaultAllocator)
	b32.AppendValues([]int32{1, 2, 3, 40, 500}, nil)
	s32 := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int32}}, nil)
	rec32 := array.NewRecordBatch(s32, []arrow.Array{b32.NewArray()}, 5)
	b, err := Targets(rec32, &hs)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) {
		t.Fatalf("int64 keys go to %v, int32 keys to %v", a, b)
	}
	// Strings and their dictionary encoding agree too.
	ks := Spec{Kind: Hash, Columns: []string{"k"}, Owners: make([]string, 5)}
	plain, _ := Targets(rec, &ks)
	db := array.NewDictionaryBuilder(memory.DefaultAllocator, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder)
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		db.AppendString(k)
	}
	sd := arrow.NewSchema([]arrow.Field{{Name: "k", Type: db.Type()}}, nil)
	dict, _ := Targets(array.NewRecordBatch(sd, []arrow.Array{db.NewArray()}, 5), &ks)
	if !slices.Equal(plain, dict) {
		t.Fatalf("strings go to %v, their dictionary to %v", plain, dict)
	}
	rs := Spec{Kind: Range, Columns: []string{"id"}, Owners: make([]string, 3), Bounds: []any{int64(0), int64(3), uint64(100), int64(1000)}}
	got, err := Targets(rec, &rs)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []int32{0, 0, 1, 1, 2}) {
		t.Fatalf("range targets %v", got)
	}
	parts, err := Split(rec, got, 3)
	if err != nil {
		t.Fatal(err)
	}
	if parts[0].NumRows() != 2 || parts[1].NumRows() != 2 || parts[2].NumRows() != 1 || parts[2].Column(1).ValueStr(0) != "e" {
		t.Fatalf("split into %d/%d/%d rows", parts[0].NumRows(), parts[1].NumRows(), parts[2].NumRows())
	}
}

func TestGatherKeepsValuesAndNulls(t *testing.T) {
	mem := memory.DefaultAllocator
	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{10, 11, 12, 13}, []bool{true, false, true, true})
	sb := array.NewStringBuilder(mem)
	sb.AppendValues([]string{"a", "", "ccc", "dd"}, []bool{true, false, true, true})
	fb := array.NewFloat64Builder(mem)
	fb.AppendValues([]float64{0.5, 1.5, 2.5, 3.5}, nil)
	idx := []int64{3, 1, 1, 0}
	sb2 := array.NewStringBuilder(mem)
	sb2.AppendValues([]string{"skipped", "a", "", "ccc", "dd", "skipped too"}, []bool{true, true, false, true, true, true})
	whole := sb2.NewArray()
	sliced := array.NewSlice(whole, 1, 5) // a string column that starts past its data's start
	for _, col := range []arrow.Array{ib.NewArray(), sb.NewArray(), fb.NewArray(), sliced} {
		got, err := Gather(col, idx)
		if err != nil {
			t.Fatal(err)
		}
		for i, j := range idx {
			if got.IsNull(i) != col.IsNull(int(j)) || (!got.IsNull(i) && got.ValueStr(i) != col.ValueStr(int(j))) {
				t.Fatalf("%s: row %d = %s, want %s", col.DataType(), i, got.ValueStr(i), col.ValueStr(int(j)))
			}
		}
		if err := array.ValidateFull(got); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHashRowsSameWithAndWithoutNulls checks that columns without nulls
// (hashed by loops of their own) hash their values as columns with nulls
// do, and that sliced string columns hash their own values.
func TestHashRowsSameWithAndWithoutNulls(t *testing.T) {
	ids := []int64{3, -7, 1 << 40, 0, 3}
	keys := []string{"a", "", "a longer key than most", "key042", "a"}
	plain := record(t, ids, keys)
	s := plain.Schema()
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues(append(ids, 0), []bool{true, true, true, true, true, false})
	b.Field(1).(*array.StringBuilder).AppendValues(append(keys, ""), []bool{true, true, true, true, true, false})
	nulls := b.NewRecordBatch()
	hp, err := hashRows(plain, []string{"id", "k"})
	if err != nil {
		t.Fatal(err)
	}
	hn, err := hashRows(nulls, []string{"id", "k"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(hp, hn[:len(hp)]) {
		t.Fatalf("hashes without nulls %v, with %v", hp, hn)
	}
	if hp[0] != hp[4] || hp[0] == hp[1] {
		t.Fatalf("equal rows hash apart or different rows alike: %v", hp)
	}
	hs, err := hashRows(plain.NewSlice(2, 5), []string{"id", "k"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(hs, hp[2:5]) {
		t.Fatalf("a slice hashes %v, want %v", hs, hp[2:5])
	}
}

// TestEncodePiecesCutsBySliceSize checks that a piece, a slice of a large
// reordered partition, is cut by the size of its own rows: a small slice
// is one message, a large one several, and the messages hold its rows.
func TestEncodePiecesCutsBySliceSize(t *testing.T) {
	n := maxPiece/8 + 1000 // more than maxPiece bytes of ids
	ids := make([]int64, n)
	keys := make([]string, n)
	for i := range ids {
		ids[i] = int64(i)
		keys[i] = "k"
	}
	rec := record(t, ids, keys)
	for _, c := range []struct {
		lo, hi int64
		msgs   int
	}{{10, 110, 1}, {0, int64(n), 2}} {
		msgs, err := encodePieces("x", 0, 0, 0, rec.NewSlice(c.lo, c.hi))
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != c.msgs {
			t.Fatalf("rows %d-%d: %d messages, want %d", c.lo, c.hi, len(msgs), c.msgs)
		}
		var got []int64
		for _, m := range msgs {
			rd, err := ipc.NewReader(bytes.NewReader(m.Data))
			if err != nil {
				t.Fatal(err)
			}
			for rd.Next() {
				got = append(got, rd.RecordBatch().Column(0).(*array.Int64).Int64Values()...)
			}
			rd.Release()
		}
		if !slices.Equal(got, ids[c.lo:c.hi]) {
			t.Fatalf("rows %d-%d: the messages hold %d rows, not the piece's", c.lo, c.hi, len(got))
		}
	}
}

// BenchmarkTargets places one partition of the dataframe benchmark's
// hash merge (250,000 rows of an int64 and a short string) among 40
// outputs.
func BenchmarkTargets(b *testing.B) {
	ids := make([]int64, 250_000)
	keys := make([]string, len(ids))
	for i := range ids {
		ids[i] = int64(i*7919) % 100_000
		keys[i] = fmt.Sprintf("key%03d", i%100)
	}
	rec := record(b, ids, keys)
	spec := &Spec{Kind: Hash, Columns: []string{"id", "k"}, Owners: make([]string, 40)}
	for b.Loop() {
		if _, err := Targets(rec, spec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTargetsRange places one input partition of the dataframe
// benchmark's SetIndex (250,000 random ids) among 80 ranges.
func BenchmarkTargetsRange(b *testing.B) {
	ids := make([]int64, 250_000)
	keys := make([]string, len(ids))
	for i := range ids {
		ids[i] = int64(mix(uint64(i)) % 100_000)
		keys[i] = "k"
	}
	rec := record(b, ids, keys)
	bounds := make([]any, 81)
	for j := range bounds {
		bounds[j] = int64(j * 1250)
	}
	spec := &Spec{Kind: Range, Columns: []string{"id"}, Bounds: bounds, Owners: make([]string, 80)}
	for b.Loop() {
		if _, err := Targets(rec, spec); err != nil {
			b.Fatal(err)
		}
	}
}

// TestIntRangesAgreeWithSearch compares intRanges with a binary search on
// bounds narrow and wide, negative, repeated and at the ends of int64.
func TestIntRangesAgreeWithSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sets := [][]int64{
		{0},
		{5, 5, 5},
		{-10, 0, 10},
		{math.MinInt64, 0, math.MaxInt64},
		{math.MinInt64 + 1, math.MaxInt64 - 1},
	}
	for range 20 {
		n := 1 + rng.IntN(200)
		bs := make([]int64, n)
		scale := int64(1) << rng.IntN(63)
		for i := range bs {
			bs[i] = rng.Int64N(scale) - scale/2
		}
		slices.Sort(bs)
		sets = append(sets, bs)
	}
	for _, bs := range sets {
		r := newIntRanges(bs)
		vals := []int64{math.MinInt64, math.MaxInt64, 0, -1, 1}
		for _, b := range bs {
			vals = append(vals, b-1, b, b+1)
		}
		for range 2000 {
			vals = append(vals, bs[0]+rng.Int64N(max(bs[len(bs)-1]-bs[0], 1)+1), int64(rng.Uint64()))
		}
		for _, v := range vals {
			want := sort.Search(len(bs), func(j int) bool { return bs[j] > v })
			if got := r.place(v); got != want {
				t.Fatalf("bounds %v: place(%d) = %d, want %d", bs, v, got, want)
			}
		}
	}
}

// Barrier adds up what every Transfer sent, rows and bytes, output by
// output: the sizes adaptive execution decides on.
func TestBarrierSumsRowsAndBytes(t *testing.T) {
	got, err := barrier([]Sent{
		{ID: "s", Rows: []int64{1, 0, 5}, Bytes: []int64{16, 0, 80}},
		{ID: "s", Rows: []int64{2, 3, 0}, Bytes: []int64{40, 48, 0}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Rows, got.Bytes) != "[3 3 5] [56 48 80]" {
		t.Fatalf("barrier = rows %v bytes %v; want [3 3 5] [56 48 80]", got.Rows, got.Bytes)
	}
}

// BenchmarkGatherStrings gathers a column of short strings (the dataframe
// benchmark's k) in a random order, as a sort of a partition of a million
// rows does.
func BenchmarkGatherStrings(b *testing.B) {
	const n = 1 << 20
	keys := make([]string, n)
	idx := make([]int64, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("key%03d", i%100)
		idx[i] = int64(mix(uint64(i)) % n)
	}
	rec := record(b, make([]int64, n), keys)
	col := rec.Column(1)
	for b.Loop() {
		g, err := Gather(col, idx)
		if err != nil {
			b.Fatal(err)
		}
		g.Release()
	}
}
