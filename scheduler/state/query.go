package state

import (
	"github.com/dusk-go/dusk/graph"
)

// Task returns the task with key k, or nil.
func (s *State) Task(k graph.Key) *Task { return s.tasks[k] }

// EachTask calls f for every task the scheduler holds, in no particular
// order, until f returns false. Diagnostics use it (under the shell's lock)
// to draw small graphs; check NTasks first to bound the work.
func (s *State) EachTask(f func(*Task) bool) {
	for _, t := range s.tasks {
		if !f(t) {
			return
		}
	}
}

// NTasks returns how many tasks the scheduler holds.
func (s *State) NTasks() int { return len(s.tasks) }

// Worker returns the worker with ID id, or nil.
func (s *State) Worker(id string) *Worker { return s.workers[id] }

// Workers returns the connected workers in the order they joined. The
// slice must not be modified.
func (s *State) Workers() []*Worker { return s.wlist }

// TotalThreads returns the sum of the workers' threads.
func (s *State) TotalThreads() int { return s.totalThreads }

// Groups calls f for every task group.
func (s *State) Groups(f func(*Group)) {
	for _, g := range s.groups {
		f(g)
	}
}

// NQueued returns how many root tasks wait in the scheduler's queue.
func (s *State) NQueued() int { return s.queue.Len() }

// NUnrunnable returns how many tasks no worker can run now.
func (s *State) NUnrunnable() int { return len(s.unrunnable) }

// Counts returns how many tasks are in each state.
func (s *State) Counts() map[TaskState]int {
	out := make(map[TaskState]int)
	for _, t := range s.tasks {
		out[t.State]++
	}
	return out
}

// WhoHas returns, for each key in memory, the IDs of the workers holding it.
func (s *State) WhoHas(keys []graph.Key) map[graph.Key][]string {
	out := make(map[graph.Key][]string, len(keys))
	for _, k := range keys {
		if t := s.tasks[k]; t != nil && t.State == Memory {
			out[k] = t.WhoHas()
		}
	}
	return out
}

// InMemory returns the keys of every task in memory.
func (s *State) InMemory() []graph.Key {
	var out []graph.Key
	for k, t := range s.tasks {
		if t.State == Memory {
			out = append(out, k)
		}
	}
	return out
}

// CountByState returns how many tasks are in each state, from the task
// groups' counters: its cost grows with the number of task prefixes, not
// of tasks.
func (s *State) CountByState() map[TaskState]int {
	out := make(map[TaskState]int)
	for _, g := range s.groups {
		for st, n := range g.ByState {
			if n > 0 && TaskState(st) != Forgotten {
				out[TaskState(st)] += n
			}
		}
	}
	return out
}
