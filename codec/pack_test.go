package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

func TestPackRoundTrip(t *testing.T) {
	inputs := map[string][]byte{
		"empty":     {},
		"short":     []byte("hello"),
		"realistic": realisticData(1 << 20),
		"random":    randomBytes(300 << 10),
	}
	for name, src := range inputs {
		for _, algo := range []Compression{None, LZ4, Zstd} {
			p := Pack(src, algo)
			if p[0] != packMagic {
				t.Fatalf("%s/%v: no magic", name, algo)
			}
			used := Compression(p[1])
			if name == "realistic" && used != algo {
				t.Errorf("%s/%v: packed as %v", name, algo, used)
			}
			if name != "realistic" && used != None {
				t.Errorf("%s/%v: packed as %v, want none", name, algo, used)
			}
			got, err := Unpack(p)
			if err != nil || !bytes.Equal(got, src) {
				t.Fatalf("%s/%v: %v", name, algo, err)
			}
		}
	}
}

func TestUnpackDetectsCorruption(t *testing.T) {
	for _, algo := range []Compression{None, LZ4, Zstd} {
		src := realisticData(8 << 10)
		p := Pack(src, algo)
		// Every truncation is an error, not a panic.
		for n := range len(p) {
			if _, err := Unpack(p[:n]); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%v truncated to %d of %d: %v", algo, n, len(p), err)
			}
		}
		// Every single-byte change is caught (by the header checks, the
		// decompressor or the checksum).
		for i := range len(p) {
			bad := bytes.Clone(p)
			bad[i] ^= 0x01
			if _, err := Unpack(bad); err == nil {
				t.Fatalf("%v: flipping byte %d of %d went unnoticed", algo, i, len(p))
			}
		}
		// Trailing bytes are an error too.
		if _, err := Unpack(append(bytes.Clone(p), 0)); err == nil {
			t.Errorf("%v: trailing byte accepted", algo)
		}
	}
	// A header claiming a huge length fails without allocating it.
	lie := []byte{packMagic, byte(Zstd)}
	lie = binary.AppendUvarint(lie, 1<<50)
	lie = append(lie, 0, 0, 0, 0, 0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0)
	if _, err := Unpack(lie); !errors.Is(err, ErrCorrupt) {
		t.Errorf("lying length: %v", err)
	}
	if _, err := Unpack([]byte{0x00, 0x00, 0x00, 0, 0, 0, 0}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("bad magic: %v", err)
	}
	if _, err := Unpack([]byte{packMagic, 9, 0, 0, 0, 0, 0}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("bad algorithm: %v", err)
	}
}
