package shuffle

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// plainRecord returns n rows of every type the piece layout holds, with
// nulls in every other column when nulls is set.
func plainRecord(t *testing.T, n int, nulls bool, seed uint64) arrow.RecordBatch {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	fields := []arrow.Field{
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
		{Name: "ts", Type: arrow.FixedWidthTypes.Timestamp_us, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "d32", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))
	defer b.Release()
	valid := func(col int) bool { return !nulls || col%2 == 0 || rng.IntN(4) != 0 }
	for range n {
		for c := range fields {
			fb := b.Field(c)
			if !valid(c) {
				fb.AppendNull()
				continue
			}
			switch x := fb.(type) {
			case *array.Int64Builder:
				x.Append(rng.Int64() - rng.Int64())
			case *array.StringBuilder:
				x.Append(strings.Repeat("xy", rng.IntN(5)))
			case *array.Float64Builder:
				x.Append(rng.NormFloat64())
			case *array.BooleanBuilder:
				x.Append(rng.IntN(2) == 0)
			case *array.Int32Builder:
				x.Append(rng.Int32())
			case *array.Uint8Builder:
				x.Append(uint8(rng.Uint32()))
			case *array.TimestampBuilder:
				x.Append(arrow.Timestamp(rng.Int64()))
			case *array.BinaryBuilder:
				x.Append([]byte{byte(rng.Uint32()), 0, byte(rng.Uint32())}[:rng.IntN(4)])
			case *array.Date32Builder:
				x.Append(arrow.Date32(rng.Int32()))
			}
		}
	}
	return b.NewRecordBatch()
}

// TestPiecesRoundTrip cuts records (whole and sliced, with and without
// nulls) into pieces by random targets and checks that each output's
// pieces assemble into exactly its rows, in order.
func TestPiecesRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n      int
		nulls  bool
		slice  bool
		nout   int
		chunks int
	}{
		{"plain", 1000, false, false, 7, 1},
		{"nulls", 1000, true, false, 7, 3},
		{"sliced", 1000, true, true, 5, 2},
		{"one output", 37, true, false, 1, 4},
		{"empty", 0, false, false, 3, 1},
		{"first outputs empty", 40, true, false, 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := plainRecord(t, tc.n, tc.nulls, uint64(tc.n))
			defer rec.Release()
			if tc.slice {
				s := rec.NewSlice(13, int64(tc.n-29))
				defer s.Release()
				rec = s
			}
			if !plainSchema(rec.Schema()) {
				t.Fatal("the test's schema should fit the piece layout")
			}
			rng := rand.New(rand.NewPCG(7, 7))
			targets := make([]int32, rec.NumRows())
			for i := range targets {
				targets[i] = int32(rng.IntN(tc.nout))
				if tc.name == "first outputs empty" {
					// Two pieces of the last output, as many pieces as
					// outputs, but not one each.
					targets[i] = int32(tc.nout - 1)
				}
			}
			w := newPieceWriter(rec)
			per := max(int(rec.NumRows())/tc.nout/tc.chunks, 1)
			all, err := w.writeAll(targets, tc.nout, per)
			if err != nil {
				t.Fatal(err)
			}
			byOut := make([][][]byte, tc.nout)
			for _, p := range all {
				if !isPiece(p.data) || len(p.data)%8 != 0 {
					t.Fatalf("piece of %d bytes is not in the layout", len(p.data))
				}
				if p.seq != len(byOut[p.out]) {
					t.Fatalf("output %d: piece %d comes as number %d", p.out, len(byOut[p.out]), p.seq)
				}
				byOut[p.out] = append(byOut[p.out], p.data)
			}
			for out := range tc.nout {
				pieces := byOut[out]
				got, err := assemble(rec.Schema(), pieces)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range got.Columns() {
					if err := array.ValidateFull(c); err != nil {
						t.Fatal(err)
					}
				}
				want, err := Split(rec, targets, tc.nout)
				if err != nil {
					t.Fatal(err)
				}
				if !array.RecordEqual(got, want[out]) {
					t.Fatalf("output %d: assembled\n%v\nwant\n%v", out, got, want[out])
				}
				got.Release()
				for _, r := range want {
					r.Release()
				}
			}
		})
	}
}

