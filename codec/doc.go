// Package codec turns the values dusk stores and moves into bytes and back,
// estimates how many bytes a value holds in memory, and compresses blobs for
// spilling and transfer.
//
// # Encoding
//
// An encoded value is one format byte (a Kind) followed by the payload. The
// format follows from the value's type, in this order:
//
//  1. A []byte is stored as it is (Raw). Encode copies it once, into the
//     result; decoding it into []byte or any returns a slice of the input,
//     with no copy.
//  2. An arrow.RecordBatch or arrow.Table is written as an Arrow IPC stream
//     (ArrowRecord, ArrowTable) and decodes back to the same kind, its
//     buffers taken from memory.DefaultAllocator or the Decoder's Allocator.
//     The caller releases what Decode returns.
//  3. A value whose type implements gob.GobEncoder or
//     encoding.BinaryMarshaler, and whose pointer type implements the
//     matching decoder, is stored through those methods (Gob); decoding it
//     needs its concrete type. time.Time, *big.Int and types implementing
//     cbor.Marshaler are left to CBOR, which knows them.
//  4. Every other value is CBOR (RFC 8949, through fxamacker/cbor): structs
//     as maps keyed by exported field name, time.Time as RFC 3339 text with
//     nanoseconds, nil slices and maps as null. Slices of float64, float32,
//     int64 and int take a fast path that writes the same bytes.
//
// Functions, channels, unsafe pointers, uintptr and complex numbers have no
// portable form: Encode returns an *UnsupportedTypeError naming the type and
// what to return instead. A value that nests deeper than MaxDepth containers,
// such as a cyclic pointer structure, is refused with a *DepthError, since
// Decode would refuse it on the other side.
//
// # Decoding untrusted bytes
//
// Decode never panics. CBOR nesting is bounded by MaxDepth while arrays and
// maps may be as long as the input allows. An Arrow stream's flatbuffer
// metadata is checked before the Arrow reader sees it (the reader would
// otherwise size allocations from unchecked lengths), its allocations are
// bounded by the input's length, and every record batch is validated in
// full. Failures are *DecodeError values that name the format, the target
// type and the cause.
//
// # Sizes and compression
//
// SizeOf estimates the bytes a value holds in time that does not grow with
// its length: large slices and maps are sampled.
//
// Compress and Decompress handle LZ4 and Zstandard. Compress declines
// (returns its input and None) when the data will not shrink by a tenth,
// judging large inputs on a 64 KiB sample first. Pack frames the result with
// its algorithm, length and CRC-32C so that Unpack detects truncation and
// damage.
//
// All functions are safe for concurrent use. The package keeps no settings;
// its shared state is immutable CBOR modes, Zstandard coders built on first
// use, and a memo of facts about Go types.
package codec
