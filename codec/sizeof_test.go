package codec

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestAllocSize(t *testing.T) {
	for n, want := range map[int64]int64{0: 0, 1: 8, 8: 8, 9: 16, 17: 24, 24: 24, 33: 48, 129: 144, 257: 288, 513: 576, 1 << 20: 1 << 20, 40000: 40960} {
		if got := allocSize(n); got != want {
			t.Errorf("allocSize(%d) = %d, want %d", n, got, want)
		}
	}
}

// liveBytes returns the heap bytes that the value build returns keeps alive.
func liveBytes(build func() any) (any, int64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return v, int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

type row struct {
	ID    int64
	Name  string
	Score float64
	When  time.Time
	Tags  []string
}

func TestSizeOfAccuracy(t *testing.T) {
	const n = 100_000
	cases := map[string]func() any{
		"[]float64": func() any { return make([]float64, 1_000_000) },
		"[]string": func() any {
			s := make([]string, n)
			for i := range s {
				s[i] = fmt.Sprintf("string number %d", i)
			}
			return s
		},
		"map[string]int": func() any {
			m := make(map[string]int)
			for i := range n {
				m["key-"+strconv.Itoa(i)] = i
			}
			return m
		},
		"map[int64]float64": func() any {
			m := make(map[int64]float64)
			for i := range n {
				m[int64(i)] = float64(i)
			}
			return m
		},
		"[]row": func() any {
			s := make([]row, n)
			for i := range s {
				s[i] = row{ID: int64(i), Name: "name-" + strconv.Itoa(i), Tags: []string{"a", "bb"}}
			}
			return s
		},
		"[]*row": func() any {
			s := make([]*row, n)
			for i := range s {
				s[i] = &row{ID: int64(i), Name: "name-" + strconv.Itoa(i)}
			}
			return s
		},
		"map[string][]float64": func() any {
			m := make(map[string][]float64)
			for i := range 1000 {
				m[strconv.Itoa(i)] = make([]float64, 100)
			}
			return m
		},
		"[]any": func() any {
			s := make([]any, n)
			for i := range s {
				s[i] = strconv.Itoa(i) + "-value-with-some-length"
			}
			return s
		},
		"record": func() any { return makeRecord(memory.DefaultAllocator, 0, 1_000_000) },
	}
	for name, build := range cases {
		v, real := liveBytes(build)
		est := SizeOf(v)
		ratio := float64(est) / float64(real)
		t.Logf("%-22s real %10d  estimate %10d  ratio %.2f", name, real, est, ratio)
		if ratio < 0.5 || ratio > 2 {
			t.Errorf("%s: estimate %d is not within 2x of the real %d", name, est, real)
		}
		if r, ok := v.(arrow.RecordBatch); ok {
			r.Release()
		}
	}
}

func TestSizeOfSmallValues(t *testing.T) {
	type pair struct {
		A int32
		B int32
	}
	cases := []struct {
		v    any
		want int64
	}{
		{nil, 0},
		{int8(1), 1},
		{int64(1), 8},
		{3.5, 8},
		{"hello", 16 + 8},
		{[]byte("abc")[:3:3], 24 + 8},
		{make([]float64, 10), 24 + 80},
		{make([]int32, 4, 8), 24 + 32},
		{make([]int32, 0, 9), 24 + 48}, // 36 bytes take a 48-byte block
		{pair{}, 8},
		{[4]pair{}, 32},
		{&pair{}, 8 + 8},
		{struct{ S string }{"xyz"}, 16 + 8},
		{[]string{"a", "bcdefghijklmnopqrstuvwxyz"}, 24 + 32 + 8 + 32},
		{time.Now(), 24},
	}
	for _, c := range cases {
		if got := SizeOf(c.v); got != c.want {
			t.Errorf("SizeOf(%#v) = %d, want %d", c.v, got, c.want)
		}
	}
}

func TestSizeOfCyclesEnd(t *testing.T) {
	a := &node{Value: 1}
	b := &node{Value: 2, Next: a, parent: a}
	a.Next, a.parent = b, b
	a.Children = []*node{a, b, a}
	if n := SizeOf(a); n <= 0 {
		t.Errorf("SizeOf(cycle) = %d", n)
	}
	s := []any{nil}
	s[0] = s
	if n := SizeOf(s); n <= 0 {
		t.Errorf("SizeOf(self-containing slice) = %d", n)
	}
}

// TestSizeOfSamplesLargeValues checks that SizeOf extrapolates from a
// sample of a large slice's or map's elements: a million equal strings
// weigh a million times one, and a map's estimate grows with its length.
// (How fast it is: BenchmarkSizeOfLargeValues.)
func TestSizeOfSamplesLargeValues(t *testing.T) {
	const n = 1_000_000
	one := SizeOf([]string{"abcdefghij"}) - 24
	big := make([]string, n)
	for i := range big {
		big[i] = "abcdefghij"
	}
	// (The backing array may count at its allocation's size class.)
	if got, want := SizeOf(big), 24+one*n; got < want || got > want+want/1000 {
		t.Errorf("SizeOf(a million equal strings) = %d, want %d", got, want)
	}
	// Half the elements empty, half long: the estimate is the sample's
	// mean times the length, within the sample's spread.
	mixed := make([]string, n)
	for i := range mixed {
		if i%2 == 0 {
			mixed[i] = strings.Repeat("x", 1000)
		}
	}
	exact := int64(24 + 16*n + 1024*n/2)
	if got := SizeOf(mixed); got < exact*8/10 || got > exact*12/10 {
		t.Errorf("SizeOf(half long strings) = %d, want about %d", got, exact)
	}
	small, large := map[string]int{}, map[string]int{}
	for i := range 100_000 {
		if i < 1000 {
			small[strconv.Itoa(i)] = i
		}
		large[strconv.Itoa(i)] = i
	}
	if s, l := SizeOf(small), SizeOf(large); l < 50*s || l > 200*s {
		t.Errorf("SizeOf of maps of 1,000 and 100,000 entries: %d and %d, want about 100x apart", s, l)
	}
}

func BenchmarkSizeOfLargeValues(b *testing.B) {
	s := make([]string, 1_000_000)
	m := make(map[string]int, 100_000)
	for i := range 100_000 {
		m[strconv.Itoa(i)] = i
	}
	for name, v := range map[string]any{"slice": s, "map": m} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				SizeOf(v)
			}
		})
	}
}