// TestPieceDamageIsAnError checks that a truncated or altered piece gives
// an error, not a panic or wrong rows.
func TestPieceDamageIsAnError(t *testing.T) {
	rec := plainRecord(t, 50, true, 3)
	defer rec.Release()
	all, err := newPieceWriter(rec).writeAll(make([]int32, rec.NumRows()), 1, 1000)
	if err != nil || len(all) != 1 {
		t.Fatal(len(all), err)
	}
	good := all[0].data
	damaged := map[string][]byte{}
	for _, cut := range []int{3, 10, 20, len(good) / 2, len(good) - 9} {
		damaged[fmt.Sprintf("cut at %d", cut)] = good[:cut]
	}
	more := append([]byte(nil), good...)
	binary.LittleEndian.PutUint64(more[8:], 1<<20) // more rows than it holds
	damaged["rows"] = more
	cols := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(cols[4:], 3)
	damaged["columns"] = cols
	width := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(width[headerBytes+4:], 4) // int64 said to be 4 bytes
	damaged["width"] = width
	strs := append([]byte(nil), good...)
	binary.LittleEndian.PutUint64(strs[headerBytes+columnHeader+8:], 1<<40)
	damaged["string bytes"] = strs
	for name, b := range damaged {
		if r, err := assemble(rec.Schema(), [][]byte{good, b}); err == nil {
			r.Release()
			t.Errorf("%s: a damaged piece assembled", name)
		}
	}
	r, err := assemble(rec.Schema(), [][]byte{good, good})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if r.NumRows() != 100 {
		t.Fatalf("two pieces of 50 rows gave %d", r.NumRows())
	}
}

// TestDictionariesAreNotPlain checks that a categorical column sends its
// partition as Arrow IPC (whose dictionaries the piece layout lacks).
func TestDictionariesAreNotPlain(t *testing.T) {
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	s := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "c", Type: dt}}, nil)
	if plainSchema(s) {
		t.Fatal("a dictionary column fits the piece layout")
	}
	if !plainSchema(arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)) {
		t.Fatal("an int64 column does not fit the piece layout")
	}
}

// TestPiecesRandomCuts writes records by random targets (some outputs
// empty, some cut into many pieces) and checks every output's pieces
// against Split's rows.
func TestPiecesRandomCuts(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	for iter := range 150 {
		n := rng.IntN(200)
		rec := plainRecord(t, n, iter%2 == 0, uint64(iter))
		nout := 1 + rng.IntN(8)
		used := 1 + rng.IntN(nout) // targets drawn from the first used outputs, shuffled
		perm := rng.Perm(nout)
		targets := make([]int32, n)
		for i := range targets {
			targets[i] = int32(perm[rng.IntN(used)])
		}
		per := 1 + rng.IntN(n+1)
		all, err := newPieceWriter(rec).writeAll(targets, nout, per)
		if err != nil {
			t.Fatal(err)
		}
		byOut := make([][][]byte, nout)
		for _, p := range all {
			byOut[p.out] = append(byOut[p.out], p.data)
		}
		want, err := Split(rec, targets, nout)
		if err != nil {
			t.Fatal(err)
		}
		for out := range nout {
			got, err := assemble(rec.Schema(), byOut[out])
			if err != nil {
				t.Fatal(err)
			}
			if !array.RecordEqual(got, want[out]) {
				t.Fatalf("iteration %d (%d rows, %d outputs, %d rows a piece): output %d differs", iter, n, nout, per, out)
			}
			got.Release()
			want[out].Release()
		}
		rec.Release()
	}
}
