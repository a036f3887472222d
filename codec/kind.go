package codec

import (
	"fmt"
	"strconv"
)

// Kind names the format of an encoded value. Its numeric value is the format
// byte that starts the encoding; zero is never a valid format byte, so a
// zeroed buffer is rejected rather than misread.
type Kind uint8

// The formats, in the order Encode considers them.
const (
	// Raw is a []byte stored as it is.
	Raw Kind = 1
	// ArrowRecord is an arrow.RecordBatch as an Arrow IPC stream holding one
	// record batch.
	ArrowRecord Kind = 2
	// ArrowTable is an arrow.Table as an Arrow IPC stream holding zero or
	// more record batches.
	ArrowTable Kind = 3
	// Gob is a value stored through its GobEncode or MarshalBinary method.
	Gob Kind = 4
	// CBOR is any other Go value, encoded as CBOR (RFC 8949).
	CBOR Kind = 5
)

// String returns the format's short lower-case name, such as "cbor".
func (k Kind) String() string {
	switch k {
	case Raw:
		return "raw"
	case ArrowRecord:
		return "arrow-record"
	case ArrowTable:
		return "arrow-table"
	case Gob:
		return "gob"
	case CBOR:
		return "cbor"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// valid reports whether k is one of the formats above.
func (k Kind) valid() bool { return k >= Raw && k <= CBOR }

// Format returns the format of the encoded value b without decoding it.
// It fails with ErrFormat when b is empty or starts with an unknown byte.
func Format(b []byte) (Kind, error) {
	if len(b) == 0 {
		return 0, fmt.Errorf("%w: empty input", ErrFormat)
	}
	k := Kind(b[0])
	if !k.valid() {
		return 0, fmt.Errorf("%w: unknown format byte %#02x", ErrFormat, b[0])
	}
	return k, nil
}
