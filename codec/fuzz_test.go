package codec

import (
	"math/big"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// fuzzTargets are the types FuzzDecode decodes every input into.
var fuzzTargets = []reflect.Type{
	reflect.TypeFor[any](),
	reflect.TypeFor[int](),
	reflect.TypeFor[string](),
	reflect.TypeFor[[]byte](),
	reflect.TypeFor[[]float64](),
	reflect.TypeFor[[]float32](),
	reflect.TypeFor[[]int64](),
	reflect.TypeFor[[]int](),
	reflect.TypeFor[map[string]any](),
	reflect.TypeFor[outer](),
	reflect.TypeFor[*node](),
	reflect.TypeFor[time.Time](),
	reflect.TypeFor[gobPoint](),
	reflect.TypeFor[netip.Addr](),
	reflect.TypeFor[arrow.RecordBatch](),
	reflect.TypeFor[arrow.Table](),
}

// fuzzSeeds returns valid encodings of every format and many shapes.
func fuzzSeeds(t testing.TB) [][]byte {
	rec := makeRecord(memory.DefaultAllocator, 0, 20)
	defer rec.Release()
	tbl := array.NewTableFromRecords(testSchema, []arrow.RecordBatch{rec, rec})
	defer tbl.Release()
	values := []any{
		nil, 0, -1, 1 << 62, 3.25, "text", true, []byte("raw bytes"), []byte{},
		[]int{1, 2, 3}, []int64{-1, 1 << 40}, []float64{1.5, 2.5}, []float32{0.5}, map[string]int{"a": 1}, map[string]any{"x": []any{1, "y"}},
		outer{ID: 1, Ptr: &inner{Name: "p"}, ByName: map[string]inner{"k": {}}, When: time.Unix(1, 2)},
		&node{Value: 1, Next: &node{Value: 2}}, time.Unix(1700000000, 5), big.NewInt(-1 << 40),
		gobPoint{1, 2}, netip.MustParseAddr("10.0.0.1"), rec, tbl,
	}
	var seeds [][]byte
	for _, v := range values {
		seeds = append(seeds, mustEncode(t, v))
	}
	return seeds
}

// junkSeeds are malformed inputs for the fuzzer to start from as well.
var junkSeeds = [][]byte{nil, {0}, {byte(CBOR), 0x9f, 0x9f, 0xff}, {byte(ArrowRecord), 0xff, 0xff, 0xff, 0xff}}

func FuzzDecode(f *testing.F) {
	for _, s := range append(fuzzSeeds(f), junkSeeds...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		k, ferr := Format(b)
		for _, typ := range fuzzTargets {
			v, err := Decode(b, typ)
			if err != nil {
				if ferr == nil {
					if de, ok := err.(*DecodeError); !ok || de.Kind != k {
						t.Fatalf("Decode into %v: error %#v does not name format %v", typ, err, k)
					}
				}
				continue
			}
			if ferr != nil {
				t.Fatalf("Decode into %v succeeded on input Format rejects", typ)
			}
			release(v.Interface())
		}
	})
}

func FuzzUnpack(f *testing.F) {
	src := realisticData(4 << 10)
	for _, algo := range []Compression{None, LZ4, Zstd} {
		f.Add(Pack(src, algo))
		c, _ := Compress(nil, src, algo)
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Unpack(b)
		for _, algo := range []Compression{LZ4, Zstd} {
			_, _ = Decompress(nil, b, algo)
		}
	})
}

// TestFuzzSeedsDecode runs the seeds through the same checks as the fuzzer,
// so the corpus keeps decoding in ordinary test runs.
func TestFuzzSeedsDecode(t *testing.T) {
	for i, s := range fuzzSeeds(t) {
		k, err := Format(s)
		if err != nil {
			continue
		}
		v, err := Decode(s, reflect.TypeFor[any]())
		if k == Gob {
			if err == nil {
				t.Errorf("seed %d: gob decoded into any", i)
			}
			continue
		}
		if err != nil {
			t.Errorf("seed %d (%v): %v", i, k, err)
			continue
		}
		release(v.Interface())
	}
}

// release frees decoded Arrow values.
func release(v any) {
	switch x := v.(type) {
	case arrow.RecordBatch:
		x.Release()
	case arrow.Table:
		x.Release()
	}
}
