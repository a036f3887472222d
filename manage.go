package dusk

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/registry"
	"github.com/dusk-go/dusk/task"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// Futures returns the keys this client holds futures for: Cancel(ctx,
// c.Futures()...) cancels everything (the guide's "clean cluster state").
func (c *Client) Futures() []Keyer {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.futures))
	for k := range c.futures {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	out := make([]Keyer, len(keys))
	for i, k := range keys {
		out[i] = Key(k)
	}
	return out
}

// Cancel cancels futures (or keys): they end as cancelled and tasks that
// nothing else needs stop, running ones through their context.
func (c *Client) Cancel(ctx context.Context, fs ...Keyer) error {
	if len(fs) == 0 {
		return nil
	}
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = string(f.Key())
	}
	return c.send(&pb.ClientMsg{Msg: &pb.ClientMsg_Cancel{Cancel: &pb.CancelKeys{Keys: keys}}})
}

// Restart replaces every worker with a fresh one and drops every task:
// all futures end as cancelled and the cluster is usable again, with no
// data left on the workers. It waits until as many workers as before have
// joined.
func (c *Client) Restart(ctx context.Context) error {
	// What this client submitted before must be dropped by the restart too.
	if err := c.sync(ctx); err != nil {
		return err
	}
	timeout := 2 * time.Minute
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	_, err := c.sched.Restart(ctx, &pb.RestartRequest{TimeoutMs: timeout.Milliseconds(), Reason: "the client asked for a restart"})
	if err != nil {
		return wire.Explain(err, "scheduler "+c.addr)
	}
	return nil
}

// Run calls fn(args...) on every worker and returns the results by worker
// address: for maintenance such as the guide's worker garbage collection.
func Run[T any](ctx context.Context, c *Client, fn *Func, args ...any) (map[string]T, error) {
	caller := callerLine()
	if err := fn.checkResult(reflect.TypeFor[T]()); err != nil {
		return nil, atCaller(err, caller)
	}
	if err := fn.f.CheckCount(len(args)); err != nil {
		return nil, atCaller(err, caller)
	}
	enc := make([][]byte, len(args))
	for i, a := range args {
		v, err := fn.f.ConvertArg(i, a)
		if err != nil {
			return nil, atCaller(err, caller)
		}
		if v.IsValid() && v.Kind() != reflect.Interface {
			a = v.Interface()
		}
		b, err := codec.Encode(a)
		if err != nil {
			return nil, atCaller(err, caller)
		}
		enc[i] = b
	}
	workers, err := c.Workers(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]T, len(workers))
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := runOn[T](ctx, c, w.Address, fn.Name(), enc)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			out[w.Address] = res
		}()
	}
	wg.Wait()
	return out, firstErr
}

func runOn[T any](ctx context.Context, c *Client, addr, fn string, args [][]byte) (T, error) {
	var zero T
	cli, err := c.peers.Client(addr)
	if err != nil {
		return zero, err
	}
	reply, err := cli.Run(ctx, &pb.RunRequest{Func: fn, Args: args})
	if err != nil {
		return zero, wire.Explain(err, "worker "+addr)
	}
	if reply.GetError() != "" {
		return zero, fmt.Errorf("dusk: %s on worker %s: %s", fn, addr, reply.GetError())
	}
	var v T
	if len(reply.GetResult()) > 0 {
		if err := codec.DecodeInto(reply.GetResult(), &v); err != nil {
			return zero, fmt.Errorf("dusk: decoding the result of %s from %s: %w", fn, addr, err)
		}
	}
	return v, nil
}

// WorkerPlugin is code installed on every worker; see RegisterPlugin and
// Client.RegisterWorkerPlugin.
type WorkerPlugin = task.Plugin

// WorkerInfoForPlugin describes the worker a plugin's Setup runs on.
type WorkerInfoForPlugin = task.WorkerInfo

// RegisterPlugin registers the plugin type P under name, so that workers
// can build it from the value a client sends. *P (or P) must have a
// Setup(context.Context, *WorkerInfoForPlugin) error method. Call it at package
// level, like Register.
func RegisterPlugin[P any](name string) {
	t := reflect.TypeFor[P]()
	if !reflect.PointerTo(t).Implements(reflect.TypeFor[task.Plugin]()) && !t.Implements(reflect.TypeFor[task.Plugin]()) {
		panic(fmt.Sprintf("dusk: plugin %q: %s has no Setup(context.Context, *dusk.WorkerInfoForPlugin) error method", name, t))
	}
	mustTravel(name, "plugin type", t)
	registry.Default.RegisterPlugin(name, t)
}

// PluginError lists the workers a plugin refused; they left the cluster.
type PluginError struct {
	Plugin  string
	Refused map[string]string // worker ID -> the error of its Setup
}

func (e *PluginError) Error() string {
	ids := make([]string, 0, len(e.Refused))
	for id := range e.Refused {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	msg := fmt.Sprintf("dusk: plugin %s refused %d worker(s):", e.Plugin, len(ids))
	for _, id := range ids {
		msg += fmt.Sprintf(" %s: %s;", id, e.Refused[id])
	}
	return msg
}

// RegisterWorkerPlugin installs plugin on every worker now and on every
// worker that joins later (the Go form of Dask's register_plugin). The
// plugin's type must be registered with RegisterPlugin; its exported
// fields travel to the workers. Workers whose Setup fails are refused and
// leave; the error lists them.
func (c *Client) RegisterWorkerPlugin(ctx context.Context, plugin any) error {
	t := reflect.TypeOf(plugin)
	v := plugin
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
		v = reflect.ValueOf(plugin).Elem().Interface()
	}
	name, ok := registry.Default.PluginName(t)
	if !ok {
		return fmt.Errorf("dusk: plugin type %s is not registered; call dusk.RegisterPlugin[%s](name) at package level", t, t.Name())
	}
	cfg, err := codec.Encode(v)
	if err != nil {
		return fmt.Errorf("dusk: encoding plugin %s: %w", name, err)
	}
	reply, err := c.sched.RegisterPlugin(ctx, &pb.PluginRequest{Name: name, Config: cfg})
	if err != nil {
		return wire.Explain(err, "scheduler "+c.addr)
	}
	if len(reply.GetErrors()) > 0 {
		return &PluginError{Plugin: name, Refused: reply.GetErrors()}
	}
	return nil
}
