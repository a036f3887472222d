// Package incompressible makes partitions of random bytes that no codec
// can shrink, and reduces them: the workload that the memory tests and
// bench/memory push through workers' memory limits.
package incompressible

import (
	"hash/crc32"
	"math/rand/v2"
)

// Part names a partition: Size bytes from Seed.
type Part struct {
	Seed int
	Size int
}

// Parts returns n parts of size bytes, seeded 0 to n-1.
func Parts(n, size int) []Part {
	out := make([]Part, n)
	for i := range out {
		out[i] = Part{Seed: i, Size: size}
	}
	return out
}

// Bytes returns the part's bytes; the same part always gives the same bytes.
func Bytes(p Part) []byte {
	b := make([]byte, p.Size)
	var seed [32]byte
	seed[0], seed[1], seed[2] = byte(p.Seed), byte(p.Seed>>8), 0xD5
	_, _ = rand.NewChaCha8(seed).Read(b)
	return b
}

var table = crc32.MakeTable(crc32.Castagnoli)

// CRC is a partition's checksum (CRC-32C).
func CRC(b []byte) uint32 { return crc32.Checksum(b, table) }

// Total sums checksums.
func Total(xs []uint32) uint64 {
	var s uint64
	for _, x := range xs {
		s += uint64(x)
	}
	return s
}
