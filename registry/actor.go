package registry

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
)

// ActorType is a registered actor type: a constructor that returns a
// pointer to the type, and the exported methods of that pointer, callable
// by name on the one instance a worker keeps.
type ActorType struct {
	name    string
	ptr     reflect.Type // *T
	ctor    *Func
	methods map[string]*Func  // templates: bound to an instance for each call
	refused map[string]string // exported methods that cannot be called, and why
	sig     string
}

// Name returns the name the type was registered under.
func (a *ActorType) Name() string { return a.name }

// Type returns the pointer type the constructor returns.
func (a *ActorType) Type() reflect.Type { return a.ptr }

// Constructor returns the constructor, for checking and decoding its
// arguments.
func (a *ActorType) Constructor() *Func { return a.ctor }

// Methods returns the names of the callable methods, sorted.
func (a *ActorType) Methods() []string {
	out := make([]string, 0, len(a.methods))
	for n := range a.methods {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Method returns the method called name, for checking and decoding its
// arguments; Bind it to an instance to call it. The error says why there
// is none: no such method, or one that cannot be called remotely.
func (a *ActorType) Method(name string) (*Func, error) {
	if m, ok := a.methods[name]; ok {
		return m, nil
	}
	if why, ok := a.refused[name]; ok {
		return nil, fmt.Errorf("actor type %s: method %s cannot be called: %s", a.name, name, why)
	}
	return nil, fmt.Errorf("actor type %s (%s) has no method %q; its methods are %s", a.name, a.ptr, name, strings.Join(a.Methods(), ", "))
}

// New calls the constructor with args (already of the parameter types)
// and returns the instance. A nil instance is an error.
func (a *ActorType) New(ctx context.Context, args []reflect.Value) (reflect.Value, error) {
	v, err := a.ctor.Call(ctx, args)
	if err != nil {
		return reflect.Value{}, err
	}
	inst := reflect.ValueOf(v)
	if !inst.IsValid() || inst.IsNil() {
		return reflect.Value{}, fmt.Errorf("actor type %s: the constructor returned a nil %s", a.name, a.ptr)
	}
	return inst, nil
}

// Bind returns the method f (one of an ActorType's) bound to the
// instance inst, ready to Call.
func (f *Func) Bind(inst reflect.Value) *Func {
	g := *f
	g.fn = inst.MethodByName(f.method)
	return &g
}

var closerType = reflect.TypeFor[io.Closer]()

// RegisterActor adds an actor type under name: ptr is the pointer type
// *T, ctor a function of the accepted shapes returning *T or (*T,
// error). Exported methods of *T of those shapes, or returning nothing,
// are callable by name; Close, when *T is an io.Closer, is kept for the
// worker to call when it drops the instance. checkMethod, if not nil,
// may refuse a method (a parameter that cannot travel, say); a refused
// method is an error when called. It panics if the name is taken or ctor
// has another shape.
func (r *Registry) RegisterActor(name string, ptr reflect.Type, ctor any, checkMethod func(reflect.Method) error) *ActorType {
	if ptr.Kind() != reflect.Pointer {
		panic(fmt.Sprintf("registry: actor type %q: want a pointer type, got %s", name, ptr))
	}
	c, err := newFunc(name, ctor)
	if err != nil {
		panic(err)
	}
	if c.out != ptr {
		panic(fmt.Sprintf("registry: actor type %q: the constructor must return %s or (%s, error); it is %s", name, ptr, ptr, c.sig))
	}
	a := &ActorType{name: name, ptr: ptr, ctor: c, methods: map[string]*Func{}, refused: map[string]string{}}
	zero := reflect.Zero(ptr)
	var sigs []string
	for i := 0; i < ptr.NumMethod(); i++ {
		m := ptr.Method(i)
		if m.Name == "Close" && ptr.Implements(closerType) {
			a.refused[m.Name] = "the worker calls Close when it drops the instance; release the actor instead"
			continue
		}
		f, err := newFuncValue(name+"."+m.Name, zero.Method(i), true)
		if err == nil && checkMethod != nil {
			err = checkMethod(m)
		}
		if err != nil {
			a.refused[m.Name] = err.Error()
			continue
		}
		f.method = m.Name
		a.methods[m.Name] = f
		sigs = append(sigs, m.Name+" "+f.sig)
	}
	a.sig = c.sig + "; " + strings.Join(sigs, "; ")
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.actors == nil {
		r.actors = make(map[string]*ActorType)
	}
	if old, ok := r.actors[name]; ok {
		panic(fmt.Sprintf("registry: actor type %q registered twice (%s and %s)", name, old.ptr, ptr))
	}
	r.actors[name] = a
	return a
}

// Actor returns the actor type registered under name.
func (r *Registry) Actor(name string) (*ActorType, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.actors[name]
	return a, ok
}
