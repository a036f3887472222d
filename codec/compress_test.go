package codec

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// realisticData returns n bytes of log-like text: timestamps, user ids,
// paths and numbers, about 4x compressible.
func realisticData(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	methods := []string{"GET", "GET", "GET", "POST", "PUT", "DELETE"}
	paths := []string{"/api/items", "/api/users", "/static/app.js", "/api/orders", "/healthz"}
	b := make([]byte, 0, n+256)
	ts := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for len(b) < n {
		ts = ts.Add(time.Duration(r.IntN(2000)) * time.Millisecond)
		b = ts.AppendFormat(b, time.RFC3339Nano)
		b = fmt.Appendf(b, ",user_%d,%s,%s/%d,%d,%.4f\n", r.IntN(50_000), methods[r.IntN(len(methods))],
			paths[r.IntN(len(paths))], r.IntN(100_000), []int{200, 200, 200, 404, 500}[r.IntN(5)], r.Float64())
	}
	return b[:n]
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestCompressRoundTrip(t *testing.T) {
	for _, n := range []int{1 << 10, 100 << 10, 1 << 20} {
		src := realisticData(n)
		for _, algo := range []Compression{LZ4, Zstd} {
			c, used := Compress(nil, src, algo)
			if used != algo {
				t.Fatalf("%v on %d bytes: used %v", algo, n, used)
			}
			if len(c) >= len(src)*9/10 {
				t.Errorf("%v on %d bytes: %d bytes out", algo, n, len(c))
			}
			d, err := Decompress(nil, c, algo)
			if err != nil || !bytes.Equal(d, src) {
				t.Fatalf("%v on %d bytes: round trip failed: %v", algo, n, err)
			}
			// Reusing a destination buffer works too.
			buf := make([]byte, 10, 2*n)
			c2, _ := Compress(buf, src, algo)
			d2, err := Decompress(make([]byte, 5), c2, algo)
			if err != nil || !bytes.Equal(d2, src) {
				t.Fatalf("%v with buffers: %v", algo, err)
			}
		}
	}
}

func TestCompressSkipsWhatDoesNotShrink(t *testing.T) {
	for _, n := range []int{10, 4 << 10, 200 << 10, 4 << 20} {
		src := randomBytes(n)
		for _, algo := range []Compression{LZ4, Zstd, None, 9} {
			out, used := Compress(nil, src, algo)
			if used != None {
				t.Errorf("%v on %d random bytes: used %v", algo, n, used)
			}
			if len(out) != len(src) || &out[0] != &src[0] {
				t.Errorf("%v on %d random bytes: did not return the input", algo, n)
			}
		}
	}
	// Short input is never compressed, however repetitive.
	if _, used := Compress(nil, bytes.Repeat([]byte{'a'}, 100), Zstd); used != None {
		t.Errorf("100 bytes: used %v", used)
	}
	if out, err := Decompress(nil, []byte("as is"), None); err != nil || string(out) != "as is" {
		t.Errorf("Decompress(None) = %q, %v", out, err)
	}
}

func TestCompressSamplesLargeInput(t *testing.T) {
	// Random bytes where the sample is taken and zeros elsewhere: the whole
	// would compress well, but Compress judges by the sample and declines,
	// which shows that it does not compress large inputs blindly.
	src := make([]byte, 4<<20)
	part := sampleLen / sampleParts
	noise := randomBytes(sampleLen)
	for i := range sampleParts {
		off := i * (len(src) - part) / (sampleParts - 1)
		copy(src[off:off+part], noise[i*part:])
	}
	for _, algo := range []Compression{LZ4, Zstd} {
		if _, used := Compress(nil, src, algo); used != None {
			t.Errorf("%v: compressed although the sample is random", algo)
		}
	}
	// Random at the start but compressible elsewhere is still compressed:
	// the sample spans the input.
	mixed := append(randomBytes(300<<10), bytes.Repeat([]byte("abcdefgh"), 300<<10)...)
	if _, used := Compress(nil, mixed, LZ4); used != LZ4 {
		t.Errorf("mixed input: used %v", used)
	}
	// Large random input is declined quickly.
	rnd := randomBytes(32 << 20)
	start := time.Now()
	if _, used := Compress(nil, rnd, Zstd); used != None {
		t.Errorf("random input: used %v", used)
	}
	t.Logf("declining 32 MiB of random bytes took %v", time.Since(start))
}

func TestDecompressCorruptInput(t *testing.T) {
	src := realisticData(64 << 10)
	for _, algo := range []Compression{LZ4, Zstd} {
		c, _ := Compress(nil, src, algo)
		bad := [][]byte{nil, {}, c[:1], c[:len(c)/2], c[:len(c)-1]}
		flipped := bytes.Clone(c)
		flipped[len(flipped)/2] ^= 0x55
		bad = append(bad, flipped)
		for i, b := range bad {
			out, err := Decompress(nil, b, algo)
			if err == nil && bytes.Equal(out, src) && i != 5 {
				t.Errorf("%v case %d: decompressed damaged input", algo, i)
			}
			if err != nil && !errors.Is(err, ErrCorrupt) {
				t.Errorf("%v case %d: %v does not wrap ErrCorrupt", algo, i, err)
			}
		}
	}
	// A length prefix claiming far more than the block can hold is refused
	// before allocating.
	lie := append([]byte{0xff, 0xff, 0xff, 0xff, 0x0f}, 0x10, 'a')
	if _, err := Decompress(nil, lie, LZ4); !errors.Is(err, ErrCorrupt) {
		t.Errorf("lying lz4 prefix: %v", err)
	}
	// An empty output or block (which the LZ4 decoder mishandles) is refused.
	for _, b := range [][]byte{{0x00, 0x10, 'a'}, {0x05}} {
		if _, err := Decompress(nil, b, LZ4); !errors.Is(err, ErrCorrupt) {
			t.Errorf("lz4 %x: %v", b, err)
		}
	}
	if _, err := Decompress(nil, []byte("x"), 7); !errors.Is(err, ErrCorrupt) {
		t.Errorf("unknown algorithm: %v", err)
	}
	for c, name := range map[Compression]string{None: "none", LZ4: "lz4", Zstd: "zstd", 9: "Compression(9)"} {
		if c.String() != name {
			t.Errorf("%d.String() = %q", c, c.String())
		}
	}
}
