package store

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/internal/shrink"
	"github.com/dusk-go/dusk/registry"
)

// ErrNotHere is the error for a key the store does not hold.
var ErrNotHere = errors.New("not on this worker")

// Store holds the values a worker keeps: results of its tasks, inputs
// fetched from peers and scattered data. A value is kept as the Go value a
// task returned, as encoded bytes until a task first needs it, or, once
// spilled, in a file of the worker's spill directory. It is safe for
// concurrent use.
//
// Every value has a size in bytes (codec.SizeOf for Go values; the size the
// sender reported for encoded ones). Managed memory is the sum of the sizes
// of the values in memory; spilled bytes the sum of those on disk. Values
// in memory are kept in order of last use, so that Spill writes out the
// least recently used first. A value pinned by a running task (Pin) is not
// spilled from under it. Reading a spilled value for a task (Value) brings
// it back into memory, and its file stays: values never change, so
// spilling it again costs no write. Reading it for a peer (Encoded) leaves
// it on disk.
type Store struct {
	log *slog.Logger

	mu          sync.Mutex // protects the fields below
	entries     map[graph.Key]*entry
	entriesPeak int   // the most entries held since the map was made, for shrink.Map
	lru         entry // sentinel of the ring of values in memory: next is the most recently used
	managed     int64 // sizes of the values in memory
	spilled     int64 // sizes of the values on disk
	nspilled    int
	disk        *SpillDir // nil: the store does not spill
	above       int64     // managed bytes past which adding a value signals grew
	grew        chan struct{}
	observe     func(SpillEvent)
}

// SpillEvent is a value written to the spill directory, or read back from
// it (Back): Bytes of its file, from Start to Stop.
type SpillEvent struct {
	Key         graph.Key
	Bytes       int64
	Back        bool
	Start, Stop time.Time
}

// entry is one stored value.
type entry struct {
	key      graph.Key
	value    any
	hasValue bool
	encoded  []byte
	nbytes   int64
	typ      string

	inMemory bool       // value or encoded holds it, and it is on the LRU ring
	file     *spillFile // its copy on disk, if it has one
	pins     int32      // running tasks using it
	spilling bool       // being written out
	noSpill  bool       // its type cannot be encoded

	prev, next *entry // the LRU ring, while in memory
}

// StoreStats describe a store's contents.
type StoreStats struct {
	// Keys is the number of values held, in memory or on disk.
	Keys int
	// Managed is the size of the values in memory.
	Managed int64
	// Spilled is the size, in memory, of the values on disk, and
	// SpilledKeys their number.
	Spilled     int64
	SpilledKeys int
	// Disk is the bytes the spill files take (after compression),
	// including the copies of values read back into memory.
	Disk int64
}

// NewStore returns an empty store that keeps everything in memory until
// SpillTo gives it a directory.
func NewStore() *Store {
	s := &Store{entries: make(map[graph.Key]*entry), log: slog.Default(), grew: make(chan struct{}, 1)}
	s.lru.next, s.lru.prev = &s.lru, &s.lru
	return s
}

// SpillTo lets the store spill to d. Once managed memory passes above,
// adding a value signals Grew (0: never signal).
func (s *Store) SpillTo(d *SpillDir, above int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.disk, s.above = d, above
}

// Observe calls f after every write of a value to the spill directory and
// every read of one from it (f must be quick, and safe for concurrent
// calls). Call it before the store is used.
func (s *Store) Observe(f func(SpillEvent)) { s.observe = f }

// observed reports one write or read.
func (s *Store) observed(k graph.Key, f spillFile, back bool, start time.Time) {
	if s.observe != nil {
		s.observe(SpillEvent{Key: k, Bytes: f.size, Back: back, Start: start, Stop: time.Now()})
	}
}

// SetLogger sets where the store reports values it cannot spill.
func (s *Store) SetLogger(l *slog.Logger) { s.log = l }

// Grew receives a signal when a value was added while managed memory is
// past the bound given to SpillTo: time to spill.
func (s *Store) Grew() <-chan struct{} { return s.grew }

// Put stores a Go value and returns its estimated size and type name.
func (s *Store) Put(k graph.Key, v any) (int64, string) {
	codec.Settle(v) // readers may read it at once
	e := &entry{key: k, value: v, hasValue: true, nbytes: codec.SizeOf(v), typ: typeName(v)}
	s.put(e)
	return e.nbytes, e.typ
}

