package store

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/internal/unzeroed"
)

// Large spill files bypass the page cache. Written through it, a spilled
// value is first copied into the cache and then written back by the
// kernel, which throttles the writer once too much is dirty; on a virtual
// disk that makes spilling run at half the disk's speed or less. Read
// through it, a file arrives in readahead-sized pieces. With direct I/O
// (O_DIRECT) the disk moves the value's memory itself, in large requests.
//
// Direct I/O wants offsets, lengths and memory aligned to a block of the
// file system. A version 2 file (see spillHeader) has its header alone in
// the first block and the body from the second on, so the body is written
// from the value's own memory when that is aligned (Go's large
// allocations are), and through a reusable aligned buffer when it is
// not. The last, partial block is written padded and the file truncated
// to its length. The checksum is computed on another goroutine while the
// disk writes, and the header, which holds it, is written last. Reading,
// the file goes into aligned memory that becomes the value's buffer, in
// chunks, the checksum following the chunks as they arrive.
const (
	// directAbove is the smallest body written with direct I/O: below,
	// a padded block costs more than the page cache.
	directAbove = 1 << 20
	// directChunk is the size of a read. Several are in flight at once
	// (directReaders), and the checksum follows them in order: with small
	// chunks it sums each as the next ones arrive, where with chunks of a
	// quarter of the file most of the summing came after the disk's last
	// read (16 MiB chunks read 64 MiB files 10-20% slower than 2 MiB ones
	// on a virtual disk of 1.3-1.9 GB/s).
	directChunk = 2 << 20
	// directCopy is the size of the buffer that copies an unaligned body
	// for writing: small, since spilling happens when memory is short.
	directCopy = 4 << 20
	// directReaders is how many chunks of a file are read at once.
	directReaders = 8
	// directMaxIO bounds one write from a value's memory (Linux moves
	// less than 2 GiB per call).
	directMaxIO = 1 << 30
)

// directPlan is where a body goes in a version 2 file.
type directPlan struct {
	src  []byte // written from file offset align on
	copy bool   // src is not aligned in memory: copied through a buffer
	off  int    // where the body starts in the file
	size int64  // the file's length
}

// planDirect places the body held by src from byte skip on. If src is
// aligned in memory it is written as it is, its bytes before the body
// (the format byte) landing in the padding; otherwise the body is copied.
func planDirect(src []byte, skip, align int) directPlan {
	if len(src) == 0 || isAligned(src, align) {
		return directPlan{src: src, off: align + skip, size: int64(align + len(src))}
	}
	body := src[skip:]
	return directPlan{src: body, copy: true, off: align, size: int64(align + len(body))}
}

// isAligned reports whether b starts at a multiple of align in memory.
func isAligned(b []byte, align int) bool {
	return uintptr(unsafe.Pointer(unsafe.SliceData(b)))%uintptr(align) == 0
}

// alignedBytes returns n zero bytes starting at a multiple of align in
// memory.
func alignedBytes(n, align int) []byte {
	return alignIn(make([]byte, n+align), n, align)
}

// alignedUnzeroed is alignedBytes for a buffer its caller writes before
// reading (a read from disk): its bytes are not zeroed first (package
// unzeroed).
func alignedUnzeroed(n, align int) []byte {
	return alignIn(unzeroed.Bytes(n+align), n, align)
}

// alignIn returns the n bytes of b (n + align long) that start at a
// multiple of align in memory.
func alignIn(b []byte, n, align int) []byte {
	off := int(uintptr(align)-uintptr(unsafe.Pointer(unsafe.SliceData(b)))%uintptr(align)) % align
	return b[off : off+n : off+n]
}

