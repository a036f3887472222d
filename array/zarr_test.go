package array_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/array"
)

// pythonZarr runs a Python program with Debian's zarr, or skips.
func pythonZarr(t *testing.T, prog string) string {
	t.Helper()
	python(t, "")
	if err := execPython("import zarr"); err != nil {
		t.Skip("no zarr (apt-get install python3-zarr)")
	}
	return python(t, prog)
}

// A store dusk writes is what zarr reads, and one zarr writes (zlib or
// no compressor, "." or "/" separators) is what dusk reads.
func TestZarrWithPython(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	dir := t.TempDir()
	x := arr(array.FromFunc(c, fnIndexBlock, []int{7, 9}, array.By(3, 4), array.Int64))
	y := arr(x.Div(8))
	store := filepath.Join(dir, "y.zarr")
	if err := y.ToZarr(ctx, store, array.ZarrOptions{}); err != nil {
		t.Fatal(err)
	}
	got := pythonZarr(t, `
import zarr, numpy as np
z = zarr.open('`+store+`', mode='r')
i = np.arange(7)[:, None] * 100 + np.arange(9)[None, :]
print(z.dtype, z.shape, z.chunks, z.compressor.codec_id, bool((z[:] == i / 8).all()))`)
	if want := "float64 (7, 9) (3, 4) zlib True"; got != want {
		t.Fatalf("zarr read %q, want %q", got, want)
	}
	if err := y.ToZarr(ctx, store, array.ZarrOptions{}); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("writing over a store: %v", err)
	}
	// Back, and stores that zarr wrote.
	back := arr(array.FromZarr(c, store))
	if !slices.Equal(back.Chunks()[0], []int{3, 3, 1}) {
		t.Fatalf("chunks read %v", back.Chunks())
	}
	if v := values[bool](t, ctx, arr(arr(back.Eq(y)).All())); !v[0] {
		t.Fatal("the store read back differs")
	}
	pythonZarr(t, `
import zarr, numcodecs, numpy as np
a = (np.arange(5*6*4, dtype=np.int32).reshape(5, 6, 4) - 50)
zarr.open('`+filepath.Join(dir, "zlib.zarr")+`', mode='w', shape=a.shape, chunks=(2, 4, 3), dtype=a.dtype, compressor=numcodecs.Zlib(level=3))[:] = a
zarr.open('`+filepath.Join(dir, "raw.zarr")+`', mode='w', shape=a.shape, chunks=(5, 5, 5), dtype=a.dtype, compressor=None, dimension_separator='/')[:] = a
zarr.open('`+filepath.Join(dir, "blosc.zarr")+`', mode='w', shape=a.shape, chunks=(5, 5, 5), dtype=a.dtype)[:] = a
for name, comp in [('blosc-zstd', numcodecs.Blosc(cname='zstd', clevel=3, shuffle=numcodecs.Blosc.SHUFFLE)),
                   ('blosc-zlib-noshuffle', numcodecs.Blosc(cname='zlib', shuffle=numcodecs.Blosc.NOSHUFFLE)),
                   ('blosc-lz4-small-blocks', numcodecs.Blosc(cname='lz4', blocksize=64)),
                   ('blosc-bitshuffle', numcodecs.Blosc(cname='lz4', shuffle=numcodecs.Blosc.BITSHUFFLE)),
                   ('blosc-blosclz', numcodecs.Blosc(cname='blosclz'))]:
    zarr.open('`+dir+`/' + name + '.zarr', mode='w', shape=a.shape, chunks=(5, 5, 5), dtype=a.dtype, compressor=comp)[:] = a
# Chunks large enough for lz4 to cut each block into one stream per byte
# of an element; with small blocks, a last shorter block in one stream.
f = np.sin(np.arange(100*100, dtype=np.float64)).reshape(100, 100)
zarr.open('`+dir+`/sin.zarr', mode='w', shape=f.shape, chunks=(50, 50), dtype=f.dtype)[:] = f
zarr.open('`+dir+`/sin-blocks.zarr', mode='w', shape=f.shape, chunks=(50, 50), dtype=f.dtype, compressor=numcodecs.Blosc(cname='lz4', blocksize=4096))[:] = f
zarr.open('`+dir+`/sin-raw.zarr', mode='w', shape=f.shape, chunks=(50, 50), dtype=f.dtype, compressor=None)[:] = f`)
	raw := values[float64](t, ctx, arr(array.FromZarr(c, filepath.Join(dir, "sin-raw.zarr"))))
	for _, name := range []string{"sin.zarr", "sin-blocks.zarr"} {
		if got := values[float64](t, ctx, arr(array.FromZarr(c, filepath.Join(dir, name)))); !slices.Equal(got, raw) || len(got) != 100*100 {
			t.Fatalf("%s: %d elements, not those of the uncompressed store", name, len(got))
		}
	}
	// Stores of Python zarr's default compressor (Blosc with lz4 and byte
	// shuffle) and its other inner codecs dusk reads.
	for _, name := range []string{"zlib.zarr", "raw.zarr", "blosc.zarr", "blosc-zstd.zarr", "blosc-zlib-noshuffle.zarr", "blosc-lz4-small-blocks.zarr"} {
		z := arr(array.FromZarr(c, filepath.Join(dir, name)))
		got := values[int32](t, ctx, z)
		for i, v := range got {
			if v != int32(i-50) {
				t.Fatalf("%s: element %d is %d", name, i, v)
			}
		}
	}
	// Blosc variants it does not read: an error naming the chunk and what
	// to write instead.
	for name, want := range map[string]string{"blosc-bitshuffle.zarr": "bit shuffle", "blosc-blosclz.zarr": "compressed with blosclz"} {
		_, err := arr(array.FromZarr(c, filepath.Join(dir, name))).Compute(ctx)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "numcodecs") {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// A damaged Blosc chunk.
	bl := filepath.Join(dir, "blosc.zarr")
	chunk, err := os.ReadFile(filepath.Join(bl, "0.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bl, "0.0.0"), chunk[:len(chunk)-3], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := arr(array.FromZarr(c, bl)).Compute(ctx); err == nil || !strings.Contains(err.Error(), "0.0.0") || !strings.Contains(err.Error(), "Blosc") {
		t.Fatalf("a truncated Blosc chunk: %v", err)
	}
	// A missing chunk and a damaged one are errors naming the file.
	zl := filepath.Join(dir, "zlib.zarr")
	if err := os.Remove(filepath.Join(zl, "1.1.0")); err != nil {
		t.Fatal(err)
	}
	if _, err := arr(array.FromZarr(c, zl)).Compute(ctx); err == nil || !strings.Contains(err.Error(), "1.1.0 is missing") {
		t.Fatalf("a missing chunk: %v", err)
	}
	if err := os.WriteFile(filepath.Join(zl, "1.1.0"), []byte("not zlib"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := arr(array.FromZarr(c, zl)).Compute(ctx); err == nil || !strings.Contains(err.Error(), "1.1.0 is not zlib data") {
		t.Fatalf("a damaged chunk: %v", err)
	}
	uneven := arr(x.Rechunk(array.Explicit([]int{3, 4}, []int{9})))
	if err := uneven.ToZarr(ctx, filepath.Join(dir, "uneven.zarr"), array.ZarrOptions{}); err == nil || !strings.Contains(err.Error(), "Rechunk") {
		t.Fatalf("uneven chunks to Zarr: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp")); len(left) != 0 {
		t.Fatalf("temporary directories left: %v", left)
	}
}