// PutEncoded stores an encoded value with its size in memory and type.
func (s *Store) PutEncoded(k graph.Key, b []byte, nbytes int64, typ string) {
	if nbytes <= 0 {
		nbytes = int64(len(b))
	}
	s.put(&entry{key: k, encoded: b, nbytes: nbytes, typ: typ})
}

func (s *Store) put(e *entry) {
	s.mu.Lock()
	var gone *spillFile
	if old := s.entries[e.key]; old != nil {
		gone = s.drop(old)
	}
	s.entries[e.key] = e
	s.toMemory(e)
	signal := s.above > 0 && s.managed > s.above
	disk := s.disk
	s.mu.Unlock()
	if gone != nil {
		disk.remove(*gone)
	}
	if signal {
		s.signal()
	}
}

func (s *Store) signal() {
	select {
	case s.grew <- struct{}{}:
	default:
	}
}

// toMemory puts e at the front of the LRU ring and counts it as managed.
// s.mu is held.
func (s *Store) toMemory(e *entry) {
	e.inMemory = true
	e.prev, e.next = &s.lru, s.lru.next
	e.prev.next, e.next.prev = e, e
	s.managed += e.nbytes
}

// touch marks e, which is in memory, as just used. s.mu is held.
func (s *Store) touch(e *entry) {
	if s.lru.next == e || e.next == nil {
		return
	}
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = &s.lru, s.lru.next
	e.prev.next, e.next.prev = e, e
}

// unlink takes e, which is in memory, off the ring and out of managed
// memory. s.mu is held.
func (s *Store) unlink(e *entry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
	e.inMemory = false
	s.managed -= e.nbytes
}

// drop forgets e and returns its file, if it has one, for the caller to
// remove once s.mu is released. s.mu is held.
func (s *Store) drop(e *entry) *spillFile {
	delete(s.entries, e.key)
	s.entries = shrink.Map(s.entries, &s.entriesPeak)
	if e.inMemory {
		s.unlink(e)
	} else {
		s.spilled -= e.nbytes
		s.nspilled--
	}
	f := e.file
	e.file = nil
	return f
}

// Has reports whether k is stored, in memory or on disk.
func (s *Store) Has(k graph.Key) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.entries[k]
	return ok
}

// Value returns the value of k as type want, decoding it if it arrived
// encoded and reading it back from disk if it was spilled; a value read
// back stays in memory. The decoded value replaces the bytes, unless want
// is the empty interface (decoding into any may not give the value's own
// type); an interface with methods, such as arrow.RecordBatch, is
// satisfied by the decoded value's own type, which is kept.
func (s *Store) Value(k graph.Key, want reflect.Type) (reflect.Value, error) {
	l, err := s.locate(k)
	if errors.Is(err, ErrNotHere) {
		return reflect.Value{}, fmt.Errorf("input %s is not on this worker", k)
	}
	if err != nil {
		return reflect.Value{}, err
	}
	if !l.spilled {
		return s.convert(l.e, k, want, l.value, l.hasValue, l.encoded)
	}
	out, err := codec.Decode(l.encoded, want)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("input %s (%s) read back from disk does not decode as %s: %w", k, l.e.typ, want, err)
	}
	s.unspill(l.e, l.file, out, want, l.encoded)
	return out, nil
}

// located is what locate found of a key: its entry and, taken under the
// store's lock, the fields of a value in memory, or the bytes of a value
// read back from its spill file.
type located struct {
	e        *entry
	value    any
	hasValue bool
	encoded  []byte    // the value's encoded bytes, from memory or from disk
	spilled  bool      // encoded was read from file
	file     spillFile // where a spilled value was read from
}

