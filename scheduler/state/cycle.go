package state

import (
	"fmt"
	"strings"

	"github.com/dusk-go/dusk/task"
)

// A client's graph may not depend on itself: its tasks would wait for
// each other for ever and never be freed. Only tasks of the same
// submission can form a cycle (older tasks cannot depend on new keys), so
// handleGraph looks for cycles among the tasks it created, in time linear
// in them and their dependencies.

// maxCycleKeys bounds how many keys of a cycle an error spells out.
const maxCycleKeys = 10

// breakCycles finds the tasks of created that lie on dependency cycles,
// unlinks them from their dependencies and gives each the error that names
// its cycle; it returns them, to be erred (their dependents err with them).
func (s *State) breakCycles(created []*Task) []*Task {
	// Each task's walk field holds its colour while this runs: tasks of
	// earlier graphs, and those done, are 0 (cycles cannot go through an
	// earlier graph's tasks, which never depend on later ones).
	const (
		done = iota
		unseen
		onPath
	)
	for _, t := range created {
		t.walk = unseen
	}
	var cyclic []*Task
	type frame struct {
		t *Task
		i int // next dependency to visit
	}
	var path []frame
	for _, root := range created {
		if root.walk != unseen {
			continue
		}
		path = append(path[:0], frame{t: root})
		root.walk = onPath
		for len(path) > 0 {
			f := &path[len(path)-1]
			if f.i == len(f.t.deps) {
				f.t.walk = done
				path = path[:len(path)-1]
				continue
			}
			d := f.t.deps[f.i]
			f.i++
			switch c := d.walk; {
			case c == done:
			case c == unseen:
				d.walk = onPath
				path = append(path, frame{t: d})
			case c == onPath && d.err == nil:
				// The path from d to here is a cycle.
				start := len(path) - 1
				for path[start].t != d {
					start--
				}
				keys := make([]string, 0, len(path)-start)
				for _, p := range path[start:] {
					keys = append(keys, string(p.t.Key))
				}
				msg := cycleMessage(keys)
				for _, p := range path[start:] {
					if p.t.err == nil {
						p.t.err = &task.TaskError{Kind: task.ErrTask, Key: string(p.t.Key), Func: p.t.Spec.Func, Message: msg}
						cyclic = append(cyclic, p.t)
					}
				}
			}
		}
	}
	for _, t := range cyclic {
		s.unlinkDeps(t)
	}
	return cyclic
}

// cycleMessage names a cycle: each key depends on the next, the last on
// the first.
func cycleMessage(keys []string) string {
	shown := keys
	if len(shown) > maxCycleKeys {
		shown = shown[:maxCycleKeys]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the graph depends on itself: %s", strings.Join(shown, " -> "))
	if len(keys) > len(shown) {
		fmt.Fprintf(&b, " -> ... (%d keys)", len(keys))
	}
	fmt.Fprintf(&b, " -> %s; a task cannot wait for its own result", keys[0])
	return b.String()
}

// unlinkDeps drops t's links to its dependencies, both ways.
func (s *State) unlinkDeps(t *Task) {
	for _, d := range t.deps {
		for i, x := range d.dependents {
			if x == t {
				d.dependents = append(d.dependents[:i], d.dependents[i+1:]...)
				break
			}
		}
	}
	clear(t.deps) // it may share a block with live tasks' lists
	t.deps = nil
}
