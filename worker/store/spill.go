package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
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
// the data does not compress, and checksummed (see spillHeader). It is
// safe for concurrent use.
type SpillDir struct {
	dir  string
	max  int64 // most bytes on disk; 0: no bound
	algo codec.Compression
	// writeFile writes a new file from parts; a test seam for full disks.
	writeFile func(path string, parts ...[]byte) error

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

// A spill file is a header, then the body: the payload of the value's
// encoding (all but its first byte, the format), compressed or not.
//
//	magic 0xD5 | version 1 | codec.Kind | codec.Compression |
//	uvarint payload length | CRC-32C of the payload, 4 bytes little-endian
//
// The format byte travels in the header so that a []byte value (whose
// encoding is the format byte and the bytes themselves) is written from
// its own memory, without building its encoding: spilling happens when
// memory is short, and a copy of a large value could push the worker past
// its limit. Reading it back, the format byte goes just before the
// payload, in the header's place, so the encoding is again one slice.
const (
	spillMagic   = 0xD5
	spillVersion = 1
)

// spillHeader encodes a file's header.
func spillHeader(kind codec.Kind, algo codec.Compression, payload []byte) []byte {
	h := make([]byte, 4, 4+binary.MaxVarintLen64+4)
	h[0], h[1], h[2], h[3] = spillMagic, spillVersion, byte(kind), byte(algo)
	h = binary.AppendUvarint(h, uint64(len(payload)))
	return binary.LittleEndian.AppendUint32(h, crc32.Checksum(payload, castagnoli))
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// write stores a value's encoding, given as its format and payload, in a
// new file. The error is a *SpillError; no file is left behind on error.
func (d *SpillDir) write(k graph.Key, kind codec.Kind, payload []byte) (spillFile, error) {
	body, algo := codec.Compress(nil, payload, d.algo)
	hdr := spillHeader(kind, algo, payload)
	size := int64(len(hdr) + len(body))
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
	if err := d.writeFile(path, hdr, body); err != nil {
		_ = os.Remove(path)
		d.release(size)
		return spillFile{}, &SpillError{Dir: d.dir, Key: k, Op: "spilling", Err: err}
	}
	return f, nil
}

// read returns the encoding of the value a file holds. The error is a
// *SpillError.
func (d *SpillDir) read(k graph.Key, f spillFile) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(d.dir, f.name))
	if err == nil {
		b, err = decodeSpillFile(b)
	}
	if err != nil {
		return nil, &SpillError{Dir: d.dir, Key: k, Op: "reading back", Err: err}
	}
	return b, nil
}

// decodeSpillFile checks a file's header and checksum and returns the
// encoding it holds. An uncompressed payload is returned in b's memory.
func decodeSpillFile(b []byte) ([]byte, error) {
	if len(b) < 4 || b[0] != spillMagic || b[1] != spillVersion {
		return nil, fmt.Errorf("%w: not a spill file", codec.ErrCorrupt)
	}
	kind, algo := codec.Kind(b[2]), codec.Compression(b[3])
	n, k := binary.Uvarint(b[4:])
	if k <= 0 || len(b) < 4+k+4 {
		return nil, fmt.Errorf("%w: truncated spill file header", codec.ErrCorrupt)
	}
	hlen := 4 + k + 4
	sum := binary.LittleEndian.Uint32(b[4+k:])
	body := b[hlen:]
	var enc []byte
	if algo == codec.None {
		if uint64(len(body)) != n {
			return nil, fmt.Errorf("%w: spill file holds %d bytes where its header says %d", codec.ErrCorrupt, len(body), n)
		}
		enc = b[hlen-1:] // the format byte goes where the header ended
	} else {
		if n > uint64(len(body))*1024+64 {
			return nil, fmt.Errorf("%w: spill file header claims %d bytes", codec.ErrCorrupt, n)
		}
		enc = make([]byte, 1+n)
		out, err := codec.Decompress(enc[1:], body, algo)
		if err != nil {
			return nil, err
		}
		if uint64(len(out)) != n {
			return nil, fmt.Errorf("%w: spill file decompressed to %d bytes, not %d", codec.ErrCorrupt, len(out), n)
		}
		if len(out) > 0 && &out[0] != &enc[1] {
			copy(enc[1:], out)
		}
	}
	if crc32.Checksum(enc[1:], castagnoli) != sum {
		return nil, fmt.Errorf("%w: spill file checksum mismatch", codec.ErrCorrupt)
	}
	enc[0] = byte(kind)
	return enc, nil
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
