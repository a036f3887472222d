package dusk

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dusk-go/dusk/registry"
	"github.com/dusk-go/dusk/wire/pb"
)

// workerFuncs is what the client knows of the functions its workers have,
// to refuse at submit time a task no worker could run.
type workerFuncs struct {
	at      time.Time
	workers int
	sigs    map[string]map[string][]string // function -> signature -> worker addresses
}

// refreshWorkerFuncs asks the scheduler which functions its workers have.
func (c *Client) refreshWorkerFuncs(ctx context.Context) error {
	id, err := c.sched.Identity(ctx, &pb.IdentityRequest{})
	if err != nil {
		return err
	}
	wf := &workerFuncs{at: time.Now(), workers: len(id.GetWorkers()), sigs: map[string]map[string][]string{}}
	for _, w := range id.GetWorkers() {
		for _, e := range w.GetRegistry() {
			m := wf.sigs[e.GetName()]
			if m == nil {
				m = map[string][]string{}
				wf.sigs[e.GetName()] = m
			}
			m[e.GetSignature()] = append(m[e.GetSignature()], w.GetAddress())
		}
	}
	c.mu.Lock()
	c.wfuncs = wf
	c.mu.Unlock()
	return nil
}

// checkRunnable reports an error when the connected workers cannot run f:
// none has it, or they have it with another signature (a different
// build). The view of the workers is refreshed before an error is given.
func (c *Client) checkRunnable(f *registry.Func) error {
	err := c.runnable(f)
	if err == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c.refreshWorkerFuncs(ctx) != nil {
		return nil // cannot tell; the worker will report it
	}
	return c.runnable(f)
}

func (c *Client) runnable(f *registry.Func) error {
	c.mu.Lock()
	wf := c.wfuncs
	c.mu.Unlock()
	if wf == nil || wf.workers == 0 {
		return nil // no workers yet: nothing to compare with
	}
	sigs := wf.sigs[f.Name()]
	if len(sigs) == 0 {
		return fmt.Errorf("function %s %s is not registered on any of the %d workers: they run another binary; start workers from this program's binary (call dusk.Main() first in main and use dusk.LocalProcesses, or run your binary as the worker)",
			f.Name(), f.Signature(), wf.workers)
	}
	if _, ok := sigs[f.Signature()]; ok {
		return nil
	}
	var others []string
	for sig, addrs := range sigs {
		others = append(others, fmt.Sprintf("%s on %s", sig, strings.Join(addrs, ", ")))
	}
	sort.Strings(others)
	return fmt.Errorf("function %s is %s here but %s: the workers run a different build; rebuild them from the same source",
		f.Name(), f.Signature(), strings.Join(others, "; "))
}
