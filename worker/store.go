package worker

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/registry"
)

// Store holds the values a worker keeps: results of its tasks, inputs
// fetched from peers and scattered data. A value is kept as the Go value a
// task returned, or as encoded bytes until a task first needs it. It is
// safe for concurrent use.
type Store struct {
	mu      sync.Mutex // protects the fields below
	entries map[graph.Key]*entry
	managed int64 // sum of nbytes of values held
}

type entry struct {
	value    any
	hasValue bool
	encoded  []byte
	nbytes   int64
	typ      string
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{entries: make(map[graph.Key]*entry)} }

// Put stores a Go value and returns its estimated size and type name.
func (s *Store) Put(k graph.Key, v any) (int64, string) {
	e := &entry{value: v, hasValue: true, nbytes: codec.SizeOf(v), typ: typeName(v)}
	s.put(k, e)
	return e.nbytes, e.typ
}

// PutEncoded stores an encoded value with its size in memory and type.
func (s *Store) PutEncoded(k graph.Key, b []byte, nbytes int64, typ string) {
	if nbytes <= 0 {
		nbytes = int64(len(b))
	}
	s.put(k, &entry{encoded: b, nbytes: nbytes, typ: typ})
}

func (s *Store) put(k graph.Key, e *entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.entries[k]; old != nil {
		s.managed -= old.nbytes
	}
	s.entries[k] = e
	s.managed += e.nbytes
}

// Has reports whether k is stored.
func (s *Store) Has(k graph.Key) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.entries[k]
	return ok
}

// Value returns the value of k as type want, decoding it if it arrived
// encoded. The decoded value replaces the bytes, unless want is an
// interface type (decoding into an interface loses the concrete type).
func (s *Store) Value(k graph.Key, want reflect.Type) (reflect.Value, error) {
	// Read the entry's fields under s.mu: another task may be replacing
	// its bytes by their decoded value right now (tasks that share an
	// input, such as a broadcast one, decode it concurrently).
	s.mu.Lock()
	e := s.entries[k]
	var (
		hasValue bool
		value    any
		encoded  []byte
		typ      string
	)
	if e != nil {
		hasValue, value, encoded, typ = e.hasValue, e.value, e.encoded, e.typ
	}
	s.mu.Unlock()
	if e == nil {
		return reflect.Value{}, fmt.Errorf("input %s is not on this worker", k)
	}
	if hasValue {
		v := reflect.ValueOf(value)
		if !v.IsValid() {
			return reflect.Zero(want), nil
		}
		if registry.Assignable(v.Type(), want) {
			return registry.Convert(v, want), nil
		}
		// A value of another type: go through the codec, which converts
		// between compatible shapes (a struct into a map, say).
		b, err := codec.Encode(value)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("input %s is a %s, not a %s, and cannot be converted: %w", k, v.Type(), want, err)
		}
		out, err := codec.Decode(b, want)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("input %s is a %s, not a %s: %w", k, v.Type(), want, err)
		}
		return out, nil
	}
	out, err := codec.Decode(encoded, want)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("input %s (%s) does not decode as %s: %w", k, typ, want, err)
	}
	if want.Kind() != reflect.Interface {
		s.mu.Lock()
		if s.entries[k] == e && !e.hasValue {
			e.value, e.hasValue, e.encoded = out.Interface(), true, nil
		}
		s.mu.Unlock()
	}
	return out, nil
}

// Encoded returns the encoded form of k, its size in memory and its type.
func (s *Store) Encoded(k graph.Key) ([]byte, int64, string, error) {
	s.mu.Lock()
	e := s.entries[k]
	s.mu.Unlock()
	if e == nil {
		return nil, 0, "", errNotHere
	}
	if !e.hasValue {
		return e.encoded, e.nbytes, e.typ, nil
	}
	b, err := codec.Encode(e.value)
	if err != nil {
		return nil, 0, "", fmt.Errorf("encoding %s: %w", k, err)
	}
	return b, e.nbytes, e.typ, nil
}

// Delete removes keys.
func (s *Store) Delete(keys ...graph.Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if e := s.entries[k]; e != nil {
			s.managed -= e.nbytes
			delete(s.entries, k)
		}
	}
}

// Clear removes everything.
func (s *Store) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.entries)
	s.managed = 0
}

// Len returns how many values are stored.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// Managed returns the bytes of the values held.
func (s *Store) Managed() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.managed
}

func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}
