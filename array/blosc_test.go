package array

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// bloscFrame writes data as a Blosc 1 frame of lz4 streams, as c-blosc
// lays one out (for the tests: dusk itself writes zlib, not Blosc):
// blocks of blocksize bytes, each byte-shuffled if shuffle, cut into one
// stream per byte of an element if split (not the last, shorter block).
func bloscFrame(data []byte, typesize, blocksize int, shuffle, split bool) []byte {
	flags := byte(1 << 5) // lz4
	if shuffle {
		flags |= bloscShuffle
	}
	if !split {
		flags |= bloscDontSplit
	}
	nblocks := (len(data) + blocksize - 1) / blocksize
	out := make([]byte, 16+4*nblocks)
	out[0], out[1], out[2], out[3] = 2, 1, flags, byte(typesize)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(data)))
	binary.LittleEndian.PutUint32(out[8:], uint32(blocksize))
	for i := range nblocks {
		binary.LittleEndian.PutUint32(out[16+4*i:], uint32(len(out)))
		block := data[i*blocksize : min((i+1)*blocksize, len(data))]
		if shuffle && typesize > 1 {
			n := len(block) / typesize
			sh := make([]byte, len(block))
			for e := range n {
				for j := range typesize {
					sh[j*n+e] = block[e*typesize+j]
				}
			}
			copy(sh[n*typesize:], block[n*typesize:])
			block = sh
		}
		streams := 1
		if split && len(block) == blocksize {
			streams = typesize
		}
		per := len(block) / streams
		for s := range streams {
			part := block[s*per : (s+1)*per]
			c := make([]byte, lz4.CompressBlockBound(len(part)))
			n, err := lz4.CompressBlock(part, c, nil)
			if err != nil || n == 0 || n >= len(part) {
				c, n = part, len(part) // incompressible: stored as it is
			}
			out = binary.LittleEndian.AppendUint32(out, uint32(n))
			out = append(out, c[:n]...)
		}
	}
	binary.LittleEndian.PutUint32(out[12:], uint32(len(out)))
	return out
}

func TestBloscRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 100, 4096, 20000} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.IntN(4)) // compressible
		}
		for _, typesize := range []int{1, 4, 8} {
			for _, blocksize := range []int{64, 1000, 1 << 16} {
				for _, shuffle := range []bool{false, true} {
					for _, split := range []bool{false, true} {
						name := fmt.Sprintf("n=%d typesize=%d blocksize=%d shuffle=%v split=%v", n, typesize, blocksize, shuffle, split)
						if split && blocksize%typesize != 0 {
							continue
						}
						frame := bloscFrame(data, typesize, blocksize, shuffle, split)
						got := make([]byte, n)
						if err := bloscDecode(frame, got); err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						if !bytes.Equal(got, data) {
							t.Fatalf("%s: decoded bytes differ", name)
						}
					}
				}
			}
		}
	}
}

func TestBloscDamagedFrames(t *testing.T) {
	data := bytes.Repeat([]byte("abcdefgh"), 1000)
	frame := bloscFrame(data, 8, 1024, true, true)
	for _, c := range []struct {
		name  string
		frame []byte
		n     int
		want  string
	}{
		{"a header cut short", frame[:10], len(data), "shorter than its 16-byte header"},
		{"a frame cut short", frame[:len(frame)-5], len(data), "says it is"},
		{"a chunk of another size", frame, len(data) - 8, "where the chunk has"},
		{"an unknown version", append([]byte{9}, frame[1:]...), len(data), "format version 9"},
		{"a stream past the end", func() []byte {
			f := bytes.Clone(frame)
			start := binary.LittleEndian.Uint32(f[16:])
			binary.LittleEndian.PutUint32(f[start:], 1<<20)
			return f
		}(), len(data), "past its end"},
	} {
		err := bloscDecode(c.frame, make([]byte, c.n))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
	}
}

// TestBloscZstdBomb: a zstd stream of a few kilobytes that decodes to
// 256 MiB, in a frame whose block is 4 KiB, is refused without the
// decoder growing its output to the stream's size.
func TestBloscZstdBomb(t *testing.T) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	bomb := enc.EncodeAll(make([]byte, 256<<20), nil)
	enc.Close()
	const n = 4096
	frame := make([]byte, 16, 16+4+4+len(bomb))
	frame[0], frame[1], frame[2], frame[3] = 2, 1, 4<<5|bloscDontSplit, 1 // zstd
	binary.LittleEndian.PutUint32(frame[4:], n)
	binary.LittleEndian.PutUint32(frame[8:], n)
	frame = binary.LittleEndian.AppendUint32(frame, 20)
	frame = binary.LittleEndian.AppendUint32(frame, uint32(len(bomb)))
	frame = append(frame, bomb...)
	binary.LittleEndian.PutUint32(frame[12:], uint32(len(frame)))

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err = bloscDecode(frame, make([]byte, n))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "zstd") {
		t.Fatalf("a zstd stream of 256 MiB in a 4 KiB block: %v, want a zstd error", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("refusing the stream allocated %d MiB", grew>>20)
	}
}

// FuzzBloscDecode feeds the decoder arbitrary frames: it returns an error
// or fills the chunk, and never panics or writes past it.
func FuzzBloscDecode(f *testing.F) {
	data := bytes.Repeat([]byte{1, 2, 3, 4, 0, 0, 0, 0}, 300)
	f.Add(bloscFrame(data, 8, 512, true, true), uint16(len(data)))
	f.Add(bloscFrame(data, 4, 1000, false, false), uint16(len(data)))
	f.Add(bloscFrame(data[:5], 1, 64, true, true), uint16(5))
	f.Fuzz(func(t *testing.T, frame []byte, n uint16) {
		dst := make([]byte, int(n)+8)
		for i := range dst {
			dst[i] = 0xAA
		}
		_ = bloscDecode(frame, dst[:n])
		for i, b := range dst[n:] {
			if b != 0xAA {
				t.Fatalf("byte %d past the chunk written", int(n)+i)
			}
		}
	})
}
