package dusk

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/registry"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// Actors are Dask's actors: an instance of a registered type that lives on
// one worker, whose methods clients and tasks call by name. Calls made
// through one client run on the instance one at a time, in the order they
// were made, so the type needs no locks. The instance is not data: it is
// never copied, spilled or recomputed. When its worker dies, its state is
// gone, and every call fails with ErrActorLost; create the actor again.

// ActorType is an actor type T registered with RegisterActor: the
// argument of NewActor.
type ActorType[T any] struct {
	t       *registry.ActorType
	workers []string
}

// RegisterActor registers *T as an actor type under name and returns it
// for NewActor. ctor builds an instance: it takes an optional
// context.Context first, then its arguments (as a registered function),
// and returns *T or (*T, error). The exported methods of *T are callable
// by name (Invoke) when they take an optional context.Context first and
// return a value, a value and an error, an error, or nothing; a method of
// another shape, or with a parameter or result that cannot travel between
// processes, is an error when called. If *T has a Close() error method,
// the worker calls it when it drops the instance (the actor was released,
// or the worker is closing); it cannot be called remotely. RegisterActor
// panics if the name is taken or ctor has another shape; call it at
// package level, like Register.
func RegisterActor[T any](name string, ctor any) *ActorType[T] {
	if t := reflect.TypeOf(ctor); t != nil && t.Kind() == reflect.Func {
		n := 0
		for i := 0; i < t.NumIn(); i++ {
			if p := t.In(i); p != contextType {
				n++
				mustTravel(name, fmt.Sprintf("constructor's argument %d", n), p)
			}
		}
	}
	travels := func(m reflect.Method) error {
		n := 0
		for i := 1; i < m.Type.NumIn(); i++ { // after the receiver
			if p := m.Type.In(i); p != contextType {
				n++
				if err := codec.CheckTravels(p); err != nil {
					return fmt.Errorf("its argument %d: %w", n, err)
				}
			}
		}
		for i := 0; i < m.Type.NumOut(); i++ {
			if r := m.Type.Out(i); r != errorType {
				if err := codec.CheckTravels(r); err != nil {
					return fmt.Errorf("its result: %w", err)
				}
			}
		}
		return nil
	}
	return &ActorType[T]{t: registry.Default.RegisterActor(name, reflect.TypeFor[*T](), ctor, travels)}
}

// Name returns the name the type was registered under.
func (a *ActorType[T]) Name() string { return a.t.Name() }

// Methods returns the names of the methods Invoke can call, sorted.
func (a *ActorType[T]) Methods() []string { return a.t.Methods() }

// On returns the type with NewActor placing its actors on one of these
// workers (addresses or names) only.
func (a *ActorType[T]) On(workers ...string) *ActorType[T] {
	return &ActorType[T]{t: a.t, workers: append(slices.Clone(a.workers), workers...)}
}

// Actor is a handle on an actor of type T on a worker. Pass it to Invoke
// to call its methods. It can be passed as an argument to a task, which
// then calls the same instance through its worker's TaskClient. The
// actor lives until Release is called on the handle NewActor returned,
// that handle is garbage collected, or its client closes.
type Actor[T any] struct {
	ref actorRef
	h   *actorHandle
}

// actorRef is what identifies an actor across processes.
type actorRef struct {
	Key    string // its key at the scheduler
	Type   string // its type's registered name
	Worker string // the address of the worker that holds it
}

// actorHandle is a handle's state, shared by its copies.
type actorHandle struct {
	c *Client // nil for a handle decoded in a task (TaskClient is used)
	// own keeps the key alive at the scheduler (the handle NewActor
	// returned); nil for a decoded handle.
	own      *Future[string]
	lost     atomic.Pointer[ActorLostError] // set by the first call found lost
	released atomic.Bool
}