// locate finds k in memory or reads it back from disk (leaving the entry
// as it is); the error is ErrNotHere or a *SpillError.
func (s *Store) locate(k graph.Key) (located, error) {
	for {
		s.mu.Lock()
		e := s.entries[k]
		if e == nil {
			s.mu.Unlock()
			return located{}, ErrNotHere
		}
		if e.inMemory {
			s.touch(e)
			l := located{e: e, value: e.value, hasValue: e.hasValue, encoded: e.encoded}
			s.mu.Unlock()
			return l, nil
		}
		file, disk := *e.file, s.disk
		s.mu.Unlock()
		start := time.Now()
		b, err := disk.read(k, file)
		if err != nil {
			if s.moved(k, e, file) {
				continue // read back or dropped meanwhile: look again
			}
			return located{}, err
		}
		s.observed(k, file, true, start)
		return located{e: e, encoded: b, spilled: true, file: file}, nil
	}
}

// moved reports whether e is no longer k's entry, on disk only, in file.
func (s *Store) moved(k graph.Key, e *entry, file spillFile) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.entries[k] != e || e.inMemory || e.file == nil || *e.file != file
}

// unspill brings a value read back from file into memory, unless that
// happened meanwhile. The file stays as a copy: values do not change, so
// spilling the value again costs no write.
func (s *Store) unspill(e *entry, file spillFile, out reflect.Value, want reflect.Type, b []byte) {
	v := out.Interface()
	codec.Settle(v) // other readers may share it at once
	s.bringBack(e, file, func() {
		if want.Kind() != reflect.Interface || want.NumMethod() > 0 {
			e.value, e.hasValue = v, true
		} else {
			e.encoded = b
		}
	})
}

// bringBack puts e, read back from file, in memory with set (which fills
// in its value or bytes, under the store's lock), unless that happened
// meanwhile.
func (s *Store) bringBack(e *entry, file spillFile, set func()) {
	s.mu.Lock()
	if s.entries[e.key] != e || e.inMemory || e.file == nil || *e.file != file {
		s.mu.Unlock()
		return
	}
	s.spilled -= e.nbytes
	s.nspilled--
	set()
	s.toMemory(e)
	signal := s.above > 0 && s.managed > s.above
	s.mu.Unlock()
	if signal {
		s.signal()
	}
}

// Load reads back from disk those of keys whose values are spilled and
// keeps their bytes in memory (decoded when a task reads them), so that a
// task about to run on them does not wait for the disk inside its own
// run: its time and CPU are then the function's (the advisor reads them
// to tell tasks that wait for I/O from tasks that compute), and the read
// is the store's, timed as such (Observe). A value that cannot be read
// stays on disk: whoever reads it next gets the error.
func (s *Store) Load(keys ...graph.Key) {
	if len(keys) == 0 {
		return
	}
	s.mu.Lock()
	none := s.nspilled == 0
	s.mu.Unlock()
	if none {
		return // the common case: nothing to read, nothing touched
	}
	for _, k := range keys {
		l, err := s.locate(k)
		if err != nil || !l.spilled {
			continue
		}
		s.bringBack(l.e, l.file, func() { l.e.encoded = l.encoded })
	}
}

// convert returns a value in memory as type want.
func (s *Store) convert(e *entry, k graph.Key, want reflect.Type, value any, hasValue bool, encoded []byte) (reflect.Value, error) {
	if hasValue {
		v := reflect.ValueOf(value)
		if !v.IsValid() {
			return reflect.Zero(want), nil
		}
		if v.Type().AssignableTo(want) || registry.BothNumbers(v.Type(), want) {
			// The same type, or numbers: converted only where exact.
			out, err := registry.ConvertValue(v, want)
			if err != nil {
				return reflect.Value{}, fmt.Errorf("input %s: %w", k, err)
			}
			return out, nil
		}
		return convertShape(k, v, want)
	}
	out, err := codec.Decode(encoded, want)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("input %s (%s) does not decode as %s: %w", k, e.typ, want, err)
	}
	// The decoded value replaces the bytes, so that the next reader does
	// not decode again: for a concrete type, or an interface with methods
	// (arrow.RecordBatch), which the decoded value's own type satisfies as
	// a value put in the store would. Not for `any`, where the decoded
	// form may not be the value's own type.
	if want.Kind() != reflect.Interface || want.NumMethod() > 0 {
		v := out.Interface()
		codec.Settle(v) // other readers may share it at once
		s.mu.Lock()
		if s.entries[k] == e && e.inMemory && !e.hasValue {
			e.value, e.hasValue, e.encoded = v, true, nil
		}
		s.mu.Unlock()
	}
	return out, nil
}

