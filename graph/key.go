package graph

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync/atomic"
)

// Key names a task and its result. Keys made by dusk have the form
// "prefix-token"; the prefix groups tasks of one kind for statistics and
// display.
type Key string

// Prefix returns the part of the key that names its kind of task: the key
// without its last "-token" part. A key without a dash is its own prefix.
func (k Key) Prefix() string {
	s := string(k)
	if i := strings.LastIndexByte(s, '-'); i > 0 {
		return s[:i]
	}
	return s
}

// keySeq numbers keys made in this process; together with a random process
// token it makes keys unique across clients.
var keySeq atomic.Uint64

var processToken = func() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}()

// NewKey returns a fresh key with the given prefix, unique across processes.
func NewKey(prefix string) Key {
	n := keySeq.Add(1)
	var buf [32]byte
	b := append(buf[:0], prefix...)
	b = append(b, '-')
	b = append(b, processToken...)
	b = appendHex(b, n)
	return Key(b)
}

func appendHex(b []byte, n uint64) []byte {
	const digits = "0123456789abcdef"
	var tmp [16]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = digits[n&15]
		n >>= 4
		if n == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}
