package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/graph"
)

// spillModes are the two ways a spill directory writes its files: with
// direct I/O for every size (where the file system allows it), and
// through the page cache.
var spillModes = []struct {
	name   string
	direct bool
}{{"direct", true}, {"page cache", false}}

// modeStore returns a spilling store whose directory writes files the way
// direct says, skipping the test where direct I/O is refused.
func modeStore(t *testing.T, direct bool) (*Store, *SpillDir) {
	t.Helper()
	s, d := spillingStore(t, 0)
	if !direct {
		d.align.Store(0)
		return s, d
	}
	if !d.DirectIO() {
		t.Skipf("the file system of %s refuses direct I/O", d.Dir())
	}
	d.directAbove = 0
	return s, d
}

// fileVersions returns the format version of every file in d.
func fileVersions(t *testing.T, d *SpillDir) []byte {
	t.Helper()
	var vs []byte
	for _, name := range files(t, d) {
		b, err := os.ReadFile(filepath.Join(d.Dir(), name))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 2 {
			t.Fatalf("spill file %s has %d bytes", name, len(b))
		}
		vs = append(vs, b[1])
	}
	return vs
}

// diskBytes returns the bytes of the files in d, as the file system says.
func diskBytes(t *testing.T, d *SpillDir) int64 {
	t.Helper()
	var n int64
	for _, name := range files(t, d) {
		fi, err := os.Stat(filepath.Join(d.Dir(), name))
		if err != nil {
			t.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}

// Values of every size around the block size, and larger than a read
// chunk, come back exactly both ways, from aligned memory (written as they
// are) and from unaligned memory (copied): the files are of the version
// the way of writing says, as long as counted.
func TestSpillRoundTripSizes(t *testing.T) {
	sizes := []int{0, 1, 511, 4095, 4096, 4097, 8191, 1<<20 + 1, 3<<20 + 12345, 4 << 20, 2*directChunk + 4096*3 + 7}
	for _, m := range spillModes {
		t.Run(m.name, func(t *testing.T) {
			s, d := modeStore(t, m.direct)
			want := map[string][]byte{}
			for i, n := range sizes {
				want[fmt.Sprintf("aligned-%d", n)] = randomBytes(uint64(i), n)
				want[fmt.Sprintf("unaligned-%d", n)] = randomBytes(uint64(i+100), n+1)[1:]
			}
			for k, v := range want {
				s.Put(graph.Key(k), v)
			}
			if _, err := s.Spill(1 << 40); err != nil {
				t.Fatal(err)
			}
			if got := len(files(t, d)); got != len(want) {
				t.Fatalf("%d files for %d values", got, len(want))
			}
			if used, onDisk := d.Used(), diskBytes(t, d); used != onDisk {
				t.Fatalf("the directory counts %d bytes, its files take %d", used, onDisk)
			}
			wantVersion := byte(spillVersion)
			if m.direct {
				wantVersion = spillVersion2
			}
			for _, v := range fileVersions(t, d) {
				if v != wantVersion {
					t.Fatalf("a file of version %d, want %d", v, wantVersion)
				}
			}
			for k, v := range want {
				mustValue(t, s, graph.Key(k), v)
			}
		})
	}
}

// Encoded values (whose payload follows their format byte) and values that
// compress come back exactly both ways.
func TestSpillRoundTripEncoded(t *testing.T) {
	for _, m := range spillModes {
		t.Run(m.name, func(t *testing.T) {
			s, d := modeStore(t, m.direct)
			ints := make([]int64, 1<<20+3)
			for i, b := range randomBytes(7, len(ints)) {
				ints[i] = int64(b) << (i % 56)
			}
			zeros := make([]int64, 3<<20)
			s.Put("ints", ints)
			s.Put("zeros", zeros)
			s.Put("short", []int64{1, 2, 3})
			if _, err := s.Spill(1 << 40); err != nil {
				t.Fatal(err)
			}
			if d.Used() > 9<<20 {
				t.Fatalf("%d bytes on disk: the zeros were not compressed", d.Used())
			}
			for k, want := range map[string][]int64{"ints": ints, "zeros": zeros, "short": {1, 2, 3}} {
				v, err := s.Value(graph.Key(k), reflect.TypeFor[[]int64]())
				if err != nil || !slices.Equal(v.Interface().([]int64), want) {
					t.Fatalf("%s read back: %v", k, err)
				}
			}
		})
	}
}

// A directory whose file system refuses direct I/O when it is written
// (EINVAL: here, writes aligned to less than the file system's block)
// turns to the page cache for that value and the ones after: nothing is
// lost and no file is left half-written.
func TestSpillDirectRefusedOnWrite(t *testing.T) {
	s, d := modeStore(t, true)
	d.align.Store(32)
	want := randomBytes(5, 100000)
	s.Put("k", want)
	if _, err := s.Spill(1 << 40); err != nil {
		t.Fatalf("spilling where direct I/O is refused: %v", err)
	}
	if d.DirectIO() {
		t.Skipf("the file system of %s takes direct I/O aligned to 32 bytes", d.Dir())
	}
	if vs := fileVersions(t, d); !slices.Equal(vs, []byte{spillVersion}) {
		t.Fatalf("file versions %v after the refusal, want one file of version 1", vs)
	}
	if used, onDisk := d.Used(), diskBytes(t, d); used != onDisk {
		t.Fatalf("the directory counts %d bytes, its files take %d", used, onDisk)
	}
	mustValue(t, s, "k", want)
}

// A damaged or truncated file written with direct I/O is an error naming
// the directory, not a wrong value.
func TestSpillDirectFileChecks(t *testing.T) {
	damage := map[string]func(b []byte) []byte{
		"a byte of the body":    func(b []byte) []byte { b[len(b)/2] ^= 1; return b },
		"the last byte":         func(b []byte) []byte { b[len(b)-1] ^= 0x80; return b },
		"the checksum":          func(b []byte) []byte { b[8] ^= 1; return b },
		"truncated":             func(b []byte) []byte { return b[:len(b)-1] },
		"truncated to a header": func(b []byte) []byte { return b[:100] },
		"not a spill file":      func(b []byte) []byte { b[0] = 0; return b },
	}
	for name, f := range damage {
		t.Run(name, func(t *testing.T) {
			s, d := modeStore(t, true)
			want := randomBytes(6, 3<<20+5)
			s.Put("k", want)
			if _, err := s.Spill(1 << 40); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(d.Dir(), files(t, d)[0])
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, f(raw), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = s.Value("k", bytesType)
			var se *SpillError
			if !errors.Is(err, codec.ErrCorrupt) || !errors.As(err, &se) || !strings.Contains(err.Error(), d.Dir()) {
				t.Fatalf("reading a damaged file = %v", err)
			}
		})
	}
}

// A []byte that is not aligned in memory is copied to the disk through a
// buffer of directCopy bytes, not as a whole: spilling happens when memory
// is short.
func TestSpillUnalignedBytesCopiesAChunk(t *testing.T) {
	s, _ := modeStore(t, true)
	const n = 16 << 20
	s.Put("big", randomBytes(9, n+1)[1:])
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := s.Spill(1 << 40); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > directCopy+1<<20 {
		t.Fatalf("spilling an unaligned 16 MiB []byte allocated %d KiB", alloc>>10)
	}
}