// NewActor builds an actor of type typ on a worker, calling its
// constructor there with args, and returns a handle on it. The worker is
// the least loaded of the running workers (of those typ.On names, if
// any). Mismatched arguments are an error here, before anything runs.
func NewActor[T any](ctx context.Context, c *Client, typ *ActorType[T], args ...any) (*Actor[T], error) {
	name := typ.Name()
	enc, err := encodeActorArgs(typ.t.Constructor(), args)
	if err != nil {
		return nil, fmt.Errorf("dusk: creating actor %s: %w", name, err)
	}
	addr, err := pickActorWorker(ctx, c, typ.workers)
	if err != nil {
		return nil, fmt.Errorf("dusk: creating actor %s: %w", name, err)
	}
	key := graph.NewKey("actor-" + keyPrefix(name))
	cli, err := c.peers.Client(addr)
	if err != nil {
		return nil, fmt.Errorf("dusk: creating actor %s: %w", name, err)
	}
	reply, err := cli.NewActor(ctx, &pb.NewActorRequest{Key: string(key), Type: name, Args: enc})
	if err != nil {
		return nil, fmt.Errorf("dusk: creating actor %s: %w", name, wire.Explain(err, "worker "+addr))
	}
	if reply.GetError() != "" {
		return nil, fmt.Errorf("dusk: creating actor %s on worker %s: %s", name, addr, reply.GetError())
	}
	// The scheduler tracks the key as scattered data: it is freed when the
	// handle is released, and lost, never recomputed, with its worker.
	f := newFuture[string](c, key)
	c.mu.Lock()
	f.st.scattered = true
	c.mu.Unlock()
	msg := &pb.Scattered{Keys: []*pb.ScatteredKey{{Key: string(key), Nbytes: reply.GetNbytes(), Type: reply.GetType(), Workers: []string{reply.GetWorkerId()}}}}
	if err := c.send(&pb.ClientMsg{Msg: &pb.ClientMsg_Scattered{Scattered: msg}}); err != nil {
		f.Release()
		return nil, err
	}
	return &Actor[T]{ref: actorRef{Key: string(key), Type: name, Worker: addr}, h: &actorHandle{c: c, own: f}}, nil
}

// pickActorWorker returns the address of the least loaded running worker
// (among names, if given): the fewest tasks in processing, then the
// fewest bytes held (which counts the actors placed there).
func pickActorWorker(ctx context.Context, c *Client, names []string) (string, error) {
	workers, err := c.Workers(ctx)
	if err != nil {
		return "", err
	}
	workers = slices.DeleteFunc(workers, func(w WorkerInfo) bool {
		if w.Status != "running" {
			return true
		}
		return len(names) > 0 && !slices.Contains(names, w.Address) && !slices.Contains(names, w.Name) && !slices.Contains(names, w.ID)
	})
	if len(workers) == 0 {
		if len(names) > 0 {
			return "", fmt.Errorf("none of the workers %s is connected and running", strings.Join(names, ", "))
		}
		return "", errors.New("no running workers to place it on")
	}
	slices.SortStableFunc(workers, func(a, b WorkerInfo) int {
		if a.Processing != b.Processing {
			return a.Processing - b.Processing
		}
		return int(a.NBytes - b.NBytes)
	})
	return workers[0].Address, nil
}

// Key returns the actor's key at the scheduler.
func (a *Actor[T]) Key() Key { return Key(a.ref.Key) }

// Worker returns the address of the worker that holds the actor.
func (a *Actor[T]) Worker() string { return a.ref.Worker }

// TypeName returns the name the actor's type was registered under.
func (a *Actor[T]) TypeName() string { return a.ref.Type }

// String returns "Actor(type, key, worker)".
func (a *Actor[T]) String() string {
	return fmt.Sprintf("Actor(%s, %s, %s)", a.ref.Type, a.ref.Key, a.ref.Worker)
}

// Release drops the actor: the cluster frees its key, and its worker runs
// the calls it already received, then drops the instance (calling its
// Close method, if it has one). Calls after Release are an error. On a
// handle a task received as an argument, Release only stops this handle:
// the actor lives on for its owner.
func (a *Actor[T]) Release() {
	if a.h == nil {
		return
	}
	a.h.released.Store(true)
	if a.h.own != nil {
		a.h.own.Release()
	}
}

// MarshalBinary encodes the handle (its key, type and worker) for a
// task's argument; the task's copy calls the same instance.
func (a Actor[T]) MarshalBinary() ([]byte, error) { return codec.Encode(a.ref) }

// UnmarshalBinary decodes a handle MarshalBinary encoded. It has no
// client: calls go through the TaskClient of the task they are made in.
func (a *Actor[T]) UnmarshalBinary(b []byte) error {
	v, err := codec.Decode(b, reflect.TypeFor[actorRef]())
	if err != nil {
		return fmt.Errorf("dusk: decoding an actor handle: %w", err)
	}
	ref := v.Interface().(actorRef)
	if t, ok := registry.Default.Actor(ref.Type); ok && t.Type() != reflect.TypeFor[*T]() {
		return fmt.Errorf("dusk: actor %s is a %s (%s), not a %s", ref.Key, ref.Type, t.Type(), reflect.TypeFor[*T]())
	}
	a.ref, a.h = ref, &actorHandle{}
	return nil
}

