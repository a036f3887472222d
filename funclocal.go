package dusk

import (
	"context"
	"reflect"
)

// Params returns the types of the function's parameters after its optional
// context.Context; the last of a variadic function is a slice.
func (f *Func) Params() []reflect.Type {
	out := make([]reflect.Type, f.f.NumIn())
	for i := range out {
		out[i] = f.f.In(i)
	}
	return out
}

// Result returns the type of the function's result, or nil when it returns
// only an error.
func (f *Func) Result() reflect.Type { return f.f.Out() }

// Variadic reports whether the function's last parameter is variadic.
func (f *Func) Variadic() bool { return f.f.Variadic() }

// CallLocal runs the function here, in this process, with args as a task
// gets them: checked against the parameters, numbers converted to the
// parameter's number type, the trailing arguments of a variadic function
// gathered into its slice. A panic in the function is returned as an error.
// Collections use it to learn what a user's function returns
// (dataframe.MapPartitions calls it on an empty partition).
func (f *Func) CallLocal(ctx context.Context, args ...any) (any, error) {
	if err := f.f.CheckCount(len(args)); err != nil {
		return nil, err
	}
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		v, err := f.f.ConvertArg(i, a)
		if err != nil {
			return nil, err
		}
		in[i] = v
	}
	if f.f.Variadic() {
		n := f.f.NumIn()
		rest := reflect.Append(reflect.MakeSlice(f.f.In(n-1), 0, len(in)-(n-1)), in[n-1:]...)
		in = append(in[:n-1], rest)
	}
	return f.f.Call(ctx, in)
}
