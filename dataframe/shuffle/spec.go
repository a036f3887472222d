package shuffle

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// LostMarker is in the message of every error that means the shuffle lost
// data because a worker left: the computation must start again.
const LostMarker = "[shuffle-lost]"

// Kinds of shuffle.
const (
	// Hash places a row by a hash of its key columns.
	Hash = "hash"
	// Range places a row by where its key falls among Bounds.
	Range = "range"
)

// Spec describes one shuffle; every task of the shuffle gets it.
type Spec struct {
	// ID names the shuffle; each run of a computation has its own.
	ID string
	// Kind is Hash or Range.
	Kind string
	// Columns are the key columns (one for Range).
	Columns []string
	// Owners holds, for each output partition, the address of the worker
	// that receives it.
	Owners []string
	// Bounds are the divisions of a Range shuffle, one more than the
	// outputs: output j receives keys in [Bounds[j], Bounds[j+1]); keys
	// below Bounds[0] go to the first, keys above the last bound and nulls
	// to the last. Values are int64, float64 or string.
	Bounds []any
	// Schema is the data's schema as an Arrow IPC stream with no batches,
	// for outputs that receive no rows.
	Schema []byte
}

// NOut returns the number of output partitions.
func (s *Spec) NOut() int { return len(s.Owners) }

// Sent counts the rows an input sent to each output (or, from Barrier,
// all inputs together), and the bytes of the pieces that carried them:
// once Barrier has run, the size of every output is known before any
// output is read (the dataframe package's adaptive execution decides on
// it).
type Sent struct {
	ID    string
	Rows  []int64
	Bytes []int64
}

// NewID returns a fresh shuffle ID.
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// topic is how a piece names its place: shuffle/output/input/seq.
func topic(id string, out, in, seq int) string {
	return id + "/" + strconv.Itoa(out) + "/" + strconv.Itoa(in) + "/" + strconv.Itoa(seq)
}

func parseTopic(t string) (id string, out, in, seq int, err error) {
	f := strings.Split(t, "/")
	if len(f) != 4 {
		return "", 0, 0, 0, fmt.Errorf("shuffle: bad piece name %q", t)
	}
	id = f[0]
	if out, err = strconv.Atoi(f[1]); err == nil {
		if in, err = strconv.Atoi(f[2]); err == nil {
			seq, err = strconv.Atoi(f[3])
		}
	}
	if err != nil {
		return "", 0, 0, 0, fmt.Errorf("shuffle: bad piece name %q", t)
	}
	return id, out, in, seq, nil
}
