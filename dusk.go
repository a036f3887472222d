// Package dusk is a distributed computing engine for Go, in the class of
// Dask: it runs task graphs, futures and partitioned data in parallel on
// one machine or a cluster.
//
// Rules for using it:
//
//  1. Register every function a task may run at package level, with an
//     explicit name: var Inc = dusk.Register("demo.inc", inc). Go cannot
//     send closures to other processes, so tasks name their functions.
//  2. Call dusk.Main() first in main: when a cluster starts this binary as
//     a worker, Main runs the worker and never returns.
//  3. Connect with dusk.Connect(ctx, "") for a local cluster on this
//     machine, or dusk.Connect(ctx, "tcp://host:8786") for a running one.
//  4. Submit work as futures (Submit, Map), or build graphs lazily with
//     Call and run them with Compute or Persist. Pass futures, not large
//     values, as arguments: the data then moves worker to worker and never
//     through the client. Scatter large inputs once.
//
// A minimal program:
//
//	var Inc = dusk.Register("demo.inc", func(ctx context.Context, x int) (int, error) { return x + 1, nil })
//
//	func main() {
//		dusk.Main()
//		ctx := context.Background()
//		c, err := dusk.Connect(ctx, "")
//		if err != nil { log.Fatal(err) }
//		defer c.Close()
//		f, err := dusk.Submit[int](ctx, c, Inc, 1)
//		if err != nil { log.Fatal(err) }
//		v, err := f.Result(ctx) // 2
//	}
package dusk

import (
	"context"
	"fmt"
	"reflect"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/registry"
)

// Key names a task and its result.
type Key string

// Key returns k itself, so that keys and futures can be passed alike to
// Client.Cancel.
func (k Key) Key() Key { return k }

// Keyer is anything with a key: a Future or a Key.
type Keyer interface{ Key() Key }

// Func is a registered function, with the task options it is submitted
// with.
type Func struct {
	f    *registry.Func
	opts taskOptions
}

// Register registers fn under name in the process's registry and returns
// it for use in Submit, Map and Call. fn takes an optional context.Context
// first, then its arguments (the last may be variadic), and returns a
// value, a value and an error, or an error. Register panics if the name is
// taken, fn has another shape, or a parameter or result type cannot cross
// between processes whole (a struct with an unexported field, which would
// arrive zeroed: export the field, or give the type MarshalBinary and
// UnmarshalBinary methods, which the codec then uses); call it at package
// level.
func Register(name string, fn any) *Func {
	if t := reflect.TypeOf(fn); t != nil && t.Kind() == reflect.Func {
		n := 0 // arguments count from 1 after the context, as in errors at Submit
		for i := 0; i < t.NumIn(); i++ {
			if p := t.In(i); p != contextType {
				n++
				mustTravel(name, fmt.Sprintf("argument %d", n), p)
			}
		}
		for i := 0; i < t.NumOut(); i++ {
			if r := t.Out(i); r != errorType {
				mustTravel(name, "result", r)
			}
		}
	}
	return &Func{f: registry.Register(name, fn)}
}

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
)

// mustTravel panics, at registration, when values of t cannot cross
// between processes whole (codec.CheckTravels): a struct field that would
// arrive zeroed is a bug found before anything runs.
func mustTravel(name, what string, t reflect.Type) {
	if err := codec.CheckTravels(t); err != nil {
		panic(fmt.Sprintf("dusk: registering %q: its %s: %v", name, what, err))
	}
}

// Lookup returns the function registered under name.
func Lookup(name string) (*Func, bool) {
	f, ok := registry.Lookup(name)
	if !ok {
		return nil, false
	}
	return &Func{f: f}, true
}

// Name returns the name the function was registered under.
func (f *Func) Name() string { return f.f.Name() }

// Signature returns the function's Go signature.
func (f *Func) Signature() string { return f.f.Signature() }

// With returns the function with task options applied to every task it is
// submitted as: priority, retries, resources, worker restrictions.
func (f *Func) With(opts ...TaskOption) *Func {
	g := &Func{f: f.f, opts: f.opts.clone()}
	for _, o := range opts {
		o(&g.opts)
	}
	return g
}

func (f *Func) checkResult(t reflect.Type) error {
	out := f.f.Out()
	if out == nil {
		if t.Kind() == reflect.Interface || t == reflect.TypeOf(struct{}{}) {
			return nil
		}
		return fmt.Errorf("dusk: %s %s returns no value; use struct{} or any as the result type", f.Name(), f.Signature())
	}
	if out == t || (t.Kind() == reflect.Interface && out.Implements(t)) {
		return nil
	}
	return fmt.Errorf("dusk: %s %s returns %s, not %s", f.Name(), f.Signature(), out, t)
}

// TaskOption sets how a task is scheduled; see Func.With.
type TaskOption func(*taskOptions)

// taskOptions are the scheduling options of a task, set on a function
// (Func.With) or on a context (WithPriority and the others of
// annotate.go); set records which were given, so that a function's
// options win over a context's, even when they are zero.
type taskOptions struct {
	priority   int
	retries    int
	resources  map[string]float64
	workers    []string
	allowOther bool
	set        optionSet
}

// optionSet holds one bit per task option.
type optionSet uint8

const (
	setPriority optionSet = 1 << iota
	setRetries
	setResources
	setWorkers
	setAllowOther
)

func (o taskOptions) clone() taskOptions {
	c := o
	if o.resources != nil {
		c.resources = make(map[string]float64, len(o.resources))
		for k, v := range o.resources {
			c.resources[k] = v
		}
	}
	c.workers = append([]string(nil), o.workers...)
	return c
}

func (o *taskOptions) apply(t *graph.Task) {
	t.Priority = o.priority
	t.Retries = o.retries
	t.Resources = o.resources
	t.Workers = o.workers
	t.AllowOtherWorkers = o.allowOther
}

// Priority runs the task before tasks of lower priority (default 0).
func Priority(p int) TaskOption {
	return func(o *taskOptions) { o.priority = p; o.set |= setPriority }
}

// Retries runs a task that returns an error (or panics) again, up to n
// more times.
func Retries(n int) TaskOption {
	return func(o *taskOptions) { o.retries = n; o.set |= setRetries }
}

// Resources makes the task run only on workers that supply these amounts
// (workers declare them: dusk worker --resources GPU=1), and holds them
// while it runs.
func Resources(r map[string]float64) TaskOption {
	return func(o *taskOptions) {
		o.resources = make(map[string]float64, len(r))
		for k, v := range r {
			o.resources[k] = v
		}
		o.set |= setResources
	}
}

// Workers restricts the task to workers with these addresses or names.
func Workers(names ...string) TaskOption {
	return func(o *taskOptions) { o.workers = append([]string(nil), names...); o.set |= setWorkers }
}

// AllowOtherWorkers makes Workers a preference: other workers may run the
// task when none of the named ones can.
func AllowOtherWorkers() TaskOption {
	return func(o *taskOptions) { o.allowOther = true; o.set |= setAllowOther }
}
