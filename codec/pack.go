package codec

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"slices"
)

// A packed blob is:
//
//	magic byte 0xDC | algorithm byte | uvarint uncompressed length |
//	CRC-32C of the uncompressed bytes, 4 bytes little-endian | body
//
// where the body is the output of Compress (or the bytes themselves for
// None).
const packMagic = 0xDC

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Pack compresses src with algo, or leaves it as it is when compressing does
// not pay (see Compress), and frames the result with the algorithm used,
// the uncompressed length and a checksum. Unpack reverses it.
func Pack(src []byte, algo Compression) []byte {
	// Room for the header and, for Zstd, a body of half the input; LZ4
	// grows it to its worst case itself.
	hdrLen := 2 + binary.MaxVarintLen64 + 4
	hdr := make([]byte, 2, hdrLen+len(src)/2)
	hdr[0] = packMagic
	hdr = binary.AppendUvarint(hdr, uint64(len(src)))
	hdr = binary.LittleEndian.AppendUint32(hdr, crc32.Checksum(src, castagnoli))
	out, ok := compressAppend(hdr, src, algo)
	if !ok {
		out = append(slices.Grow(hdr, len(src)), src...)
		algo = None
	} else if cap(out) > 2*len(out) {
		out = slices.Clip(slices.Clone(out)) // release the worst-case buffer
	}
	out[1] = byte(algo)
	return out
}

// Unpack returns the bytes that Pack framed. Truncated, damaged or foreign
// input yields an error wrapping ErrCorrupt, never a panic. For a blob Pack
// left uncompressed the result shares b's memory.
func Unpack(b []byte) ([]byte, error) {
	if len(b) < 2 {
		return nil, fmt.Errorf("%w: %d bytes is too short for a packed blob", ErrCorrupt, len(b))
	}
	if b[0] != packMagic {
		return nil, fmt.Errorf("%w: not a packed blob (first byte %#02x)", ErrCorrupt, b[0])
	}
	algo := Compression(b[1])
	if !algo.valid() {
		return nil, fmt.Errorf("%w: unknown compression %v", ErrCorrupt, algo)
	}
	n, k := binary.Uvarint(b[2:])
	if k <= 0 {
		return nil, fmt.Errorf("%w: bad length field", ErrCorrupt)
	}
	rest := b[2+k:]
	if len(rest) < 4 {
		return nil, fmt.Errorf("%w: truncated header", ErrCorrupt)
	}
	sum, body := binary.LittleEndian.Uint32(rest), rest[4:]
	out, err := unpackBody(body, algo, n)
	if err != nil {
		return nil, err
	}
	if crc32.Checksum(out, castagnoli) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	return out, nil
}

// unpackBody decompresses a packed body that should hold n bytes.
func unpackBody(body []byte, algo Compression, n uint64) ([]byte, error) {
	switch algo {
	case None:
		if uint64(len(body)) != n {
			return nil, fmt.Errorf("%w: %d bytes where the header says %d", ErrCorrupt, len(body), n)
		}
		return body[:n:n], nil
	case LZ4:
		m, k := binary.Uvarint(body)
		if k <= 0 || m != n {
			return nil, fmt.Errorf("%w: lz4 length prefix disagrees with the header", ErrCorrupt)
		}
		return decompressLZ4(nil, body[k:], n)
	}
	return decompressZstd(nil, body, n)
}
