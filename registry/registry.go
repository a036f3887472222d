package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// Registry is a set of named functions and plugin types.
type Registry struct {
	mu         sync.RWMutex // protects the maps
	funcs      map[string]*Func
	plugins    map[string]reflect.Type
	extensions map[string]any
	actors     map[string]*ActorType
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{funcs: make(map[string]*Func), plugins: make(map[string]reflect.Type)}
}

// Register adds fn under name. It panics if the name is taken or fn is not
// a function of an accepted shape: both are programming errors found at
// start-up.
func (r *Registry) Register(name string, fn any) *Func {
	f, err := newFunc(name, fn)
	if err != nil {
		panic(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.funcs[name]; ok {
		panic(fmt.Sprintf("registry: %q registered twice (%s and %s)", name, old.sig, f.sig))
	}
	r.funcs[name] = f
	return f
}

// Lookup returns the function registered under name.
func (r *Registry) Lookup(name string) (*Func, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.funcs[name]
	return f, ok
}

// RegisterPlugin adds a plugin type under name: a value of that type is
// decoded on every worker and installed there. It panics if the name is
// taken.
func (r *Registry) RegisterPlugin(name string, t reflect.Type) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.plugins[name]; ok {
		panic(fmt.Sprintf("registry: plugin %q registered twice", name))
	}
	r.plugins[name] = t
}

// Plugin returns the type of the plugin registered under name.
func (r *Registry) Plugin(name string) (reflect.Type, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.plugins[name]
	return t, ok
}

// Entry is a registered name and its signature.
type Entry struct {
	Name      string
	Signature string
}

// Entries returns every registered function, sorted by name.
func (r *Registry) Entries() []Entry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Entry, 0, len(r.funcs)+len(r.plugins)+len(r.actors))
	for n, f := range r.funcs {
		out = append(out, Entry{Name: n, Signature: f.sig})
	}
	for n, t := range r.plugins {
		out = append(out, Entry{Name: "plugin:" + n, Signature: t.String()})
	}
	for n, a := range r.actors {
		out = append(out, Entry{Name: "actor:" + n, Signature: a.sig})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Fingerprint returns a short hash of every name and signature and of
// the executable's build (BuildID): two programs with the same functions
// but a different body in one of them differ.
func (r *Registry) Fingerprint() string {
	return Fingerprint(r.Entries())
}

// Fingerprint hashes a list of entries, and the running executable's
// BuildID, the way Registry.Fingerprint does.
func Fingerprint(entries []Entry) string {
	h := sha256.New()
	fmt.Fprintf(h, "build\t%s\n", BuildID())
	for _, e := range entries {
		fmt.Fprintf(h, "%s\t%s\n", e.Name, e.Signature)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Mismatch compares two registries' entries and describes every function
// registered in both with different signatures. Names only one side has
// are not a mismatch: a stock worker knows only the built-in functions.
func Mismatch(mine, theirs []Entry) string {
	other := make(map[string]string, len(theirs))
	for _, e := range theirs {
		other[e.Name] = e.Signature
	}
	var diffs []string
	for _, e := range mine {
		if sig, ok := other[e.Name]; ok && sig != e.Signature {
			diffs = append(diffs, fmt.Sprintf("%s is %s here but %s there", e.Name, e.Signature, sig))
		}
	}
	return strings.Join(diffs, "; ")
}

// Default is the process's registry: package-level functions register
// here, and workers look names up here. It is the one piece of global
// mutable state dusk has.
var Default = New()

// Register adds fn to the default registry (see Registry.Register).
func Register(name string, fn any) *Func { return Default.Register(name, fn) }

// Lookup finds a function in the default registry.
func Lookup(name string) (*Func, bool) { return Default.Lookup(name) }

// PluginName returns the name a plugin type was registered under.
func (r *Registry) PluginName(t reflect.Type) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for n, pt := range r.plugins {
		if pt == t {
			return n, true
		}
	}
	return "", false
}

// RegisterExtension adds a worker extension factory under name; package
// worker defines what a factory is and builds extensions from it.
func (r *Registry) RegisterExtension(name string, factory any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.extensions == nil {
		r.extensions = make(map[string]any)
	}
	if _, ok := r.extensions[name]; ok {
		panic(fmt.Sprintf("registry: extension %q registered twice", name))
	}
	r.extensions[name] = factory
}

// Extension returns the extension factory registered under name.
func (r *Registry) Extension(name string) (any, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.extensions[name]
	return f, ok
}