// Encoded returns the encoded form of k, its size in memory and its type.
// A spilled value is read from disk and stays there.
func (s *Store) Encoded(k graph.Key) ([]byte, int64, string, error) {
	head, body, nbytes, typ, err := s.EncodedParts(k)
	if err != nil {
		return nil, 0, "", err
	}
	if len(body) > 0 {
		head = append(head, body...)
	}
	return head, nbytes, typ, nil
}

// EncodedParts returns what Encoded does, the encoded form as a head and
// a body to be sent one after the other: for a value in memory whose
// encoding ends with bytes it holds (codec.BodyAppender, an array block's
// elements), the body is those bytes, not copied; otherwise body is nil.
func (s *Store) EncodedParts(k graph.Key) (head, body []byte, nbytes int64, typ string, err error) {
	l, err := s.locate(k)
	if err != nil {
		return nil, nil, 0, "", err
	}
	if !l.hasValue {
		return l.encoded, nil, l.e.nbytes, l.e.typ, nil
	}
	head, body, err = codec.EncodeParts(l.value)
	if err != nil {
		return nil, nil, 0, "", fmt.Errorf("encoding %s: %w", k, err)
	}
	return head, body, l.e.nbytes, l.e.typ, nil
}

// Pin marks the values of keys as in use by a running task: Spill leaves
// them in memory until the returned function unpins them. Keys not stored
// are ignored.
func (s *Store) Pin(keys ...graph.Key) (unpin func()) {
	if len(keys) == 0 {
		return func() {}
	}
	s.mu.Lock()
	pinned := make([]*entry, 0, len(keys))
	for _, k := range keys {
		if e := s.entries[k]; e != nil {
			e.pins++
			pinned = append(pinned, e)
		}
	}
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			for _, e := range pinned {
				e.pins--
			}
			s.mu.Unlock()
		})
	}
}

// Spill writes least recently used values that are not pinned to the
// spill directory until need bytes of managed memory are freed or nothing
// is left to spill, and returns the bytes freed. A value whose type cannot
// be encoded stays in memory (and is logged once). The error is a
// *SpillError from the directory (a full disk matches ErrSpillFull); the
// value it concerns stays in memory, as do the ones not yet spilled.
func (s *Store) Spill(need int64) (int64, error) {
	var freed int64
	for freed < need {
		s.mu.Lock()
		e := s.victim()
		if e == nil || s.disk == nil {
			s.mu.Unlock()
			return freed, nil
		}
		if e.file != nil {
			// Read back earlier and still on disk: drop it from memory.
			freed += s.toDisk(e)
			s.mu.Unlock()
			continue
		}
		e.spilling = true
		value, hasValue, encoded, disk := e.value, e.hasValue, e.encoded, s.disk
		s.mu.Unlock()

		kind, src, skip, err := spillable(value, hasValue, encoded)
		if err != nil {
			s.mu.Lock()
			e.spilling, e.noSpill = false, true
			s.mu.Unlock()
			s.log.Warn("a value cannot be spilled to disk: its type cannot be encoded; it stays in memory", "key", e.key, "type", e.typ, "err", err)
			continue
		}
		start := time.Now()
		f, err := disk.write(e.key, kind, src, skip)
		if err == nil {
			s.observed(e.key, f, false, start)
		}
		s.mu.Lock()
		e.spilling = false
		if err != nil {
			s.mu.Unlock()
			return freed, err
		}
		if s.entries[e.key] != e {
			// Dropped or replaced meanwhile.
			s.mu.Unlock()
			disk.remove(f)
			continue
		}
		e.file = &f
		if e.pins == 0 {
			freed += s.toDisk(e)
		} // else a task took it meanwhile: it stays, with its copy on disk
		s.mu.Unlock()
	}
	return freed, nil
}

// toDisk drops the value of e, which is in memory and has a copy on disk,
// from memory, and returns its size. s.mu is held.
func (s *Store) toDisk(e *entry) int64 {
	s.unlink(e)
	e.value, e.hasValue, e.encoded = nil, false, nil
	s.spilled += e.nbytes
	s.nspilled++
	return e.nbytes
}

