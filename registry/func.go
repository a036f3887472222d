package registry

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"strings"
)

var (
	contextType = reflect.TypeOf((*context.Context)(nil)).Elem()
	errorType   = reflect.TypeOf((*error)(nil)).Elem()
)

// Func is a registered function.
type Func struct {
	name   string
	fn     reflect.Value
	hasCtx bool
	in     []reflect.Type // parameters after the context
	out    reflect.Type   // the result type; nil if it returns only an error
	hasErr bool
	sig    string
	method string // for an actor type's method, its Go name (see Bind)
}

// Name returns the name the function was registered under.
func (f *Func) Name() string { return f.name }

// Signature returns the function's Go signature, such as
// "func(context.Context, int) (int, error)".
func (f *Func) Signature() string { return f.sig }

// NumIn returns the number of parameters after the optional context.
func (f *Func) NumIn() int { return len(f.in) }

// In returns the type of parameter i (counting after the context). For a
// variadic function the last parameter's type is a slice.
func (f *Func) In(i int) reflect.Type { return f.in[i] }

// Variadic reports whether the last parameter is variadic.
func (f *Func) Variadic() bool { return f.fn.Type().IsVariadic() }

// Out returns the type of the function's result, or nil when it returns
// only an error.
func (f *Func) Out() reflect.Type { return f.out }

func newFunc(name string, fn any) (*Func, error) {
	if name == "" {
		return nil, errors.New("registry: a function needs a non-empty name")
	}
	v := reflect.ValueOf(fn)
	if !v.IsValid() || v.Kind() != reflect.Func || v.IsNil() {
		return nil, fmt.Errorf("registry: %q: want a function, got %T", name, fn)
	}
	return newFuncValue(name, v, false)
}

// newFuncValue checks the shape of the function v and wraps it. A method
// of an actor (noResult) may also return nothing.
func newFuncValue(name string, v reflect.Value, noResult bool) (*Func, error) {
	t := v.Type()
	f := &Func{name: name, fn: v, sig: t.String()}
	for i := 0; i < t.NumIn(); i++ {
		p := t.In(i)
		if i == 0 && p == contextType {
			f.hasCtx = true
			continue
		}
		if p == contextType {
			return nil, fmt.Errorf("registry: %q: context.Context must be the first parameter (%s)", name, f.sig)
		}
		f.in = append(f.in, p)
	}
	switch t.NumOut() {
	case 0:
		if !noResult {
			return nil, fmt.Errorf("registry: %q: want results (T), (T, error) or (error); have %s", name, f.sig)
		}
	case 1:
		if t.Out(0) == errorType {
			f.hasErr = true
		} else {
			f.out = t.Out(0)
		}
	case 2:
		if t.Out(1) != errorType {
			return nil, fmt.Errorf("registry: %q: a second result must be error (%s)", name, f.sig)
		}
		f.out, f.hasErr = t.Out(0), true
	default:
		return nil, fmt.Errorf("registry: %q: want results (T), (T, error) or (error); have %s", name, f.sig)
	}
	return f, nil
}

// ArgError is a mismatch between the arguments given to a function and its
// signature, found before anything runs.
type ArgError struct {
	Func      string // the function's name
	Signature string
	Index     int // the argument (from 0, not counting the context); -1 for the count
	Message   string
}

func (e *ArgError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("%s %s: %s", e.Func, e.Signature, e.Message)
	}
	return fmt.Sprintf("%s %s: argument %d: %s", e.Func, e.Signature, e.Index+1, e.Message)
}

// ParamFor returns the type argument i must have (for a variadic function,
// arguments from the last parameter on take its element type).
func (f *Func) ParamFor(i int) (reflect.Type, error) {
	n := len(f.in)
	if f.Variadic() && i >= n-1 {
		return f.in[n-1].Elem(), nil
	}
	if i < n {
		return f.in[i], nil
	}
	return nil, &ArgError{Func: f.name, Signature: f.sig, Index: -1, Message: fmt.Sprintf("takes %d arguments, got more", n)}
}

// CheckCount checks the number of arguments.
func (f *Func) CheckCount(n int) error {
	want := len(f.in)
	if f.Variadic() {
		if n < want-1 {
			return &ArgError{Func: f.name, Signature: f.sig, Index: -1, Message: fmt.Sprintf("takes at least %d arguments, got %d", want-1, n)}
		}
		return nil
	}
	if n != want {
		return &ArgError{Func: f.name, Signature: f.sig, Index: -1, Message: fmt.Sprintf("takes %d arguments, got %d", want, n)}
	}
	return nil
}

// ConvertArg returns v as a value of argument i's parameter type, when
// that loses nothing (see Assignable and ConvertValue); the error is an
// *ArgError naming the function, the argument and both types.
func (f *Func) ConvertArg(i int, v any) (reflect.Value, error) {
	want, err := f.ParamFor(i)
	if err != nil {
		return reflect.Value{}, err
	}
	out, err := ConvertValue(reflect.ValueOf(v), want)
	if err != nil {
		return reflect.Value{}, &ArgError{Func: f.name, Signature: f.sig, Index: i, Message: err.Error()}
	}
	return out, nil
}

// PanicError is a panic inside a task's function, with the stack of the
// goroutine that panicked.
type PanicError struct {
	Func  string
	Value any
	Stack string
}

func (e *PanicError) Error() string { return fmt.Sprintf("%s panicked: %v", e.Func, e.Value) }

// Call runs the function with args (already of the parameter types; for a
// variadic function the last is the slice). A panic is recovered and
// returned as a *PanicError.
func (f *Func) Call(ctx context.Context, args []reflect.Value) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Func: f.name, Value: r, Stack: trimStack(string(debug.Stack()))}
		}
	}()
	in := args
	if f.hasCtx {
		in = make([]reflect.Value, 0, len(args)+1)
		in = append(in, reflect.ValueOf(&ctx).Elem())
		in = append(in, args...)
	}
	var out []reflect.Value
	if f.Variadic() {
		out = f.fn.CallSlice(in)
	} else {
		out = f.fn.Call(in)
	}
	if f.hasErr {
		if e := out[len(out)-1]; !e.IsNil() {
			return nil, e.Interface().(error)
		}
	}
	if f.out == nil {
		return nil, nil
	}
	return out[0].Interface(), nil
}

// trimStack drops the frames of the panic machinery and of this package
// from a stack trace, leaving the user's code at the top.
func trimStack(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) < 2 {
		return s
	}
	// lines[0] is "goroutine N [running]:"; frames come in pairs.
	out := []string{lines[0]}
	i := 1
	for ; i+1 < len(lines); i += 2 {
		fn := lines[i]
		if strings.HasPrefix(fn, "panic(") || strings.Contains(fn, "runtime/debug.Stack") ||
			strings.Contains(fn, "registry.(*Func).Call.func") {
			continue
		}
		break
	}
	for ; i < len(lines); i++ {
		if strings.Contains(lines[i], "reflect.Value.call") || strings.Contains(lines[i], "reflect.Value.Call") {
			break
		}
		out = append(out, lines[i])
	}
	return strings.Join(out, "\n")
}
