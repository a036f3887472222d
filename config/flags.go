package config

import (
	"errors"
	"flag"
	"strings"
)

// FlagName returns the name of the flag BindFlags registers for key: the
// key without its first part, with dots turned into dashes.
// worker.memory.target is --memory-target, worker.nthreads is --nthreads,
// scheduler.worker-saturation is --worker-saturation.
func FlagName(key string) string {
	k := canonical(key)
	if _, rest, ok := strings.Cut(k, "."); ok {
		k = rest
	}
	return strings.ReplaceAll(k, ".", "-")
}

// BindFlags registers a flag on fs for each of keys, or for every key when
// none is given, named by FlagName and documented by the key's doc line. A
// flag's value goes to c's flag layer when, and only when, the flag is set
// on the command line; its usage shows the value c held when it was bound.
// A bool key makes a bool flag ("--nanny", "--nanny=false"). BindFlags
// panics if a key is not in the table, and, as flag.FlagSet.Var does, if a
// flag of that name is already defined.
func (c *Config) BindFlags(fs *flag.FlagSet, keys ...string) {
	if len(keys) == 0 {
		keys = names
	}
	for _, key := range keys {
		k := mustLookup(key)
		fv := &flagValue{c: c, k: k, name: FlagName(k.name)}
		fs.Var(fv, fv.name, k.doc)
	}
}

// flagValue is the flag.Value of a bound key.
type flagValue struct {
	c    *Config
	k    *keyInfo
	name string
}

// String returns the key's effective value. The flag package calls it on
// a zero flagValue, too.
func (f *flagValue) String() string {
	if f == nil || f.c == nil {
		return ""
	}
	f.c.mu.RLock()
	defer f.c.mu.RUnlock()
	return f.k.format(f.c.effective(f.k).v)
}

// Set parses s and writes it into the flag layer. The flag package puts the
// flag's name and s in front of the error.
func (f *flagValue) Set(s string) error {
	v, err := f.k.parse(s)
	if err != nil {
		return errors.New("want " + f.k.want())
	}
	src := Source{Layer: LayerFlag, Name: "--" + f.name}
	f.c.put(LayerFlag, map[string]entry{f.k.name: {v, src}})
	return nil
}

// IsBoolFlag lets a bool key's flag stand alone on the command line.
func (f *flagValue) IsBoolFlag() bool { return f.k.kind == kindBool }
