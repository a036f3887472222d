package dusk_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/worker"
)

// recordPlugin records, by Tag, the workers it was set up and torn down on.
type recordPlugin struct{ Tag string }

var (
	pluginMu   sync.Mutex
	setups     = map[string][]string{} // tag -> worker addresses
	teardowns  = map[string][]string{}
	pluginInfo = map[string]*dusk.WorkerInfoForPlugin{} // tag/address -> info
)

func (p *recordPlugin) Setup(ctx context.Context, w *dusk.WorkerInfoForPlugin) error {
	pluginMu.Lock()
	defer pluginMu.Unlock()
	setups[p.Tag] = append(setups[p.Tag], w.Address)
	pluginInfo[p.Tag+"/"+w.Address] = w
	return nil
}

func (p *recordPlugin) Teardown(ctx context.Context, w *dusk.WorkerInfoForPlugin) error {
	pluginMu.Lock()
	defer pluginMu.Unlock()
	teardowns[p.Tag] = append(teardowns[p.Tag], w.Address)
	return nil
}

func recorded(m map[string][]string, tag string) []string {
	pluginMu.Lock()
	defer pluginMu.Unlock()
	out := slices.Clone(m[tag])
	slices.Sort(out)
	return out
}

// refusePlugin refuses every worker, as a plugin checking a worker's
// environment would.
type refusePlugin struct{ Reason string }

func (p refusePlugin) Setup(ctx context.Context, w *dusk.WorkerInfoForPlugin) error {
	return errors.New("this worker cannot run our tasks: " + p.Reason)
}

type unregisteredPlugin struct{}

func (unregisteredPlugin) Setup(context.Context, *dusk.WorkerInfoForPlugin) error { return nil }

func init() {
	dusk.RegisterPlugin[recordPlugin]("it.record-plugin")
	dusk.RegisterPlugin[refusePlugin]("it.refuse-plugin")
}

// A plugin is set up on every current worker and on workers that join
// later, and torn down when they close.
func TestWorkerPluginOnCurrentAndLaterWorkers(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(2), dusk.LocalResources(map[string]float64{"MEM": 4}))
	tag := uniq(t)
	addrs := workerAddrs(t, ctx, c)
	if err := c.RegisterWorkerPlugin(ctx, &recordPlugin{Tag: tag}); err != nil {
		t.Fatal(err)
	}
	if got := recorded(setups, tag); !slices.Equal(got, addrs) {
		t.Fatalf("plugin set up on %v; want every worker %v", got, addrs)
	}
	pluginMu.Lock()
	info := pluginInfo[tag+"/"+addrs[0]]
	pluginMu.Unlock()
	if info == nil || info.Address != addrs[0] || info.NThreads != 2 || info.Resources["MEM"] != 4 || !strings.HasPrefix(info.Name, "worker-") {
		t.Errorf("the plugin saw worker info %+v", info)
	}

	late := "late-" + tag
	startWorker(t, c, late, 1, nil)
	var lateAddr string
	waitUntil(t, ctx, "the late worker joins", func() bool {
		ws, err := c.Workers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if w.Name == late {
				lateAddr = w.Address
				return true
			}
		}
		return false
	})
	if got := recorded(setups, tag); !slices.Contains(got, lateAddr) || len(got) != 3 {
		t.Fatalf("plugin set up on %v; want the late worker %s too", got, lateAddr)
	}
	// Work runs on the late worker after its setup.
	f, err := dusk.Submit[int](ctx, c, fInc.With(dusk.Workers(late)), 1)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 2 {
		t.Fatalf("on the late worker: %v, %v", v, err)
	}

	// Closing the cluster tears the plugin down on its workers.
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if got := recorded(teardowns, tag); !slices.Contains(got, a) {
			t.Errorf("plugin not torn down on %s (torn down on %v)", a, got)
		}
	}
}

// Registering a plugin again under the same name replaces it on every
// worker: the new one is set up, and the old one torn down.
func TestWorkerPluginReplaced(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(2))
	addrs := workerAddrs(t, ctx, c)
	old, nu := uniq(t), uniq(t)
	if err := c.RegisterWorkerPlugin(ctx, &recordPlugin{Tag: old}); err != nil {
		t.Fatal(err)
	}
	if err := c.RegisterWorkerPlugin(ctx, recordPlugin{Tag: nu}); err != nil {
		t.Fatal(err)
	}
	if got := recorded(setups, nu); !slices.Equal(got, addrs) {
		t.Fatalf("the new plugin was set up on %v; want %v", got, addrs)
	}
	if got := recorded(teardowns, old); !slices.Equal(got, addrs) {
		t.Errorf("the replaced plugin was torn down on %v; want every worker %v (it is no longer installed, and whatever it holds leaks)", got, addrs)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if got := recorded(teardowns, nu); !slices.Equal(got, addrs) {
		t.Errorf("the new plugin was torn down on %v at close; want %v", got, addrs)
	}
}

// A plugin whose Setup fails refuses the workers: RegisterWorkerPlugin
// returns a *dusk.PluginError naming them and the reason, they leave, and
// a worker that joins later is refused too.
func TestWorkerPluginRefusesWorkers(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx, dusk.LocalWorkers(2))
	addrs := workerAddrs(t, ctx, c)
	err := c.RegisterWorkerPlugin(ctx, refusePlugin{Reason: "no CUDA driver"})
	var pe *dusk.PluginError
	if !errors.As(err, &pe) {
		t.Fatalf("RegisterWorkerPlugin = %v (%T); want a *dusk.PluginError", err, err)
	}
	if pe.Plugin != "it.refuse-plugin" || len(pe.Refused) != len(addrs) {
		t.Fatalf("PluginError = %+v; want both workers refused by it.refuse-plugin", pe)
	}
	for _, a := range addrs {
		if r, ok := pe.Refused[a]; !ok || !strings.Contains(r, "no CUDA driver") {
			t.Errorf("worker %s: refused = %q, %v", a, r, ok)
		}
		if !strings.Contains(err.Error(), a) {
			t.Errorf("error %q does not name worker %s", err, a)
		}
	}
	if !strings.Contains(err.Error(), "no CUDA driver") {
		t.Errorf("error %q does not give the reason", err)
	}
	waitUntil(t, ctx, "the refused workers leave", func() bool { return len(workerAddrs(t, ctx, c)) == 0 })

	// A worker that joins later is refused with the plugin's reason.
	w, err := worker.New(worker.Options{Scheduler: c.Scheduler(), Security: wire.Security{Token: c.Local().Token()},
		Name: "late", NThreads: 1, Logger: quietLogger(), Version: dusk.Version})
	if err != nil {
		t.Fatal(err)
	}
	runErr := w.Run(ctx)
	var refused *worker.RefusedError
	if !errors.As(runErr, &refused) || !strings.Contains(refused.Reason, "no CUDA driver") {
		t.Fatalf("a worker joining after the plugin: Run = %v; want it refused with the plugin's reason", runErr)
	}
}

func TestWorkerPluginUnregisteredType(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	err := c.RegisterWorkerPlugin(ctx, unregisteredPlugin{})
	checkMentions(t, err, "unregisteredPlugin", "not registered", "RegisterPlugin")
}
