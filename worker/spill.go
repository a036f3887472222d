package worker

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
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

func (e *SpillError) Error() string {
	return fmt.Sprintf("dusk: %s %s in the spill directory %s: %v", e.Op, e.Key, e.Dir, e.Err)
}

func (e *SpillError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrSpillFull) true for a full disk (ENOSPC, or a
// disk quota) as well as for the maximum spill size.
func (e *SpillError) Is(target error) bool {
	return target == ErrSpillFull && (errors.Is(e.Err, syscall.ENOSPC) || errors.Is(e.Err, syscall.EDQUOT))
}

// maxSpillError is the maximum spill size being reached.
type maxSpillError struct{ used, size, max int64 }

func (e *maxSpillError) Error() string {
	return fmt.Sprintf("%s more would pass the maximum spill size of %s (%s on disk already; worker.memory.max-spill)",
		config.FormatBytes(e.size), config.FormatBytes(e.max), config.FormatBytes(e.used))
}

func (e *maxSpillError) Is(target error) bool { return target == ErrSpillFull }

// SpillDir keeps spilled values as files in one directory, one file per
// value. A file holds the value's encoding (codec.Encode: Arrow values are
// Arrow IPC), packed by codec.Pack: compressed with LZ4 when that pays,
// stored as it is when the data does not compress, and checksummed. It is
// safe for concurrent use.
type SpillDir struct {
	dir  string
	max  int64 // most bytes on disk; 0: no bound
	algo codec.Compression
	// writeFile writes a new file; a test seam for full disks.
	writeFile func(path string, data []byte) error

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
// directory that holds at most max bytes (0: no bound).
func NewSpillDir(dir string, max int64) (*SpillDir, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("dusk: creating the spill directory %s: %w", dir, err)
	}
	return &SpillDir{dir: dir, max: max, algo: codec.LZ4, writeFile: writeNewFile}, nil
}

// Dir returns the directory's path.
func (d *SpillDir) Dir() string { return d.dir }

// Used returns the bytes on disk.
func (d *SpillDir) Used() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.used
}

// write packs an encoded value into a new file. The error is a
// *SpillError; no file is left behind on error.
func (d *SpillDir) write(k graph.Key, encoded []byte) (spillFile, error) {
	packed := codec.Pack(encoded, d.algo)
	size := int64(len(packed))
	d.mu.Lock()
	if d.max > 0 && d.used+size > d.max {
		used := d.used
		d.mu.Unlock()
		return spillFile{}, &SpillError{Dir: d.dir, Key: k, Op: "spilling", Err: &maxSpillError{used: used, size: size, max: d.max}}
	}
	d.seq++
	f := spillFile{name: strconv.FormatUint(d.seq, 36), size: size}
	d.used += size // reserved now, so that concurrent writes respect max
	d.mu.Unlock()
	path := filepath.Join(d.dir, f.name)
	if err := d.writeFile(path, packed); err != nil {
		_ = os.Remove(path)
		d.release(size)
		return spillFile{}, &SpillError{Dir: d.dir, Key: k, Op: "spilling", Err: err}
	}
	return f, nil
}

// read returns the encoded value a file holds. The error is a *SpillError.
func (d *SpillDir) read(k graph.Key, f spillFile) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(d.dir, f.name))
	if err == nil {
		b, err = codec.Unpack(b)
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

// writeNewFile writes data to a file that must not exist yet. Spilled data
// lives as long as the worker at most, so it is not synced to disk.
func writeNewFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
