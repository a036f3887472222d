package store

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/dusk-go/dusk/codec"
)

// BenchmarkDirectReadBack reads a 64 MiB spill file back with direct I/O,
// as the store does (into fresh memory that becomes the value, checksum
// checked), and, for the bound, with one plain direct read of the file
// into a buffer reused from read to read (as dd does) and into a fresh
// buffer each time.
func BenchmarkDirectReadBack(b *testing.B) {
	d, err := NewSpillDir(filepath.Join(b.TempDir(), "spill"), 0)
	if err != nil {
		b.Fatal(err)
	}
	if !d.DirectIO() {
		b.Skipf("the file system of %s refuses direct I/O", d.Dir())
	}
	const n = 64 << 20
	f, err := d.write("v", codec.Raw, randomBytes(1, n), 0)
	if err != nil {
		b.Fatal(err)
	}
	align := int(d.align.Load())
	path := filepath.Join(d.Dir(), f.name)
	plain := func(b *testing.B, buf []byte) {
		fd, err := openDirect(path, os.O_RDONLY, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer fd.Close()
		if k, err := fd.ReadAt(buf, 0); int64(k) != f.size || (err != nil && !errors.Is(err, io.EOF)) {
			b.Fatalf("read %d bytes of %d: %v", k, f.size, err)
		}
	}
	size := int(f.size+int64(align)-1) / align * align
	b.Run("store", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			if _, err := d.read("v", f); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reused-buffer", func(b *testing.B) {
		b.SetBytes(n)
		buf := alignedBytes(size, align)
		for b.Loop() {
			plain(b, buf)
		}
	})
	b.Run("fresh-buffer", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			plain(b, alignedBytes(size, align))
		}
	})
}
