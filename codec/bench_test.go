package codec

import (
	"reflect"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// bench10 is a typical small struct of ten fields.
type bench10 struct {
	ID      int64
	Shard   int32
	Score   float64
	Name    string
	Active  bool
	Port    uint16
	Counts  []int
	Region  string
	Weight  float32
	Retries int
}

func benchValues() map[string]any {
	f := make([]float64, 1<<20)
	for i := range f {
		f[i] = float64(i) * 1.25
	}
	raw := realisticData(16 << 20)
	return map[string]any{
		"int":            int(123456789),
		"string":         "a string of some thirty bytes!",
		"struct10":       bench10{ID: 1 << 40, Shard: 7, Score: 0.75, Name: "alpha", Active: true, Port: 8786, Counts: []int{1, 2, 3}, Region: "eu-west", Weight: 1.5, Retries: 3},
		"float64s_1M":    f,
		"bytes_16MiB":    raw,
		"record_1Mx3":    benchRecord(1 << 20),
		"map_string_int": benchMap(10_000),
	}
}

func benchMap(n int) map[string]int {
	m := make(map[string]int, n)
	for i := range n {
		m["key-"+strconv.Itoa(i)] = i
	}
	return m
}

// benchRecord returns a record of n rows: an int64 id, a float64 value and
// a short string category.
func benchRecord(n int) arrow.RecordBatch {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "value", Type: arrow.PrimitiveTypes.Float64},
		{Name: "category", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	cats := []string{"alpha", "beta", "gamma", "delta"}
	for i := range n {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.Float64Builder).Append(float64(i) / 3)
		b.Field(2).(*array.StringBuilder).Append(cats[i%len(cats)])
	}
	return b.NewRecordBatch()
}

var benchOrder = []string{"int", "string", "struct10", "map_string_int", "float64s_1M", "bytes_16MiB", "record_1Mx3"}

func BenchmarkEncode(b *testing.B) {
	values := benchValues()
	for _, name := range benchOrder {
		v := values[name]
		b.Run(name, func(b *testing.B) {
			enc := mustEncode(b, v)
			b.SetBytes(int64(len(enc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Encode(v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	values := benchValues()
	for _, name := range benchOrder {
		v := values[name]
		typ := reflect.TypeOf(v)
		if _, ok := v.(arrow.RecordBatch); ok {
			typ = reflect.TypeFor[arrow.RecordBatch]()
		}
		b.Run(name, func(b *testing.B) {
			enc := mustEncode(b, v)
			b.SetBytes(int64(len(enc)))
			b.ReportAllocs()
			for b.Loop() {
				got, err := Decode(enc, typ)
				if err != nil {
					b.Fatal(err)
				}
				release(got.Interface())
			}
		})
	}
}

// BenchmarkDecodeInto decodes small values into a caller's variable, the
// allocation-free path.
func BenchmarkDecodeInto(b *testing.B) {
	b.Run("int", func(b *testing.B) {
		enc := mustEncode(b, 123456789)
		b.ReportAllocs()
		var n int
		for b.Loop() {
			if err := DecodeInto(enc, &n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("struct10", func(b *testing.B) {
		enc := mustEncode(b, benchValues()["struct10"])
		b.ReportAllocs()
		var s bench10
		for b.Loop() {
			if err := DecodeInto(enc, &s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSizeOf(b *testing.B) {
	values := benchValues()
	for _, name := range benchOrder {
		v := values[name]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				SizeOf(v)
			}
		})
	}
}

const compressBenchLen = 64 << 20

func BenchmarkCompress(b *testing.B) {
	src := realisticData(compressBenchLen)
	for _, algo := range []Compression{LZ4, Zstd} {
		b.Run(algo.String(), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			dst := make([]byte, 0, len(src))
			var out []byte
			for b.Loop() {
				var used Compression
				if out, used = Compress(dst, src, algo); used != algo {
					b.Fatalf("used %v", used)
				}
			}
			b.ReportMetric(float64(len(src))/float64(len(out)), "ratio")
		})
	}
	b.Run("random-skip", func(b *testing.B) {
		rnd := randomBytes(compressBenchLen)
		b.SetBytes(int64(len(rnd)))
		for b.Loop() {
			if _, used := Compress(nil, rnd, Zstd); used != None {
				b.Fatalf("used %v", used)
			}
		}
	})
}

func BenchmarkPack(b *testing.B) {
	src := realisticData(compressBenchLen)
	for _, algo := range []Compression{LZ4, Zstd} {
		b.Run(algo.String(), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				Pack(src, algo)
			}
		})
	}
}

func BenchmarkUnpack(b *testing.B) {
	src := realisticData(compressBenchLen)
	for _, algo := range []Compression{None, LZ4, Zstd} {
		b.Run(algo.String(), func(b *testing.B) {
			p := Pack(src, algo)
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := Unpack(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
