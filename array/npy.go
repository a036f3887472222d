package array

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/dusk-go/dusk"
)

// NumPy's .npy format (format version 1.0, or 2.0 for long headers): the
// magic "\x93NUMPY", the version, the header's length, then a Python dict
// literal ({'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), })
// padded with spaces to a multiple of 64 bytes and ended by a newline,
// then the elements in C order.

var npyMagic = []byte("\x93NUMPY")

var (
	fnNpyRead  = dusk.Register("array.npy-read", npyRead)
	fnNpyWrite = dusk.Register("array.npy-write", npyWrite)
)

// npyDescr is each type's descr in a .npy header (little-endian).
func npyDescr(dt DType) string {
	switch dt {
	case Float64:
		return "<f8"
	case Float32:
		return "<f4"
	case Int64:
		return "<i8"
	case Int32:
		return "<i4"
	}
	return "|b1"
}

// npyHeader returns the whole header of a C-ordered array of type dt and
// shape, padded so that the elements start at a multiple of 64 bytes.
func npyHeader(dt DType, shape []int) []byte {
	dims := make([]string, len(shape))
	for i, n := range shape {
		dims[i] = strconv.Itoa(n)
	}
	tuple := "(" + strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	tuple += ")"
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", npyDescr(dt), tuple)
	pre := len(npyMagic) + 2 + 2 // magic, version, 2-byte length
	total := (pre + len(dict) + 1 + 63) / 64 * 64
	var h bytes.Buffer
	h.Write(npyMagic)
	version := []byte{1, 0}
	if total-pre > 0xffff {
		version, pre = []byte{2, 0}, pre+2
		total = (pre + len(dict) + 1 + 63) / 64 * 64
	}
	h.Write(version)
	if version[0] == 1 {
		_ = binary.Write(&h, binary.LittleEndian, uint16(total-pre))
	} else {
		_ = binary.Write(&h, binary.LittleEndian, uint32(total-pre))
	}
	h.WriteString(dict)
	h.WriteString(strings.Repeat(" ", total-h.Len()-1))
	h.WriteByte('\n')
	return h.Bytes()
}

// dtypeOfDescr reads a NumPy type string (as npyDescr writes them).
func dtypeOfDescr(d string) (DType, bool) {
	for _, dt := range []DType{Float64, Float32, Int64, Int32, Bool} {
		if npyDescr(dt) == d {
			return dt, true
		}
	}
	return 0, false
}

var (
	npyDescrRe   = regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`)
	npyFortranRe = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	npyShapeRe   = regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`)
)

// readNpyHeader reads a .npy file's header: its type, shape and where the
// elements start. It checks that the file holds exactly as many bytes of
// elements as the header says.
func readNpyHeader(path string) (DType, []int, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil, 0, err
	}
	defer f.Close()
	bad := func(format string, args ...any) (DType, []int, int64, error) {
		return 0, nil, 0, fmt.Errorf("array: %s is not a .npy file dusk reads: %s", path, fmt.Sprintf(format, args...))
	}
	pre := make([]byte, 10)
	if _, err := io.ReadFull(f, pre); err != nil || !bytes.Equal(pre[:6], npyMagic) {
		return bad("it does not start with NumPy's magic \\x93NUMPY")
	}
	var hlen, start int64
	switch pre[6] {
	case 1:
		hlen, start = int64(binary.LittleEndian.Uint16(pre[8:10])), 10
	case 2, 3:
		more := make([]byte, 2)
		if _, err := io.ReadFull(f, more); err != nil {
			return bad("its header is cut short")
		}
		hlen, start = int64(binary.LittleEndian.Uint32(append(pre[8:10:10], more...))), 12
	default:
		return bad("format version %d.%d", pre[6], pre[7])
	}
	if hlen > 1<<24 {
		return bad("a header of %d bytes", hlen)
	}
	head := make([]byte, hlen)
	if _, err := io.ReadFull(f, head); err != nil {
		return bad("its header is cut short")
	}
	dm, fm, sm := npyDescrRe.FindSubmatch(head), npyFortranRe.FindSubmatch(head), npyShapeRe.FindSubmatch(head)
	if dm == nil || fm == nil || sm == nil {
		return bad("its header %q lacks descr, fortran_order or shape", head)
	}
	dt, ok := dtypeOfDescr(string(dm[1]))
	if !ok {
		return bad("its elements are %q; dusk reads <f8, <f4, <i8, <i4 and |b1 (little-endian float64, float32, int64, int32, bool)", dm[1])
	}
	if string(fm[1]) == "True" {
		return bad("it is in Fortran order; save it in C order (numpy.ascontiguousarray)")
	}
	var shape []int
	for _, s := range strings.Split(string(sm[1]), ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(s, "L"))
		if err != nil || n < 0 {
			return bad("its shape (%s) is not a tuple of lengths", sm[1])
		}
		shape = append(shape, n)
	}
	start += hlen
	fi, err := f.Stat()
	if err != nil {
		return 0, nil, 0, err
	}
	if want := start + int64(prod(shape))*int64(dt.Size()); fi.Size() != want {
		return bad("it has %d bytes, but a %s array of shape %v needs %d (truncated, or something after it)", fi.Size(), dt, shape, want)
	}
	return dt, shape, start, nil
}