// A slice of a record counts the bytes of its own rows, not the buffers
// it shares with the whole (the IPC writer sends, and a receiver stores,
// only its rows); a whole record counts its buffers.
func TestSizeOfASliceCountsItsRows(t *testing.T) {
	rec := makeRecord(memory.DefaultAllocator, 0, 1_000_000)
	defer rec.Release()
	whole := SizeOf(rec)
	if want := int64(rec.Column(0).Data().SizeInBytes()); SizeOf(rec.Column(0)) != want {
		t.Fatalf("a whole column counts %d, want its buffers' %d", SizeOf(rec.Column(0)), want)
	}
	for _, c := range []struct{ from, to int64 }{{0, 1000}, {500_000, 501_000}, {999_000, 1_000_000}} {
		part := rec.NewSlice(c.from, c.to)
		got := SizeOf(part)
		var b bytes.Buffer
		w := ipc.NewWriter(&b, ipc.WithSchema(part.Schema()))
		if err := w.Write(part); err != nil {
			t.Fatal(err)
		}
		w.Close()
		part.Release()
		// Within 2x of what the slice's rows take on the wire, and a
		// thousandth of the whole (it holds a thousandth of the rows).
		if got > 2*int64(b.Len()) || got < int64(b.Len())/2 {
			t.Errorf("rows %d-%d: SizeOf %d, IPC %d bytes (whole record %d)", c.from, c.to, got, b.Len(), whole)
		}
		if got > whole/500 {
			t.Errorf("rows %d-%d: SizeOf %d is more than 1/500 of the whole record's %d", c.from, c.to, got, whole)
		}
	}
}

// The same holds for a struct column (its children sliced with it) and a
// dictionary column (its indices; the dictionary, sent whole, counts
// whole), and for a large string column.
func TestSizeOfASliceOfNestedAndDictionaryColumns(t *testing.T) {
	mem := memory.DefaultAllocator
	const n = 100_000
	st := array.NewStructBuilder(mem, arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64}, arrow.Field{Name: "s", Type: arrow.BinaryTypes.String}))
	defer st.Release()
	db := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder)
	defer db.Release()
	lb := array.NewLargeStringBuilder(mem)
	defer lb.Release()
	for i := range n {
		st.Append(true)
		st.FieldBuilder(0).(*array.Int64Builder).Append(int64(i))
		st.FieldBuilder(1).(*array.StringBuilder).Append("value-" + strconv.Itoa(i))
		if err := db.AppendString("k" + strconv.Itoa(i%10)); err != nil {
			t.Fatal(err)
		}
		lb.Append("large-" + strconv.Itoa(i))
	}
	for _, arr := range []arrow.Array{st.NewArray(), db.NewArray(), lb.NewArray()} {
		whole := SizeOf(arr)
		part := array.NewSlice(arr, n/2, n/2+100)
		got := SizeOf(part)
		part.Release()
		if got <= 0 || got > whole/100 {
			t.Errorf("%s: 100 of %d rows count %d bytes, the whole %d", arr.DataType(), n, got, whole)
		}
		arr.Release()
	}
}
