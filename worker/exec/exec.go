package exec

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

// Values gives the values a worker holds, decoded into a wanted type.
type Values interface {
	Value(k graph.Key, want reflect.Type) (reflect.Value, error)
}

// Runner calls tasks' functions with their arguments bound from literals,
// stored values and nested calls.
type Runner struct {
	// Registry holds the functions tasks name.
	Registry *registry.Registry
	// Values holds the results that arguments refer to.
	Values Values
	// Worker names the worker in errors.
	Worker string
}

// Run evaluates a task's call: looks its function up, binds the arguments
// and calls it.
func (r *Runner) Run(ctx context.Context, fn string, args []graph.Arg) (any, error) {
	e := evaluation{r: r}
	return e.call(ctx, fn, args)
}

// evaluation is one run of a task. A fused task's nested call that several
// arguments share (they carry the same Call.Key) runs once per evaluation.
type evaluation struct {
	r    *Runner
	memo map[graph.Key]any
}

func (e *evaluation) call(ctx context.Context, fn string, args []graph.Arg) (any, error) {
	f, ok := e.r.Registry.Lookup(fn)
	if !ok {
		return nil, &UnknownFuncError{Func: fn, Worker: e.r.Worker}
	}
	in, err := e.bind(ctx, f, args)
	if err != nil {
		return nil, err
	}
	return f.Call(ctx, in)
}

// bind turns a call's arguments into values of the function's parameter
// types. Trailing arguments of a variadic function are gathered into its
// slice.
func (e *evaluation) bind(ctx context.Context, f *registry.Func, args []graph.Arg) ([]reflect.Value, error) {
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
		v, err := e.value(ctx, args[i], f.In(i))
		if err != nil {
			return nil, argError(f.Name(), i, err)
		}
		out = append(out, v)
	}
	if f.Variadic() {
		st := f.In(n - 1)
		rest := reflect.MakeSlice(st, 0, len(args)-fixed)
		for i := fixed; i < len(args); i++ {
			v, err := e.value(ctx, args[i], st.Elem())
			if err != nil {
				return nil, argError(f.Name(), i, err)
			}
			rest = reflect.Append(rest, v)
		}
		out = append(out, rest)
	}
	return out, nil
}

// argError places an argument's error; the failure of a fused step passes
// through unchanged, so that it names the step.
func argError(fn string, i int, err error) error {
	var fe *StepError
	if errors.As(err, &fe) {
		return err
	}
	return fmt.Errorf("%s: argument %d: %w", fn, i+1, err)
}

// value produces one argument as a value of type want.
func (e *evaluation) value(ctx context.Context, a graph.Arg, want reflect.Type) (reflect.Value, error) {
	switch a.Kind {
	case graph.ArgValue:
		v, err := codec.Decode(a.Value, want)
		if err != nil {
			return reflect.Value{}, err
		}
		return v, nil
	case graph.ArgRef:
		return e.r.Values.Value(a.Ref, want)
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
			v, err := e.value(ctx, item, want.Elem())
			if err != nil {
				var fe *StepError
				if errors.As(err, &fe) {
					return reflect.Value{}, err
				}
				return reflect.Value{}, fmt.Errorf("element %d: %w", i, err)
			}
			s.Index(i).Set(v)
		}
		return s, nil
	case graph.ArgCall:
		res, err := e.nested(ctx, a.Call)
		if err != nil {
			return reflect.Value{}, err
		}
		v := reflect.ValueOf(res)
		if !v.IsValid() {
			return reflect.Zero(want), nil
		}
		cv, err := registry.ConvertValue(v, want)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%s returned a value that does not fit: %w", a.Call.Func, err)
		}
		return cv, nil
	}
	return reflect.Value{}, fmt.Errorf("argument of unknown kind %d", a.Kind)
}

// nested runs a nested call (a fused step), once per evaluation.
func (e *evaluation) nested(ctx context.Context, c *graph.Call) (any, error) {
	if c.Key != "" {
		if v, ok := e.memo[c.Key]; ok {
			return v, nil
		}
	}
	res, err := e.call(ctx, c.Func, c.Args)
	if err != nil {
		var fe *StepError
		if c.Key == "" || errors.As(err, &fe) {
			return nil, err // already names the step that failed
		}
		return nil, &StepError{Key: c.Key, Func: c.Func, Err: err}
	}
	if c.Key != "" {
		if e.memo == nil {
			e.memo = make(map[graph.Key]any)
		}
		e.memo[c.Key] = res
	}
	return res, nil
}

// StepError is the failure of one step of a fused task: it names the step
// (the task it was before fusion) and keeps the step's own error.
type StepError struct {
	Key  graph.Key // the step's key before fusion
	Func string    // the step's function
	Err  error
}

func (e *StepError) Error() string { return e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// Refs appends the keys that args refer to, nested calls and lists
// included, to keys.
func Refs(keys []graph.Key, args []graph.Arg) []graph.Key {
	for _, a := range args {
		switch a.Kind {
		case graph.ArgRef:
			keys = append(keys, a.Ref)
		case graph.ArgList:
			keys = Refs(keys, a.List)
		case graph.ArgCall:
			if a.Call != nil {
				keys = Refs(keys, a.Call.Args)
			}
		}
	}
	return keys
}
