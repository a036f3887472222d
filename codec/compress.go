package codec

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// Compression names a compression algorithm.
type Compression uint8

// The algorithms. LZ4 is the fast one, for transfers and spilling to fast
// disks; Zstd, at its fastest level, compresses tighter at about half the
// speed.
const (
	// None leaves data as it is.
	None Compression = 0
	// LZ4 is the LZ4 block format, prefixed with the uncompressed length.
	LZ4 Compression = 1
	// Zstd is one Zstandard frame, which records its uncompressed length.
	Zstd Compression = 2
)

// String returns the algorithm's lower-case name, such as "zstd".
func (c Compression) String() string {
	switch c {
	case None:
		return "none"
	case LZ4:
		return "lz4"
	case Zstd:
		return "zstd"
	}
	return "Compression(" + strconv.Itoa(int(c)) + ")"
}

func (c Compression) valid() bool { return c <= Zstd }

const (
	// minCompressLen is the shortest input Compress tries to compress.
	minCompressLen = 1 << 10
	// sampleAbove is the input length above which Compress first compresses
	// a sample, made of sampleParts slices spread over the input and
	// sampleLen bytes long in all.
	sampleAbove = 256 << 10
	sampleLen   = 64 << 10
	sampleParts = 4
)

// zstdEncoder and zstdDecoder are built on first use and shared; both are
// safe for concurrent use. The decoder never writes past the capacity of
// the buffer it is given, so callers bound its output.
var (
	zstdEncoder = sync.OnceValues(func() (*zstd.Encoder, error) {
		return zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))
	})
	zstdDecoder = sync.OnceValues(func() (*zstd.Decoder, error) {
		return zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecodeAllCapLimit(true))
	})
)

// Compress compresses src with algo into dst's storage (dst may be nil; it
// is overwritten from its start, not appended to, and must not overlap src)
// and returns the result and
// the algorithm used. When compressing would not pay, because src is short,
// algo is None or unknown, or the data does not shrink by at least a tenth,
// it returns src itself and None. Inputs over 256 KiB are judged on a 64 KiB
// sample first, so incompressible data costs little.
func Compress(dst, src []byte, algo Compression) (out []byte, used Compression) {
	out, ok := compressAppend(dst[:0], src, algo)
	if !ok {
		return src, None
	}
	return out, algo
}

// compressAppend appends the compressed form of src to dst. ok is false,
// and dst is returned unchanged, when compression does not pay.
func compressAppend(dst, src []byte, algo Compression) (out []byte, ok bool) {
	if algo == None || !algo.valid() || len(src) < minCompressLen {
		return dst, false
	}
	if len(src) > sampleAbove {
		sample := makeSample(src)
		c, err := compressWith(nil, sample, algo)
		if err != nil || !pays(len(c), len(sample)) {
			return dst, false
		}
	}
	c, err := compressWith(dst, src, algo)
	if err != nil || !pays(len(c)-len(dst), len(src)) {
		return dst, false
	}
	return c, true
}

// pays reports whether compressing n bytes to c bytes saved a tenth or more.
func pays(c, n int) bool { return int64(c)*10 <= int64(n)*9 }

// makeSample copies sampleParts evenly spaced slices of src into one buffer.
func makeSample(src []byte) []byte {
	part := sampleLen / sampleParts
	sample := make([]byte, 0, sampleLen)
	for i := range sampleParts {
		off := i * (len(src) - part) / (sampleParts - 1)
		sample = append(sample, src[off:off+part]...)
	}
	return sample
}

// lz4CCompatAbove is the input length from which LZ4 uses the reference
// implementation's algorithm, which is faster on large blocks.
const lz4CCompatAbove = 64 << 10

