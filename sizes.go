package dusk

import (
	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/config"
)

// SizeOf estimates the bytes v holds in memory, as a worker's store counts
// them: exact for scalars, strings, []byte, slices of fixed-size elements
// and Arrow records, tables and arrays (their buffers, or a slice's own
// rows); sampled for slices and maps of other elements.
func SizeOf(v any) int64 { return codec.SizeOf(v) }

// ParseBytes parses a byte size such as "128MB", "1.5 GiB" or "4096": a
// non-negative number, optionally followed by a unit. Decimal units (kB,
// MB, GB, TB, PB, EB) are powers of 1000, binary units (KiB, MiB, GiB, TiB,
// PiB, EiB) powers of 1024; units are case-insensitive.
func ParseBytes(s string) (int64, error) { return config.ParseBytes(s) }
