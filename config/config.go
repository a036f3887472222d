package config

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// Config is a layered set of values for the known keys (see the package
// doc for the layers and their order). The zero Config holds the defaults
// only. A Config is safe for concurrent use: readers share a lock, writers
// (Set, LoadFile, a bound flag being set) take it alone, and each write of
// a batch (a file, the environment) is seen whole or not at all.
type Config struct {
	mu sync.RWMutex // protects layers
	// layers maps canonical keys to values, one map per layer. The default
	// layer's map stays empty: the table holds the defaults.
	layers [numLayers]map[string]entry
}

// entry is a value and where it came from.
type entry struct {
	v   any
	src Source
}

// New returns a Config that holds the defaults only.
func New() *Config { return new(Config) }

// Get returns the effective value of key: a float64 (for a fraction, 0 when
// disabled), int, bool, string, time.Duration, or int64 for a byte size
// (AutoBytes for "auto"). The error is an *UnknownKeyError.
func (c *Config) Get(key string) (any, error) {
	k, err := lookup(key, Source{Layer: LayerCode})
	if err != nil {
		return nil, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.effective(k).v, nil
}

// Set sets key in the code layer, above every other layer. v may be a value
// of the type Get returns for the key; any Go integer or float that holds
// the value exactly, for a number or a byte size (not for a duration: write
// time.Second or "1s"); false, for a memory fraction; or a string written
// as in a file ("4GiB", "100ms", "auto"). Set checks the value's type and
// range. The error is an *UnknownKeyError or a *ValueError; on error
// nothing changes.
func (c *Config) Set(key string, v any) error {
	src := Source{Layer: LayerCode}
	k, err := lookup(key, src)
	if err != nil {
		return err
	}
	val, err := k.convert(v)
	if err != nil {
		return k.valueError(v, src, err)
	}
	c.put(LayerCode, map[string]entry{k.name: {val, src}})
	return nil
}

// Source returns where the effective value of key came from. It panics if
// key is not in the table.
func (c *Config) Source(key string) Source {
	k := mustLookup(key)
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.effective(k).src
}

// Clone returns a snapshot of c, every layer included, that later changes
// to c do not reach. A component clones the configuration it is given when
// it starts.
func (c *Config) Clone() *Config {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d := new(Config)
	for i, m := range c.layers {
		d.layers[i] = maps.Clone(m)
	}
	return d
}

// Keys returns every known key, sorted; it is the same for every Config.
func (c *Config) Keys() []string { return slices.Clone(names) }

// Float returns a float or fraction key's value; a disabled fraction is 0.
// It panics if key is not in the table or holds another type.
func (c *Config) Float(key string) float64 { return c.must(key, kindFloat, kindFraction).(float64) }

// Int returns an int key's value. It panics if key is not in the table or
// holds another type.
func (c *Config) Int(key string) int { return c.must(key, kindInt).(int) }

// Bool returns a bool key's value. It panics if key is not in the table or
// holds another type.
func (c *Config) Bool(key string) bool { return c.must(key, kindBool).(bool) }

// String returns a string key's value. It panics if key is not in the
// table or holds another type.
func (c *Config) String(key string) string { return c.must(key, kindString).(string) }

// Duration returns a duration key's value. It panics if key is not in the
// table or holds another type.
func (c *Config) Duration(key string) time.Duration {
	return c.must(key, kindDuration).(time.Duration)
}

// Bytes returns a byte-size key's value, AutoBytes for "auto". It panics if
// key is not in the table or holds another type.
func (c *Config) Bytes(key string) int64 { return c.must(key, kindBytes).(int64) }

// must returns the effective value of key, which must be of one of kinds.
func (c *Config) must(key string, kinds ...kind) any {
	k := mustLookup(key)
	if !slices.Contains(kinds, k.kind) {
		panic(fmt.Sprintf("config: %s is of type %s, not %s", k.name, k.kind, kinds[0]))
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.effective(k).v
}

// mustLookup finds a key's row and panics if there is none: code asked for
// a key that does not exist.
func mustLookup(key string) *keyInfo {
	k, err := lookup(key, Source{Layer: LayerCode})
	if err != nil {
		panic(err)
	}
	return k
}

// effective returns the value of k in the highest layer that holds it.
// c.mu must be held.
func (c *Config) effective(k *keyInfo) entry {
	for l := numLayers - 1; l > int(LayerDefault); l-- {
		if e, ok := c.layers[l][k.name]; ok {
			return e
		}
	}
	return entry{k.def, Source{Layer: LayerDefault}}
}

// put writes a batch of entries into one layer at once.
func (c *Config) put(l Layer, batch map[string]entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.layers[l] == nil {
		c.layers[l] = make(map[string]entry, len(batch))
	}
	maps.Copy(c.layers[l], batch)
}
