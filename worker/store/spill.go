package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/graph"
)

// ErrSpillFull is matched (errors.Is) by a *SpillError whose directory could
// not take the value: the disk is full, or the worker's maximum spill size
// (worker.memory.max-spill) is reached. The value stays in memory.
var ErrSpillFull = errors.New("the spill directory is full")

// SpillError is a value that could not be written to, or read from, a
// worker's spill directory. It names the directory.
type SpillError struct {
	Dir string    // the spill directory
	Key graph.Key // the value's key
	Op  string    // "spilling" or "reading back"
	Err error
}

// Error says what failed, for which key, in which directory.
func (e *SpillError) Error() string {
	return fmt.Sprintf("dusk: %s %s in the spill directory %s: %v", e.Op, e.Key, e.Dir, e.Err)
}

// Unwrap returns the underlying error (an *fs.PathError, for example).
func (e *SpillError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrSpillFull) true for a full disk (ENOSPC, or a
// disk quota) as well as for the maximum spill size.
func (e *SpillError) Is(target error) bool {
	return target == ErrSpillFull && (errors.Is(e.Err, syscall.ENOSPC) || errors.Is(e.Err, syscall.EDQUOT))
}

// maxSpillError is the maximum spill size being reached.
type maxSpillError struct{ used, size, max int64 }

// Error says how much is on disk and what the maximum is.
func (e *maxSpillError) Error() string {
	return fmt.Sprintf("%s more would pass the maximum spill size of %s (%s on disk already; worker.memory.max-spill)",
		config.FormatBytes(e.size), config.FormatBytes(e.max), config.FormatBytes(e.used))
}

// Is makes errors.Is(err, ErrSpillFull) true.
func (e *maxSpillError) Is(target error) bool { return target == ErrSpillFull }

// SpillDir keeps spilled values as files in one directory, one file per
// value. A file holds the value's encoding (codec.Encode: Arrow values are
// Arrow IPC), compressed with LZ4 when that pays and stored as it is when
// the data does not compress, and checksummed (see spillHeader). Large
// files are written and read with direct I/O where the file system allows
// it (see writeDirect), small ones through the page cache. It is safe for
// concurrent use.
type SpillDir struct {
	dir  string
	max  int64 // most bytes on disk; 0: no bound
	algo codec.Compression
	// writeFile writes a new file from parts through the page cache; a
	// test seam for full disks.
	writeFile func(path string, parts ...[]byte) error
	// align is the block of direct I/O in this directory (offsets, lengths
	// and memory aligned to it), or 0 where the file system refuses direct
	// I/O: then every file goes through the page cache.
	align atomic.Int64
	// directAbove is the smallest body written with direct I/O, and the
	// smallest file read with it.
	directAbove int
	chunks      sync.Pool // *[]byte: aligned buffers of directCopy bytes

	mu   sync.Mutex // protects the fields below
	used int64      // bytes of the files written and not removed
	seq  uint64     // names the next file
}

// spillFile is where one spilled value is.
type spillFile struct {
	name string // file name in the directory
	size int64  // bytes on disk
}

// NewSpillDir creates dir (and its parents) and returns it as a spill
// directory that holds at most max bytes (0: no bound). Whether its file
// system takes direct I/O is found out here, with a probe file.
func NewSpillDir(dir string, max int64) (*SpillDir, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("dusk: creating the spill directory %s: %w", dir, err)
	}
	d := &SpillDir{dir: dir, max: max, algo: codec.LZ4, writeFile: writeNewFile, directAbove: directAbove}
	d.align.Store(int64(probeDirect(dir)))
	return d, nil
}

// Dir returns the directory's path.
func (d *SpillDir) Dir() string { return d.dir }

// DirectIO reports whether large values are written and read with direct
// I/O (O_DIRECT), bypassing the page cache; false where the directory's
// file system refuses it.
func (d *SpillDir) DirectIO() bool { return d.align.Load() > 0 }

// Used returns the bytes on disk.
func (d *SpillDir) Used() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.used
}

// write stores a value's encoding in a new file: its format, and src,
// which holds its payload from byte skip on (the bytes before, if any,
// are the encoding's format byte). The error is a *SpillError; no file is
// left behind on error.
func (d *SpillDir) write(k graph.Key, kind codec.Kind, src []byte, skip int) (spillFile, error) {
	payload := src[skip:]
	body, algo := codec.Compress(nil, payload, d.algo)
	if algo != codec.None {
		src, skip = body, 0
	}
	align := int(d.align.Load())
	if align > 0 && len(body) >= d.directAbove {
		p := planDirect(src, skip, align)
		f, err := d.reserve(k, p.size)
		if err != nil {
			return spillFile{}, err
		}
		path := filepath.Join(d.dir, f.name)
		refused, err := d.writeDirect(path, kind, algo, payload, p, align)
		if err == nil {
			return f, nil
		}
		_ = os.Remove(path)
		d.release(p.size)
		if !refused {
			return spillFile{}, &SpillError{Dir: d.dir, Key: k, Op: "spilling", Err: err}
		}
		// The file system refused direct I/O after all: from now on,
		// files go through the page cache.
		d.align.Store(0)
	}
	hdr := spillHeader(kind, algo, payload)
	size := int64(len(hdr) + len(body))
	f, err := d.reserve(k, size)
	if err != nil {
		return spillFile{}, err
	}
	path := filepath.Join(d.dir, f.name)
	if err := d.writeFile(path, hdr, body); err != nil {
		_ = os.Remove(path)
		d.release(size)
		return spillFile{}, &SpillError{Dir: d.dir, Key: k, Op: "spilling", Err: err}
	}
	return f, nil
}

// reserve names a new file of size bytes and counts them as used now, so
// that concurrent writes respect the maximum. The error is a *SpillError
// when the maximum would be passed.
func (d *SpillDir) reserve(k graph.Key, size int64) (spillFile, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.max > 0 && d.used+size > d.max {
		return spillFile{}, &SpillError{Dir: d.dir, Key: k, Op: "spilling", Err: &maxSpillError{used: d.used, size: size, max: d.max}}
	}
	d.seq++
	d.used += size
	return spillFile{name: strconv.FormatUint(d.seq, 36), size: size}, nil
}

// read returns the encoding of the value a file holds. The error is a
// *SpillError.
func (d *SpillDir) read(k graph.Key, f spillFile) ([]byte, error) {
	path := filepath.Join(d.dir, f.name)
	var b []byte
	var err error
	if align := int(d.align.Load()); align > 0 && f.size >= int64(d.directAbove) {
		b, err = d.readDirect(path, f.size, align)
		if errors.Is(err, syscall.EINVAL) {
			d.align.Store(0) // refused after all: read through the page cache
			b, err = nil, nil
		}
	}
	if b == nil && err == nil {
		if b, err = os.ReadFile(path); err == nil {
			b, err = decodeSpillFile(b)
		}
	}
	if err != nil {
		return nil, &SpillError{Dir: d.dir, Key: k, Op: "reading back", Err: err}
	}
	return b, nil
}

// remove deletes a file.
func (d *SpillDir) remove(f spillFile) {
	if err := os.Remove(filepath.Join(d.dir, f.name)); err == nil || errors.Is(err, os.ErrNotExist) {
		d.release(f.size)
	}
}

func (d *SpillDir) release(size int64) {
	d.mu.Lock()
	d.used -= size
	d.mu.Unlock()
}

// writeNewFile writes parts to a file that must not exist yet. Spilled
// data lives as long as the worker at most, so it is not synced to disk.
func writeNewFile(path string, parts ...[]byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if _, err = f.Write(p); err != nil {
			break
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
