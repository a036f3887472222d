package state

import (
	"maps"
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
)

// Snapshot copies what diagnostics need out of the state: task counts and
// workers. Its cost grows with the workers and task prefixes, not with
// the tasks.
func (s *State) Snapshot(now time.Time) *event.Snapshot {
	snap := &event.Snapshot{Time: now, Tasks: s.NTasks(), ByState: make(map[string]int), Prefixes: make(map[string]map[string]int)}
	for _, g := range s.groups {
		var by map[string]int
		for st, n := range g.ByState {
			if n > 0 && TaskState(st) != Forgotten {
				if by == nil {
					by = make(map[string]int)
					snap.Prefixes[g.Name] = by
				}
				by[TaskState(st).String()] = n
				snap.ByState[TaskState(st).String()] += n
			}
		}
	}
	ws := s.Workers()
	snap.Workers = make([]event.WorkerSnapshot, len(ws))
	for i, w := range ws {
		m := w.Metrics
		snap.Workers[i] = event.WorkerSnapshot{
			ID: w.ID, Address: w.Address, Name: w.Name, Threads: w.NThreads, Resources: maps.Clone(w.Resources),
			MemoryLimit: w.MemoryLimit, Status: w.Status.String(), NBytes: w.NBytes(), Processing: w.NProcessing(),
			Memory: event.MemorySample{Managed: m.Managed, Unmanaged: m.Unmanaged, Spilled: m.Spilled, Limit: w.MemoryLimit,
				CPU: m.CPU, Executing: m.Executing, Ready: m.Ready, Paused: m.Paused, BytesIn: m.BytesIn, BytesOut: m.BytesOut},
			Process: m.Process, UnmanagedRecent: m.UnmanagedRecent, SpilledDisk: m.SpilledDisk,
			SpilledKeys: m.SpilledKeys, SpillFailed: m.SpillFailed,
		}
	}
	return snap
}

// Graph copies the task graph for the dashboard's graph view if it has at
// most limit tasks; otherwise it gives only the number of tasks.
func (s *State) Graph(limit int) *event.Graph {
	g := &event.Graph{Tasks: s.NTasks()}
	if g.Tasks > limit {
		return g
	}
	g.Nodes = make([]event.GraphNode, 0, g.Tasks)
	for _, t := range s.tasks {
		n := event.GraphNode{Key: string(t.Key), Fused: 1}
		for _, d := range t.deps {
			n.Deps = append(n.Deps, string(d.Key))
		}
		if t.Spec != nil {
			n.Fused = t.Spec.Fused
		}
		g.Nodes = append(g.Nodes, n)
	}
	return g
}
