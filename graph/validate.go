package graph

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Errors Validate wraps, with the offending key, for a malformed task.
// Callers test for them with errors.Is.
var (
	// ErrNilTask: the graph maps a key to a nil task.
	ErrNilTask = errors.New("nil task")
	// ErrKeyMismatch: a task's Key field differs from its key in the graph.
	ErrKeyMismatch = errors.New("task key differs from its graph key")
	// ErrEmptyFunc: a task or a nested call names no function.
	ErrEmptyFunc = errors.New("empty function name")
	// ErrNilCall: an argument of kind ArgCall has no Call.
	ErrNilCall = errors.New("nested call argument without a call")
)

// CycleError reports tasks that depend on themselves through a cycle.
type CycleError struct {
	// Keys lists the cycle: each key depends on the next, and the last on
	// the first. It starts at the smallest key on the cycle.
	Keys []Key
}

// maxCycleKeys bounds how many keys of a cycle Error spells out.
const maxCycleKeys = 20

// Error lists the keys of the cycle (the first few when it is long).
func (e *CycleError) Error() string {
	var b strings.Builder
	b.WriteString("graph: dependency cycle: ")
	for i, k := range e.Keys {
		if i == maxCycleKeys {
			fmt.Fprintf(&b, " -> ... (%d keys)", len(e.Keys))
			return b.String()
		}
		if i > 0 {
			b.WriteString(" -> ")
		}
		fmt.Fprintf(&b, "%q", k)
	}
	if len(e.Keys) > 0 {
		fmt.Fprintf(&b, " -> %q", e.Keys[0])
	}
	return b.String()
}

// Validate checks that g can be run: every task is present under its own key
// and names a function (as does every nested call), and no task depends on
// itself, directly or through others. It returns nil for a valid graph. A
// malformed task is reported with an error wrapping ErrNilTask,
// ErrKeyMismatch, ErrEmptyFunc or ErrNilCall and naming its key; when
// several are malformed, the one with the smallest key is reported. A cycle
// is reported as a *CycleError. References to keys outside g are external
// data and are valid.
//
// Validate runs in time linear in the size of g, without recursion, and
// reports the same error for the same graph every time.
func (g Graph) Validate() error {
	return g.validate(func() *index { return newIndex(g, false) })
}

// validate is Validate with the index of g (built once the tasks are
// known not to be nil) from ix.
func (g Graph) validate(ix func() *index) error {
	var bad Key
	var badErr error
	var w nestWalker
	for k, t := range g {
		if badErr != nil && k >= bad {
			continue
		}
		if err := checkTask(&w, k, t); err != nil {
			bad, badErr = k, err
		}
	}
	if badErr != nil {
		return fmt.Errorf("graph: task %q: %w", bad, badErr)
	}
	if keys := findCycle(ix()); keys != nil {
		return &CycleError{Keys: keys}
	}
	return nil
}

// checkTask reports what is wrong with task t stored under key k.
func checkTask(w *nestWalker, k Key, t *Task) error {
	switch {
	case t == nil:
		return ErrNilTask
	case t.Key != k:
		return fmt.Errorf("%w: Key field is %q", ErrKeyMismatch, t.Key)
	case t.Func == "":
		return ErrEmptyFunc
	}
	return w.check(t.Args)
}

// nestWalker checks nested calls without recursion; its stack is reused.
type nestWalker struct {
	stack [][]Arg
}

// check reports the first nested call in args that is nil or names no
// function.
func (w *nestWalker) check(args []Arg) error {
	w.stack = append(w.stack[:0], args)
	for len(w.stack) > 0 {
		args := w.stack[len(w.stack)-1]
		w.stack = w.stack[:len(w.stack)-1]
		for i := range args {
			a := &args[i]
			switch a.Kind {
			case ArgList:
				w.stack = append(w.stack, a.List)
			case ArgCall:
				switch {
				case a.Call == nil:
					return ErrNilCall
				case a.Call.Func == "":
					if a.Call.Key != "" {
						return fmt.Errorf("%w in nested call %q", ErrEmptyFunc, a.Call.Key)
					}
					return fmt.Errorf("%w in a nested call", ErrEmptyFunc)
				}
				w.stack = append(w.stack, a.Call.Args)
			}
		}
	}
	return nil
}

// findCycle returns a cycle of the indexed graph, or nil if it has none. It
// peels off tasks whose dependencies are all peeled (Kahn's algorithm); the
// tasks left each depend on another task left, so following dependencies
// from the smallest of them must come back to a task already seen. The
// result depends on the graph only, not on the numbering.
func findCycle(ix *index) []Key {
	n := int32(len(ix.keys))
	// Dependents of each task, as a flat list like ix.dep.
	dstart := make([]int32, n+1)
	for _, d := range ix.dep {
		dstart[d+1]++
	}
	for i := range n {
		dstart[i+1] += dstart[i]
	}
	dependents := make([]int32, len(ix.dep))
	fill := slices.Clone(dstart[:n])
	for t := range n {
		for _, d := range ix.deps(t) {
			dependents[fill[d]] = t
			fill[d]++
		}
	}

	waiting := make([]int32, n) // dependencies not yet peeled
	var ready []int32
	for t := range n {
		waiting[t] = ix.start[t+1] - ix.start[t]
		if waiting[t] == 0 {
			ready = append(ready, t)
		}
	}
	peeled := int32(0)
	for len(ready) > 0 {
		d := ready[len(ready)-1]
		ready = ready[:len(ready)-1]
		peeled++
		for _, t := range dependents[dstart[d]:dstart[d+1]] {
			waiting[t]--
			if waiting[t] == 0 {
				ready = append(ready, t)
			}
		}
	}
	if peeled == n {
		return nil
	}

	start := int32(-1)
	for t := range n {
		if waiting[t] > 0 && (start == -1 || ix.keys[t] < ix.keys[start]) {
			start = t
		}
	}
	onPath := make([]int32, n) // position on the path + 1; 0: not on it
	var path []int32
	for t := start; ; {
		if p := onPath[t]; p > 0 {
			path = path[p-1:]
			break
		}
		path = append(path, t)
		onPath[t] = int32(len(path))
		for _, d := range ix.deps(t) {
			if waiting[d] > 0 {
				t = d
				break
			}
		}
	}
	// Start the cycle at its smallest key.
	low := 0
	for i, t := range path {
		if ix.keys[t] < ix.keys[path[low]] {
			low = i
		}
	}
	keys := make([]Key, 0, len(path))
	for _, t := range slices.Concat(path[low:], path[:low]) {
		keys = append(keys, ix.keys[t])
	}
	return keys
}
