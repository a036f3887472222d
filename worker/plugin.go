package worker

import (
	"context"
	"fmt"
	"reflect"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/task"
)

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
	var p task.Plugin
	if x, ok := ptr.Interface().(task.Plugin); ok {
		p = x
	} else if x, ok := ptr.Elem().Interface().(task.Plugin); ok {
		p = x
	} else {
		return fmt.Errorf("plugin %q (%s) has no Setup(context.Context, *task.WorkerInfo) error method", name, t)
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
	if t, ok := old.(task.Teardowner); ok {
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
		if t, ok := p.(task.Teardowner); ok {
			if err := t.Teardown(ctx, w.info()); err != nil {
				w.log.Warn("plugin teardown failed", "plugin", name, "err", err)
			}
		}
	}
	clear(w.plugins)
}
