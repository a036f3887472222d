package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/internal/incompressible"
	"github.com/dusk-go/dusk/worker/store"
)

// partSpec names a partition: Size bytes that do not compress, from Seed.
type partSpec = incompressible.Part

var (
	partFn  = dusk.Register("bench.memory.partition", incompressible.Bytes)
	crcFn   = dusk.Register("bench.memory.crc", incompressible.CRC)
	totalFn = dusk.Register("bench.memory.total", incompressible.Total)
)

// outOfCore persists o.data bytes on workers with o.limit each and reduces
// them, watching the worker processes' memory from here.
func outOfCore(ctx context.Context, o options) (outOfCoreResult, error) {
	dir, err := os.MkdirTemp(o.dir, "dusk-bench-memory-")
	if err != nil {
		return outOfCoreResult{}, err
	}
	defer os.RemoveAll(dir)
	c, err := dusk.Connect(ctx, "", dusk.LocalProcesses(), dusk.LocalWorkers(o.workers), dusk.LocalThreads(1),
		dusk.LocalMemoryLimit(o.limit), dusk.LocalDirectory(dir), dusk.LocalConfig(config.New()))
	if err != nil {
		return outOfCoreResult{}, err
	}
	defer c.Close()
	watch := watchProcesses(c.Local().PIDs)
	n := int(o.data / o.partition)
	specs := make([]partSpec, n)
	for i := range specs {
		specs[i] = partSpec{Seed: i, Size: int(o.partition)}
	}
	r := outOfCoreResult{Terminate: int64(0.95 * float64(o.limit))}
	start := time.Now()
	fail := func(err error) (outOfCoreResult, error) {
		r.Error = err.Error()
		r.Seconds = time.Since(start).Seconds()
		r.PeakRSS, r.Restarts = watch.stop()
		return r, nil
	}
	parts, err := persistParts(ctx, c, specs)
	if err != nil {
		return fail(err)
	}
	persisted := time.Now()
	if ws, err := c.Workers(ctx); err == nil {
		for _, w := range ws {
			r.Spilled += w.Memory.Spilled
		}
	}
	got, err := reduceParts(ctx, c, parts)
	if err != nil {
		return fail(err)
	}
	done := time.Now()
	r.PeakRSS, r.Restarts = watch.stop()
	r.Completed = true
	r.Seconds = done.Sub(start).Seconds()
	r.Persist = persisted.Sub(start).Seconds()
	r.Reduce = done.Sub(persisted).Seconds()
	r.Correct = got == expectedTotal(specs)
	if !r.Correct {
		r.Error = fmt.Sprintf("total %d is wrong", got)
	}
	return r, nil
}

// persistParts makes the partitions of specs on the workers and waits
// until they are all there (spilled where they do not fit).
func persistParts(ctx context.Context, c *dusk.Client, specs []partSpec) ([]*dusk.Future[[]byte], error) {
	parts, err := dusk.Map[[]byte](ctx, c, partFn, specs)
	if err != nil {
		return nil, err
	}
	return parts, dusk.Wait(ctx, parts...)
}

// reduceParts sums the partitions' checksums on the cluster.
func reduceParts(ctx context.Context, c *dusk.Client, parts []*dusk.Future[[]byte]) (uint64, error) {
	crcs, err := dusk.Map[uint32](ctx, c, crcFn, parts)
	if err != nil {
		return 0, err
	}
	total, err := dusk.Submit[uint64](ctx, c, totalFn, crcs)
	if err != nil {
		return 0, err
	}
	return total.Result(ctx)
}

// expectedTotal computes here, in parallel, what the cluster computed.
func expectedTotal(specs []partSpec) uint64 {
	var mu sync.Mutex
	var total uint64
	var wg sync.WaitGroup
	next := make(chan partSpec)
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				c := incompressible.CRC(incompressible.Bytes(p))
				mu.Lock()
				total += uint64(c)
				mu.Unlock()
			}
		}()
	}
	for _, p := range specs {
		next <- p
	}
	close(next)
	wg.Wait()
	return total
}

// processWatch samples the memory of a cluster's worker processes.
type processWatch struct {
	done  chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	peak  map[string]int64
	pids  map[string]map[int]bool
	names []string
}

// watchProcesses samples the processes pids returns, by worker name,
// every 20 ms until stop.
func watchProcesses(pids func() map[string]int) *processWatch {
	w := &processWatch{done: make(chan struct{}), peak: map[string]int64{}, pids: map[string]map[int]bool{}}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			for name, pid := range pids() {
				mem, err := store.ProcessMemory(pid)
				w.mu.Lock()
				if w.pids[name] == nil {
					w.pids[name] = map[int]bool{}
					w.names = append(w.names, name)
				}
				w.pids[name][pid] = true
				if err == nil && mem > w.peak[name] {
					w.peak[name] = mem
				}
				w.mu.Unlock()
			}
			select {
			case <-w.done:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// stop ends sampling and returns each worker's peak memory and the number
// of worker processes replaced.
func (w *processWatch) stop() (peaks []int64, restarts int) {
	close(w.done)
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, name := range sortedNames(w.names) {
		peaks = append(peaks, w.peak[name])
		restarts += len(w.pids[name]) - 1
	}
	return peaks, restarts
}

func sortedNames(ns []string) []string {
	out := slices.Clone(ns)
	slices.Sort(out)
	return out
}