// compressWith appends the compressed form of src to dst.
func compressWith(dst, src []byte, algo Compression) ([]byte, error) {
	switch algo {
	case LZ4:
		dst = binary.AppendUvarint(dst, uint64(len(src)))
		start, bound := len(dst), lz4.CompressBlockBound(len(src))
		dst = slices.Grow(dst, bound)
		var (
			n   int
			err error
		)
		// Each compressor holds 128 KiB or so of tables; they are made per
		// call, which costs little next to compressing a kilobyte or more.
		if len(src) >= lz4CCompatAbove {
			n, err = new(lz4.CompressorCCompat).CompressBlock(src, dst[start:start+bound])
		} else {
			n, err = new(lz4.Compressor).CompressBlock(src, dst[start:start+bound])
		}
		if err != nil {
			return dst, fmt.Errorf("codec: lz4: %w", err)
		}
		if n == 0 {
			return dst, fmt.Errorf("codec: lz4: incompressible")
		}
		return dst[:start+n], nil
	case Zstd:
		enc, err := zstdEncoder()
		if err != nil {
			return dst, fmt.Errorf("codec: zstd: %w", err)
		}
		return enc.EncodeAll(src, dst), nil
	}
	return dst, fmt.Errorf("codec: unknown compression %v", algo)
}

// Decompress reverses Compress: it decompresses src, compressed with algo,
// into dst's storage (dst may be nil; it is overwritten from its start and
// must not overlap src) and
// returns the result. For None it returns src itself. Damaged input yields
// an error wrapping ErrCorrupt, never a panic.
func Decompress(dst, src []byte, algo Compression) ([]byte, error) {
	switch algo {
	case None:
		return src, nil
	case LZ4:
		n, k := binary.Uvarint(src)
		if k <= 0 {
			return nil, fmt.Errorf("%w: lz4: bad length prefix", ErrCorrupt)
		}
		return decompressLZ4(dst, src[k:], n)
	case Zstd:
		var h zstd.Header
		if err := h.Decode(src); err != nil {
			return nil, fmt.Errorf("%w: zstd: %w", ErrCorrupt, err)
		}
		if !h.HasFCS {
			return nil, fmt.Errorf("%w: zstd: the frame does not record its length", ErrCorrupt)
		}
		return decompressZstd(dst, src, h.FrameContentSize)
	}
	return nil, fmt.Errorf("%w: unknown compression %v", ErrCorrupt, algo)
}

// Neither format can expand a byte into more than these many: LZ4 spends at
// least one byte per 255 of a match; a Zstandard RLE block is four bytes
// for 128 KiB.
const (
	maxLZ4Ratio  = 256
	maxZstdRatio = 1 << 15
)

// plausible reports whether n bytes can come out of c compressed bytes at
// the given ratio; it keeps a lying header from causing a huge allocation.
func plausible(n uint64, c int, ratio uint64) bool {
	return n <= uint64(c)*ratio+64
}

func decompressLZ4(dst, block []byte, n uint64) ([]byte, error) {
	if !plausible(n, len(block), maxLZ4Ratio) {
		return nil, fmt.Errorf("%w: lz4: %d bytes cannot hold %d", ErrCorrupt, len(block), n)
	}
	if n == 0 || len(block) == 0 {
		// Compress never writes an empty block, and the LZ4 decoder must
		// not be handed an empty destination.
		return nil, fmt.Errorf("%w: lz4: empty block or empty output", ErrCorrupt)
	}
	out := slices.Grow(dst[:0], int(n))[:n]
	m, err := lz4.UncompressBlock(block, out)
	if err != nil {
		return nil, fmt.Errorf("%w: lz4: %w", ErrCorrupt, err)
	}
	if uint64(m) != n {
		return nil, fmt.Errorf("%w: lz4: %d bytes decompressed, %d expected", ErrCorrupt, m, n)
	}
	return out, nil
}

func decompressZstd(dst, src []byte, n uint64) ([]byte, error) {
	if !plausible(n, len(src), maxZstdRatio) {
		return nil, fmt.Errorf("%w: zstd: %d bytes cannot hold %d", ErrCorrupt, len(src), n)
	}
	dec, err := zstdDecoder()
	if err != nil {
		return nil, fmt.Errorf("codec: zstd: %w", err)
	}
	out, err := dec.DecodeAll(src, slices.Grow(dst[:0], int(n))[:0])
	if err != nil {
		return nil, fmt.Errorf("%w: zstd: %w", ErrCorrupt, err)
	}
	if uint64(len(out)) != n {
		return nil, fmt.Errorf("%w: zstd: %d bytes decompressed, %d expected", ErrCorrupt, len(out), n)
	}
	return out, nil
}
