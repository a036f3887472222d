package array

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// Blosc is the compressor Python's zarr (numcodecs) uses by default: a
// 16-byte header, then the data cut into blocks, each byte-shuffled (the
// k-th bytes of all its elements together) and compressed by an inner
// codec, in one stream per byte of an element unless told not to split.
// dusk reads the inner codecs lz4 (numcodecs' default), zlib and zstd,
// with byte shuffle or none; it writes zlib (ToZarr), which zarr reads.

// The header's flags.
const (
	bloscShuffle    = 0x01
	bloscMemcpyed   = 0x02
	bloscBitShuffle = 0x04
	bloscDontSplit  = 0x10
)

// bloscCodecs names the inner codecs by their code (the header's flags'
// top three bits).
var bloscCodecs = [...]string{"blosclz", "lz4", "snappy", "zlib", "zstd"}

// bloscDecode decompresses the Blosc frame src into dst, which must be
// exactly as long as the data it holds.
func bloscDecode(src, dst []byte) error {
	if len(src) < 16 {
		return fmt.Errorf("a Blosc frame of %d bytes, shorter than its 16-byte header", len(src))
	}
	flags, typesize := src[2], int(src[3])
	nbytes := int(binary.LittleEndian.Uint32(src[4:]))
	blocksize := int(binary.LittleEndian.Uint32(src[8:]))
	cbytes := int(binary.LittleEndian.Uint32(src[12:]))
	switch {
	case src[0] == 0 || src[0] > 4:
		return fmt.Errorf("Blosc format version %d (dusk reads Blosc 1 frames, versions 1 to 4)", src[0])
	case nbytes != len(dst):
		return fmt.Errorf("a Blosc frame of %d bytes of data, where the chunk has %d", nbytes, len(dst))
	case cbytes != len(src):
		return fmt.Errorf("a Blosc frame that says it is %d bytes long is %d", cbytes, len(src))
	case typesize == 0:
		return fmt.Errorf("a Blosc frame with elements of 0 bytes")
	}
	if flags&bloscMemcpyed != 0 {
		if len(src)-16 != nbytes {
			return fmt.Errorf("an uncompressed Blosc frame of %d bytes for %d bytes of data", len(src)-16, nbytes)
		}
		copy(dst, src[16:])
		return nil
	}
	if flags&bloscBitShuffle != 0 {
		return fmt.Errorf("a Blosc frame with bit shuffle; dusk reads byte shuffle or none (in Python: numcodecs.Blosc(shuffle=numcodecs.Blosc.SHUFFLE))")
	}
	code := int(flags >> 5)
	if code >= len(bloscCodecs) || code == 0 || code == 2 {
		name := fmt.Sprintf("code %d", code)
		if code < len(bloscCodecs) {
			name = bloscCodecs[code]
		}
		return fmt.Errorf("a Blosc frame compressed with %s; dusk reads lz4, zlib and zstd (in Python: numcodecs.Blosc(cname='lz4'))", name)
	}
	if nbytes == 0 {
		return nil
	}
	if blocksize <= 0 {
		return fmt.Errorf("a Blosc frame with blocks of %d bytes", blocksize)
	}
	nblocks := (nbytes + blocksize - 1) / blocksize
	if 16+4*nblocks > len(src) {
		return fmt.Errorf("a Blosc frame too short for the starts of its %d blocks", nblocks)
	}
	var zd *zstd.Decoder // made at the first zstd stream
	defer func() {
		if zd != nil {
			zd.Close()
		}
	}()
	var tmp []byte
	if flags&bloscShuffle != 0 && typesize > 1 {
		tmp = make([]byte, min(blocksize, nbytes)) // a header's blocksize is not trusted for an allocation
	}
	for i := range nblocks {
		start := int(binary.LittleEndian.Uint32(src[16+4*i:]))
		bsize := min(blocksize, nbytes-i*blocksize)
		out := dst[i*blocksize : i*blocksize+bsize]
		into := out
		if tmp != nil {
			into = tmp[:bsize]
		}
		// A whole block is cut into one stream per byte of an element
		// (unless told not to); the last, shorter block is one stream.
		splits := 1
		if flags&bloscDontSplit == 0 && bsize == blocksize {
			splits = typesize
		}
		if bsize%splits != 0 {
			return fmt.Errorf("block %d of a Blosc frame: %d bytes in %d streams", i, bsize, splits)
		}
		per := bsize / splits
		at := start
		for s := range splits {
			if at < 0 || at+4 > len(src) {
				return fmt.Errorf("block %d of a Blosc frame starts outside it", i)
			}
			n := int(int32(binary.LittleEndian.Uint32(src[at:])))
			at += 4
			if n <= 0 || at+n > len(src) {
				return fmt.Errorf("block %d of a Blosc frame has a stream of %d bytes past its end", i, n)
			}
			if err := bloscInner(code, &zd, min(blocksize, nbytes), src[at:at+n], into[s*per:(s+1)*per:(s+1)*per]); err != nil {
				return fmt.Errorf("block %d of a Blosc frame: %w", i, err)
			}
			at += n
		}
		if tmp != nil {
			unshuffle(out, into, typesize)
		}
	}
	return nil
}

// bloscInner decompresses one stream into dst, which it must fill; a
// stream as long as dst is stored as it is. No stream of a frame holds
// more than a block (blocksize bytes), so a zstd stream that would decode
// to more than dst is refused as it goes rather than grown into memory (a
// few bytes of zstd can claim gigabytes).
func bloscInner(code int, zd **zstd.Decoder, blocksize int, src, dst []byte) error {
	if len(src) == len(dst) {
		copy(dst, src)
		return nil
	}
	switch bloscCodecs[code] {
	case "lz4":
		n, err := lz4.UncompressBlock(src, dst)
		if err != nil {
			return fmt.Errorf("lz4: %w", err)
		}
		if n != len(dst) {
			return fmt.Errorf("lz4 gave %d bytes of %d", n, len(dst))
		}
	case "zlib":
		zr, err := zlib.NewReader(bytes.NewReader(src))
		if err != nil {
			return fmt.Errorf("zlib: %w", err)
		}
		if _, err := io.ReadFull(zr, dst); err != nil {
			return fmt.Errorf("zlib: %w", err)
		}
	case "zstd":
		if *zd == nil {
			// Output stops at dst's capacity; windows are bounded too
			// (a window is at least 1 KiB, and a one-shot compressor's
			// frame has a window no larger than its data).
			dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecodeAllCapLimit(true),
				zstd.WithDecoderMaxMemory(uint64(max(blocksize, 1<<20))))
			if err != nil {
				return err
			}
			*zd = dec
		}
		out, err := (*zd).DecodeAll(src, dst[:0])
		if err != nil {
			return fmt.Errorf("zstd: %w", err)
		}
		if len(out) != len(dst) || &out[0] != &dst[0] {
			return fmt.Errorf("zstd gave %d bytes of %d", len(out), len(dst))
		}
	}
	return nil
}

// unshuffle undoes Blosc's byte shuffle of one block: src holds the first
// byte of every element, then every second byte, and so on, with the
// bytes past the last whole element at the end as they were.
func unshuffle(dst, src []byte, typesize int) {
	n := len(src) / typesize
	for j := range typesize {
		plane := src[j*n : (j+1)*n]
		for i, b := range plane {
			dst[i*typesize+j] = b
		}
	}
	copy(dst[n*typesize:], src[n*typesize:])
}
