package worker

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/registry"
)

var errNotHere = errors.New("not on this worker")

// UnknownFuncError is a task naming a function this worker's binary did not
// register.
type UnknownFuncError struct {
	Func   string
	Worker string
}

func (e *UnknownFuncError) Error() string {
	return fmt.Sprintf("function %q is not registered on worker %s: start workers from the same binary as the client (call dusk.Main() first in main), or register %q in the worker's binary", e.Func, e.Worker, e.Func)
}

// runner calls tasks' functions with their arguments bound from literals,
// stored values and nested calls.
type runner struct {
	reg    *registry.Registry
	store  *Store
	worker string
}

// run evaluates a call: looks its function up, binds the arguments and
// calls it.
func (r *runner) run(ctx context.Context, fn string, args []graph.Arg) (any, error) {
	f, ok := r.reg.Lookup(fn)
	if !ok {
		return nil, &UnknownFuncError{Func: fn, Worker: r.worker}
	}
	in, err := r.bind(ctx, f, args)
	if err != nil {
		return nil, err
	}
	return f.Call(ctx, in)
}

// bind turns a call's arguments into values of the function's parameter
// types. Trailing arguments of a variadic function are gathered into its
// slice.
func (r *runner) bind(ctx context.Context, f *registry.Func, args []graph.Arg) ([]reflect.Value, error) {
	if err := f.CheckCount(len(args)); err != nil {
		return nil, err
	}
	n := f.NumIn()
	fixed := n
	if f.Variadic() {
		fixed = n - 1
	}
	out := make([]reflect.Value, 0, n)
	for i := 0; i < fixed; i++ {
		v, err := r.value(ctx, args[i], f.In(i))
		if err != nil {
			return nil, fmt.Errorf("%s: argument %d: %w", f.Name(), i+1, err)
		}
		out = append(out, v)
	}
	if f.Variadic() {
		st := f.In(n - 1)
		rest := reflect.MakeSlice(st, 0, len(args)-fixed)
		for i := fixed; i < len(args); i++ {
			v, err := r.value(ctx, args[i], st.Elem())
			if err != nil {
				return nil, fmt.Errorf("%s: argument %d: %w", f.Name(), i+1, err)
			}
			rest = reflect.Append(rest, v)
		}
		out = append(out, rest)
	}
	return out, nil
}

// value produces one argument as a value of type want.
func (r *runner) value(ctx context.Context, a graph.Arg, want reflect.Type) (reflect.Value, error) {
	switch a.Kind {
	case graph.ArgValue:
		v, err := codec.Decode(a.Value, want)
		if err != nil {
			return reflect.Value{}, err
		}
		return v, nil
	case graph.ArgRef:
		return r.store.Value(a.Ref, want)
	case graph.ArgList:
		if want.Kind() != reflect.Slice {
			if want.Kind() == reflect.Interface {
				want = reflect.TypeOf([]any(nil))
			} else {
				return reflect.Value{}, fmt.Errorf("a list was given where %s is expected", want)
			}
		}
		s := reflect.MakeSlice(want, len(a.List), len(a.List))
		for i, item := range a.List {
			v, err := r.value(ctx, item, want.Elem())
			if err != nil {
				return reflect.Value{}, fmt.Errorf("element %d: %w", i, err)
			}
			s.Index(i).Set(v)
		}
		return s, nil
	case graph.ArgCall:
		res, err := r.run(ctx, a.Call.Func, a.Call.Args)
		if err != nil {
			if a.Call.Key != "" {
				return reflect.Value{}, &fusedError{key: a.Call.Key, err: err}
			}
			return reflect.Value{}, err
		}
		v := reflect.ValueOf(res)
		if !v.IsValid() {
			return reflect.Zero(want), nil
		}
		if !registry.Assignable(v.Type(), want) {
			return reflect.Value{}, fmt.Errorf("%s returned %s, which does not fit %s", a.Call.Func, v.Type(), want)
		}
		return registry.Convert(v, want), nil
	}
	return reflect.Value{}, fmt.Errorf("argument of unknown kind %d", a.Kind)
}

// fusedError says which step of a fused task failed.
type fusedError struct {
	key graph.Key
	err error
}

func (e *fusedError) Error() string { return fmt.Sprintf("in fused step %s: %v", e.key, e.err) }
func (e *fusedError) Unwrap() error { return e.err }