// ActorLostError is the error of calls to an actor whose instance is gone:
// its worker died, closed or restarted, the connection to it broke with
// calls pending, or the actor was released. The actor's state is gone
// with it: create the actor again. errors.Is(err, ErrActorLost) holds.
type ActorLostError struct {
	Actor  string // its key
	Type   string // its type's registered name
	Worker string // the address of the worker that held it
	Reason string
}

// ErrActorLost matches every ActorLostError (errors.Is).
var ErrActorLost = errors.New("dusk: actor lost")

func (e *ActorLostError) Error() string {
	return fmt.Sprintf("dusk: actor %s (%s) on worker %s is lost: %s; its state is gone with it: create the actor again (NewActor)", e.Actor, e.Type, e.Worker, e.Reason)
}

// Is reports whether target is ErrActorLost.
func (e *ActorLostError) Is(target error) bool { return target == ErrActorLost }

// ActorCallError is the error of one call to an actor: its method
// returned an error or panicked, or the worker refused the call (no such
// method, arguments that do not fit). The actor lives on.
type ActorCallError struct {
	Actor    string // its key
	Type     string // its type's registered name
	Method   string
	Worker   string // the address of the worker that holds it
	Message  string // the method's error, or the panic's value
	Panicked bool
	Stack    string // of the panic
}

func (e *ActorCallError) Error() string {
	what := "failed"
	if e.Panicked {
		what = "panicked"
	}
	return fmt.Sprintf("dusk: actor %s (%s) on worker %s: %s %s: %s", e.Actor, e.Type, e.Worker, e.Method, what, e.Message)
}

// ActorFuture is the result of one actor call (Invoke), of type R.
type ActorFuture[R any] struct {
	done   chan struct{}
	res    *pb.ActorResult // set before done closes, when the worker answered
	err    error           // set before done closes, when it did not
	out    reflect.Type    // the method's result type; nil if it has none or is unknown here
	method string
	ref    actorRef
}

// Done returns a channel closed when the call has finished or failed.
func (f *ActorFuture[R]) Done() <-chan struct{} { return f.done }