// writeDirect writes a version 2 file, which must not exist yet, with
// direct I/O. payload is the value's payload, for the checksum; p says
// where its body goes. refused says that the file system refused direct
// I/O: EINVAL on opening the file, or on a write before any succeeded (an
// EINVAL later, after a short write on a full disk, is an error).
func (d *SpillDir) writeDirect(path string, kind codec.Kind, algo codec.Compression, payload []byte, p directPlan, align int) (refused bool, err error) {
	f, err := openDirect(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return errors.Is(err, syscall.EINVAL), err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	sum := make(chan uint32, 1)
	go func() { sum <- crc32.Checksum(payload, castagnoli) }()
	block, wrote, err := d.writeBody(f, p, align)
	s := <-sum
	if err != nil {
		return !wrote && errors.Is(err, syscall.EINVAL), err
	}
	clear(block)
	putSpillHeader2(block, kind, algo, len(payload), s, p.off)
	if _, err := f.WriteAt(block, 0); err != nil {
		return !wrote && errors.Is(err, syscall.EINVAL), err
	}
	if int64(len(p.src))%int64(align) != 0 {
		return false, f.Truncate(p.size) // the last block was padded
	}
	return false, nil
}

// writeBody writes p.src from file offset align on, its last partial block
// padded with zeros, and returns an aligned block for the header, and
// whether any write succeeded.
func (d *SpillDir) writeBody(f *os.File, p directPlan, align int) (block []byte, wrote bool, err error) {
	full := len(p.src) &^ (align - 1)
	pos := int64(align)
	if p.copy && full > 0 {
		buf := d.chunk(align)
		defer d.chunks.Put(buf)
		for i := 0; i < full; {
			c := copy((*buf)[:min(len(*buf), full-i)], p.src[i:full])
			if _, err := f.WriteAt((*buf)[:c], pos); err != nil {
				return nil, wrote, err
			}
			i, pos, wrote = i+c, pos+int64(c), true
		}
	} else {
		for i := 0; i < full; {
			c := min(directMaxIO, full-i)
			if _, err := f.WriteAt(p.src[i:i+c], pos); err != nil {
				return nil, wrote, err
			}
			i, pos, wrote = i+c, pos+int64(c), true
		}
	}
	block = alignedBytes(align, align)
	if len(p.src) > full {
		copy(block, p.src[full:])
		if _, err := f.WriteAt(block, pos); err != nil {
			return nil, wrote, err
		}
		wrote = true
	}
	return block, wrote, nil
}

// chunk returns an aligned buffer of directCopy bytes, to put back in
// d.chunks after use.
func (d *SpillDir) chunk(align int) *[]byte {
	if b, ok := d.chunks.Get().(*[]byte); ok && isAligned(*b, align) {
		return b
	}
	b := alignedBytes(directCopy, align)
	return &b
}

// readDirect reads a file of size bytes with direct I/O and returns the
// encoding it holds, in aligned memory of its own. An EINVAL error means
// the file system refused direct I/O.
func (d *SpillDir) readDirect(path string, size int64, align int) ([]byte, error) {
	f, err := openDirect(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Not zeroed first: the reads fill it up to size, and nothing past
	// size is handed out (the result is cut at n, its capacity too).
	buf := alignedUnzeroed(int((size+int64(align)-1)/int64(align))*align, align)
	// A few goroutines read the chunks, several at once so that the disk
	// has as many requests at hand as with one large read; this one checks
	// the header and sums the payload as the chunks arrive, in order.
	nchunks := (len(buf) + directChunk - 1) / directChunk
	done := make([]chan chunkRead, nchunks)
	for i := range done {
		done[i] = make(chan chunkRead, 1)
	}
	var next atomic.Int64
	for range min(directReaders, nchunks) {
		go func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= nchunks {
					return
				}
				lo := i * directChunk
				n, err := f.ReadAt(buf[lo:min(lo+directChunk, len(buf))], int64(lo))
				if errors.Is(err, io.EOF) {
					err = nil
				}
				done[i] <- chunkRead{n, err}
			}
		}()
	}
	var (
		h      spillHead
		herr   error
		rerr   error
		parsed bool
		sum    uint32
		summed int // bytes of the file summed so far
		n      int // bytes read, from the start of the file on
	)
	for i := range nchunks { // every chunk, so that no reader is left
		r := <-done[i]
		if r.err != nil && rerr == nil {
			rerr = r.err
		}
		if n == i*directChunk {
			n += r.n
		}
		if !parsed && herr == nil && n >= min(align, int(size)) {
			if h, herr = parseSpillHeader(buf[:min(n, align, int(size))]); herr == nil {
				parsed, summed = true, h.off
			}
		}
		if parsed && h.algo == codec.None && n > summed {
			sum = crc32.Update(sum, castagnoli, buf[summed:n])
			summed = n
		}
	}
	if rerr != nil {
		return nil, rerr
	}
	if herr != nil {
		return nil, herr
	}
	if int64(n) != size || !parsed {
		return nil, fmt.Errorf("%w: spill file has %d bytes, not %d", codec.ErrCorrupt, n, size)
	}
	if h.algo != codec.None || summed != n {
		return spillEncoding(buf[:n:n], h, nil)
	}
	return spillEncoding(buf[:n:n], h, &sum)
}

// chunkRead is how one chunk of a file was read.
type chunkRead struct {
	n   int
	err error
}
