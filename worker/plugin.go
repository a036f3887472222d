package worker

import (
	"context"
	"fmt"
	"reflect"

	"github.com/dusk-go/dusk/codec"
)

// Info describes the worker a plugin is installed on.
type Info struct {
	ID          string
	Address     string
	Name        string
	NThreads    int
	Resources   map[string]float64
	MemoryLimit int64
}

// Plugin is code installed on every worker (Client.RegisterWorkerPlugin):
// Setup runs when it is installed on a worker, before the worker takes any
// task; an error from Setup refuses the worker, which leaves the cluster
// with that error. Plugin types are registered by name so that workers can
// build them (dusk.RegisterPlugin).
type Plugin interface {
	Setup(ctx context.Context, w *Info) error
}

// Teardowner is a Plugin that also cleans up when its worker closes or a
// plugin registered under the same name replaces it. If a plugin does not
// implement it, nothing runs then.
type Teardowner interface {
	Teardown(ctx context.Context, w *Info) error
}

// installPlugin builds a registered plugin from its encoded configuration
// and runs its Setup.
func (w *Worker) installPlugin(ctx context.Context, name string, config []byte) error {
	t, ok := w.reg.Plugin(name)
	if !ok {
		return fmt.Errorf("plugin type %q is not registered in this worker's binary; start workers from the same binary as the client", name)
	}
	ptr := reflect.New(t)
	if len(config) > 0 {
		v, err := codec.Decode(config, t)
		if err != nil {
			return fmt.Errorf("plugin %q: decoding its configuration: %w", name, err)
		}
		ptr.Elem().Set(v)
	}
	var p Plugin
	if x, ok := ptr.Interface().(Plugin); ok {
		p = x
	} else if x, ok := ptr.Elem().Interface().(Plugin); ok {
		p = x
	} else {
		return fmt.Errorf("plugin %q (%s) has no Setup(context.Context, *worker.Info) error method", name, t)
	}
	if err := p.Setup(ctx, w.info()); err != nil {
		return err
	}
	w.pluginsMu.Lock()
	old := w.plugins[name]
	w.plugins[name] = p
	w.pluginsMu.Unlock()
	// A plugin registered again under its name replaces the old one, which
	// is torn down.
	if t, ok := old.(Teardowner); ok {
		if err := t.Teardown(ctx, w.info()); err != nil {
			w.log.Warn("plugin teardown failed", "plugin", name, "err", err)
		}
	}
	return nil
}

func (w *Worker) teardownPlugins(ctx context.Context) {
	w.pluginsMu.Lock()
	defer w.pluginsMu.Unlock()
	for name, p := range w.plugins {
		if t, ok := p.(Teardowner); ok {
			if err := t.Teardown(ctx, w.info()); err != nil {
				w.log.Warn("plugin teardown failed", "plugin", name, "err", err)
			}
		}
	}
	clear(w.plugins)
}