// spillable returns the format of a value's encoding, bytes that hold its
// payload, and where the payload starts in them: a []byte is its own
// payload (no copy, from 0); other values are encoded, and their payload
// is the encoding past its format byte (from 1).
func spillable(value any, hasValue bool, encoded []byte) (codec.Kind, []byte, int, error) {
	if hasValue {
		if b, ok := value.([]byte); ok {
			return codec.Raw, b, 0, nil
		}
		var err error
		if encoded, err = codec.Encode(value); err != nil {
			return 0, nil, 0, err
		}
	}
	k, err := codec.Format(encoded)
	if err != nil {
		return 0, nil, 0, err
	}
	return k, encoded, 1, nil
}

// victim returns the least recently used value that may be spilled, or
// nil. s.mu is held.
func (s *Store) victim() *entry {
	for e := s.lru.prev; e != &s.lru; e = e.prev {
		if e.pins == 0 && !e.spilling && !e.noSpill {
			return e
		}
	}
	return nil
}

// Delete removes keys, from memory or disk.
func (s *Store) Delete(keys ...graph.Key) {
	s.mu.Lock()
	var files []spillFile
	for _, k := range keys {
		if e := s.entries[k]; e != nil {
			if f := s.drop(e); f != nil {
				files = append(files, *f)
			}
		}
	}
	disk := s.disk
	s.mu.Unlock()
	for _, f := range files {
		disk.remove(f)
	}
}

// Clear removes everything, from memory and disk.
func (s *Store) Clear() {
	s.mu.Lock()
	var files []spillFile
	for _, e := range s.entries {
		if e.file != nil {
			files = append(files, *e.file)
			e.file = nil
		}
	}
	clear(s.entries)
	s.lru.next, s.lru.prev = &s.lru, &s.lru
	s.managed, s.spilled, s.nspilled = 0, 0, 0
	disk := s.disk
	s.mu.Unlock()
	for _, f := range files {
		disk.remove(f)
	}
}

// Len returns how many values are stored, in memory or on disk.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// Held describes every value the store holds, in memory or spilled, in
// the order of their keys.
func (s *Store) Held() []HeldValue {
	s.mu.Lock()
	out := make([]HeldValue, 0, len(s.entries))
	for k, e := range s.entries {
		out = append(out, HeldValue{Key: k, NBytes: e.nbytes, Type: e.typ})
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b HeldValue) int { return strings.Compare(string(a.Key), string(b.Key)) })
	return out
}

// HeldValue is a value the store holds: its key, estimated size in memory
// and type name.
type HeldValue struct {
	Key    graph.Key
	NBytes int64
	Type   string
}

// Managed returns the bytes of the values in memory.
func (s *Store) Managed() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.managed
}

// Stats returns what the store holds, in memory and on disk.
func (s *Store) Stats() StoreStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := StoreStats{Keys: len(s.entries), Managed: s.managed, Spilled: s.spilled, SpilledKeys: s.nspilled}
	if s.disk != nil {
		st.Disk = s.disk.Used()
	}
	return st
}

func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}

// SpillDirectory returns the directory the store spills to, or "" when it
// does not spill.
func (s *Store) SpillDirectory() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.disk == nil {
		return ""
	}
	return s.disk.Dir()
}

// convertShape converts a value of another type through the codec, which
// converts between compatible shapes (a struct into a map, say), and
// checks that nothing was lost on the way: the result converted back must
// equal the value.
func convertShape(k graph.Key, v reflect.Value, want reflect.Type) (reflect.Value, error) {
	b, err := codec.Encode(v.Interface())
	if err != nil {
		return reflect.Value{}, fmt.Errorf("input %s is a %s, not a %s, and cannot be converted: %w", k, v.Type(), want, err)
	}
	out, err := codec.Decode(b, want)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("input %s is a %s, not a %s: %w", k, v.Type(), want, err)
	}
	back, err := codec.Encode(out.Interface())
	if err == nil {
		var again reflect.Value
		if again, err = codec.Decode(back, v.Type()); err == nil && !reflect.DeepEqual(again.Interface(), v.Interface()) {
			err = errors.New("converting it would lose part of its value")
		}
	}
	if err != nil {
		return reflect.Value{}, fmt.Errorf("input %s is a %s, not a %s: %w", k, v.Type(), want, err)
	}
	return out, nil
}