// FromNpy returns the array in a .npy file, read block by block on the
// workers (the path must be one they see: a local cluster, or a shared
// file system). The header is checked here: NumPy's magic, the element
// type, C order, and a file size that matches the shape.
func FromNpy(c *dusk.Client, path string, chunks Chunks) (*Array, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dt, shape, start, err := readNpyHeader(abs)
	if err != nil {
		return nil, err
	}
	return newArray(c, shape, chunks, dt, func(_, s, off []int, _ int) *dusk.Delayed[*Block] {
		return dusk.Call[*Block](fnNpyRead, abs, start, dt, shape, off, s)
	})
}

// npyRead reads the block of shape s at offset off of the array in a
// .npy file whose elements start at byte start.
func npyRead(path string, start int64, dt DType, shape, off, s []int) (*Block, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := newBlock(dt, s)
	err = forEachRun(shape, off, s, dt.Size(), func(file int64, block int, n int) error {
		_, err := f.ReadAt(b.data[block:block+n], start+file)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("array: reading block at %v of %s: %w", off, path, err)
	}
	return b, nil
}

// forEachRun calls f for each contiguous run (along the last axis) of the
// block of shape s at offset off in an array of shape: the run's byte
// offset in the array, in the block, and its length.
func forEachRun(shape, off, s []int, size int, f func(file int64, block, n int) error) error {
	n := len(shape)
	if n == 0 {
		return f(0, 0, size)
	}
	run := s[n-1] * size
	if run == 0 || prod(s) == 0 {
		return nil
	}
	strides := make([]int64, n)
	st := int64(size)
	for i := n - 1; i >= 0; i-- {
		strides[i] = st
		st *= int64(shape[i])
	}
	outer := s[:n-1]
	idx := make([]int, n-1)
	for r := 0; r < prod(outer); r++ {
		pos := int64(off[n-1]) * strides[n-1]
		for i, x := range idx {
			pos += int64(off[i]+x) * strides[i]
		}
		if err := f(pos, r*run, run); err != nil {
			return err
		}
		for k := n - 2; k >= 0; k-- {
			if idx[k]++; idx[k] < outer[k] {
				break
			}
			idx[k] = 0
		}
	}
	return nil
}

// npyWrite writes block b at offset off into the .npy file at path whose
// elements start at byte start, and returns its byte count.
func npyWrite(path string, start int64, shape, off []int, b *Block) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return 0, err
	}
	err = forEachRun(shape, off, b.Shape, b.DType.Size(), func(file int64, block, n int) error {
		_, err := f.WriteAt(b.data[block:block+n], start+file)
		return err
	})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("array: writing block at %v to %s: %w", off, path, err)
	}
	return int64(len(b.data)), nil
}

// ToNpy writes the array to a .npy file that NumPy reads (numpy.load),
// each block written in place by the worker that holds it (the path must
// be one the workers see). The file appears only once it is whole: it is
// written under a temporary name beside it and renamed at the end; on an
// error nothing is left.
func (a *Array) ToNpy(ctx context.Context, path string) (err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	head := npyHeader(a.dtype, a.shape)
	tmp, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.tmp")
	if err != nil {
		return fmt.Errorf("array: writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(head); err != nil {
		tmp.Close()
		return fmt.Errorf("array: writing %s: %w", path, err)
	}
	if err := tmp.Truncate(int64(len(head)) + a.NBytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("array: writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("array: writing %s: %w", path, err)
	}
	writes := make([]dusk.Lazy, len(a.blocks))
	gridIndexes(a.grid(), func(idx []int, i int) {
		writes[i] = dusk.Call[int64](fnNpyWrite, tmp.Name(), int64(len(head)), a.shape, blockOffset(a.chunks, idx), a.blockList()[i])
	})
	if _, err := dusk.ComputeAll(ctx, a.c, writes, computeOpts(nil)...); err != nil {
		return err
	}
	if err := syncFile(tmp.Name()); err != nil {
		return fmt.Errorf("array: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), abs); err != nil {
		return fmt.Errorf("array: writing %s: %w", path, err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