// Result waits for the call and returns the method's result: an
// *ActorCallError if the method failed, an *ActorLostError
// (ErrActorLost) if the actor is gone, or ctx's error. A method that
// returns no value gives R's zero value.
func (f *ActorFuture[R]) Result(ctx context.Context) (R, error) {
	var zero R
	select {
	case <-f.done:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	if f.err != nil {
		return zero, f.err
	}
	r := f.res
	switch r.GetFailure() {
	case pb.ActorFailure_ACTOR_FAILURE_NONE:
	case pb.ActorFailure_ACTOR_FAILURE_LOST:
		return zero, &ActorLostError{Actor: f.ref.Key, Type: f.ref.Type, Worker: f.ref.Worker, Reason: r.GetError()}
	default:
		return zero, &ActorCallError{Actor: f.ref.Key, Type: f.ref.Type, Method: f.method, Worker: f.ref.Worker,
			Message: r.GetError(), Panicked: r.GetFailure() == pb.ActorFailure_ACTOR_FAILURE_PANIC, Stack: r.GetStack()}
	}
	if len(r.GetResult()) == 0 {
		return zero, nil
	}
	want := f.out
	if want == nil {
		want = reflect.TypeFor[R]()
	}
	v, err := codec.Decode(r.GetResult(), want)
	if err != nil {
		return zero, fmt.Errorf("dusk: actor %s (%s): decoding the result of %s: %w", f.ref.Key, f.ref.Type, f.method, err)
	}
	out, ok := v.Interface().(R)
	if !ok {
		return zero, fmt.Errorf("dusk: actor %s (%s): %s returned a %s, not a %s", f.ref.Key, f.ref.Type, f.method, v.Type(), reflect.TypeFor[R]())
	}
	return out, nil
}

// Invoke calls method on the actor with args and returns a future of its
// result, of type R (struct{} or any for a method that returns none).
// Calls made through one client run on the instance in the order they
// were made. Arguments are values (not futures), checked here against
// the method's signature. A handle a task received as an argument calls
// through the task's TaskClient. An actor found lost makes this and every
// later call on the handle fail with ErrActorLost.
func Invoke[R any, T any](ctx context.Context, a *Actor[T], method string, args ...any) (*ActorFuture[R], error) {
	if a == nil || a.h == nil {
		return nil, errors.New("dusk: Invoke on a nil or zero actor handle: use the handle NewActor returned")
	}
	if a.h.released.Load() {
		return nil, fmt.Errorf("dusk: actor %s (%s) was released: create another (NewActor)", a.ref.Key, a.ref.Type)
	}
	if lost := a.h.lost.Load(); lost != nil {
		return nil, lost
	}
	if own := a.h.own; own != nil {
		switch own.Status() {
		case Erred, Cancelled:
			lost := &ActorLostError{Actor: a.ref.Key, Type: a.ref.Type, Worker: a.ref.Worker, Reason: fmt.Sprintf("the scheduler lost its key (%v)", own.Err())}
			a.h.lost.CompareAndSwap(nil, lost)
			return nil, a.h.lost.Load()
		}
	}
	fut := &ActorFuture[R]{done: make(chan struct{}), method: method, ref: a.ref}
	var enc [][]byte
	if t, ok := registry.Default.Actor(a.ref.Type); ok {
		m, err := t.Method(method)
		if err != nil {
			return nil, fmt.Errorf("dusk: actor %s: %w", a.ref.Key, err)
		}
		if err := checkActorResult[R](m); err != nil {
			return nil, fmt.Errorf("dusk: actor %s: %w", a.ref.Key, err)
		}
		fut.out = m.Out()
		if enc, err = encodeActorArgs(m, args); err != nil {
			return nil, fmt.Errorf("dusk: actor %s: %w", a.ref.Key, err)
		}
	} else {
		// The type is not registered here (a program that only passes the
		// handle on): the worker checks the call.
		for i, arg := range args {
			b, err := codec.Encode(arg)
			if err != nil {
				return nil, fmt.Errorf("dusk: actor %s: %s: argument %d: %w", a.ref.Key, method, i+1, err)
			}
			enc = append(enc, b)
		}
	}
	c := a.h.c
	if c == nil {
		var err error
		if c, err = TaskClient(ctx); err != nil {
			return nil, fmt.Errorf("dusk: actor %s: a handle received as an argument calls through its task's client: %w", a.ref.Key, err)
		}
	}
	h, ref := a.h, a.ref
	err := c.actorCall(ref.Worker, &pb.ActorCall{Key: ref.Key, Method: method, Args: enc}, func(res *pb.ActorResult, err error) {
		if err == nil && res.GetFailure() == pb.ActorFailure_ACTOR_FAILURE_LOST {
			h.lost.CompareAndSwap(nil, &ActorLostError{Actor: ref.Key, Type: ref.Type, Worker: ref.Worker, Reason: res.GetError()})
		}
		var broken *actorConnError
		if errors.As(err, &broken) {
			err = &ActorLostError{Actor: ref.Key, Type: ref.Type, Worker: ref.Worker, Reason: broken.Error()}
			h.lost.CompareAndSwap(nil, err.(*ActorLostError))
		}
		fut.res, fut.err = res, err
		close(fut.done)
	})
	if err != nil {
		return nil, fmt.Errorf("dusk: actor %s: %w", a.ref.Key, err)
	}
	return fut, nil
}

// checkActorResult checks that the method's results fit R.
func checkActorResult[R any](m *registry.Func) error {
	t := reflect.TypeFor[R]()
	out := m.Out()
	if out == nil {
		if t.Kind() == reflect.Interface || t == reflect.TypeFor[struct{}]() {
			return nil
		}
		return fmt.Errorf("%s %s returns no value; use struct{} or any as the result type", m.Name(), m.Signature())
	}
	if out == t || (t.Kind() == reflect.Interface && out.Implements(t)) {
		return nil
	}
	return fmt.Errorf("%s %s returns %s, not %s", m.Name(), m.Signature(), out, t)
}

// encodeActorArgs checks args against f (a constructor or a method) and
// encodes them.
func encodeActorArgs(f *registry.Func, args []any) ([][]byte, error) {
	if err := f.CheckCount(len(args)); err != nil {
		return nil, err
	}
	enc := make([][]byte, len(args))
	for i, arg := range args {
		switch arg.(type) {
		case futureRef, delayedRef:
			return nil, fmt.Errorf("%s: argument %d is a future or a delayed value: actors take values; pass its Result", f.Name(), i+1)
		}
		v, err := f.ConvertArg(i, arg)
		if err != nil {
			return nil, err
		}
		if want, _ := f.ParamFor(i); v.IsValid() && want.Kind() != reflect.Interface {
			arg = v.Interface()
		}
		if enc[i], err = codec.Encode(arg); err != nil {
			return nil, fmt.Errorf("%s: argument %d: %w", f.Name(), i+1, err)
		}
	}
	return enc, nil
}
