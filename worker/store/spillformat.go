package store

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"github.com/dusk-go/dusk/codec"
)

// A spill file is a header, then the body: the payload of the value's
// encoding (all but its first byte, the format), compressed or not.
//
//	magic 0xD5 | version | codec.Kind | codec.Compression |
//	uvarint payload length | CRC-32C of the payload, 4 bytes little-endian |
//	version 2 only: uvarint offset of the body in the file
//
// Version 1 files (written through the page cache) have the body right
// after the header. Version 2 files (written with direct I/O) have the
// header alone in the first block of the file and the body at the offset
// the header gives, a block further at least, so that the body is written
// and read in whole aligned blocks; the bytes between are padding.
//
// The format byte travels in the header so that a []byte value (whose
// encoding is the format byte and the bytes themselves) is written from
// its own memory, without building its encoding: spilling happens when
// memory is short, and a copy of a large value could push the worker past
// its limit. Reading it back, the format byte goes just before the
// payload, in the header's (or the padding's) place, so the encoding is
// again one slice.
const (
	spillMagic    = 0xD5
	spillVersion  = 1 // body right after the header
	spillVersion2 = 2 // body at an offset given in the header
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// spillHeader encodes a version 1 header.
func spillHeader(kind codec.Kind, algo codec.Compression, payload []byte) []byte {
	h := make([]byte, 4, 4+binary.MaxVarintLen64+4)
	h[0], h[1], h[2], h[3] = spillMagic, spillVersion, byte(kind), byte(algo)
	h = binary.AppendUvarint(h, uint64(len(payload)))
	return binary.LittleEndian.AppendUint32(h, crc32.Checksum(payload, castagnoli))
}

// putSpillHeader2 writes a version 2 header at the start of block, whose
// other bytes must be zero, for a payload of n bytes with checksum sum,
// and a body at offset off.
func putSpillHeader2(block []byte, kind codec.Kind, algo codec.Compression, n int, sum uint32, off int) {
	h := block[:4:len(block)]
	h[0], h[1], h[2], h[3] = spillMagic, spillVersion2, byte(kind), byte(algo)
	h = binary.AppendUvarint(h, uint64(n))
	h = binary.LittleEndian.AppendUint32(h, sum)
	binary.AppendUvarint(h, uint64(off))
}

// spillHead is what a file's header says.
type spillHead struct {
	kind codec.Kind
	algo codec.Compression
	n    uint64 // payload bytes
	sum  uint32 // CRC-32C of the payload
	off  int    // where the body starts in the file
}

// parseSpillHeader reads the header at the start of b.
func parseSpillHeader(b []byte) (spillHead, error) {
	if len(b) < 4 || b[0] != spillMagic || (b[1] != spillVersion && b[1] != spillVersion2) {
		return spillHead{}, fmt.Errorf("%w: not a spill file", codec.ErrCorrupt)
	}
	h := spillHead{kind: codec.Kind(b[2]), algo: codec.Compression(b[3])}
	n, k := binary.Uvarint(b[4:])
	if k <= 0 || len(b) < 4+k+4 {
		return spillHead{}, fmt.Errorf("%w: truncated spill file header", codec.ErrCorrupt)
	}
	h.n, h.sum, h.off = n, binary.LittleEndian.Uint32(b[4+k:]), 4+k+4
	if b[1] == spillVersion2 {
		off, j := binary.Uvarint(b[h.off:])
		if j <= 0 || off < uint64(h.off+j) || off > 1<<30 {
			return spillHead{}, fmt.Errorf("%w: spill file header gives the body offset %d", codec.ErrCorrupt, off)
		}
		h.off = int(off)
	}
	return h, nil
}

// decodeSpillFile checks a file's header and checksum and returns the
// encoding it holds. An uncompressed payload is returned in b's memory.
func decodeSpillFile(b []byte) ([]byte, error) {
	h, err := parseSpillHeader(b)
	if err != nil {
		return nil, err
	}
	return spillEncoding(b, h, nil)
}

// spillEncoding checks the body of a file, b, whose header is h, and
// returns the encoding it holds: an uncompressed payload in b's memory,
// with the format byte written just before it. sum, if not nil, is the
// CRC-32C of an uncompressed payload, computed as the file was read.
func spillEncoding(b []byte, h spillHead, sum *uint32) ([]byte, error) {
	if h.off > len(b) {
		return nil, fmt.Errorf("%w: spill file of %d bytes has its body at %d", codec.ErrCorrupt, len(b), h.off)
	}
	body := b[h.off:]
	var enc []byte
	if h.algo == codec.None {
		if uint64(len(body)) != h.n {
			return nil, fmt.Errorf("%w: spill file holds %d bytes where its header says %d", codec.ErrCorrupt, len(body), h.n)
		}
		enc = b[h.off-1:] // the format byte goes where the header ended
	} else {
		sum = nil
		if h.n > uint64(len(body))*1024+64 {
			return nil, fmt.Errorf("%w: spill file header claims %d bytes", codec.ErrCorrupt, h.n)
		}
		enc = make([]byte, 1+h.n)
		out, err := codec.Decompress(enc[1:], body, h.algo)
		if err != nil {
			return nil, err
		}
		if uint64(len(out)) != h.n {
			return nil, fmt.Errorf("%w: spill file decompressed to %d bytes, not %d", codec.ErrCorrupt, len(out), h.n)
		}
		if len(out) > 0 && &out[0] != &enc[1] {
			copy(enc[1:], out)
		}
	}
	if sum == nil {
		s := crc32.Checksum(enc[1:], castagnoli)
		sum = &s
	}
	if *sum != h.sum {
		return nil, fmt.Errorf("%w: spill file checksum mismatch", codec.ErrCorrupt)
	}
	enc[0] = byte(h.kind)
	return enc, nil
}
