package graph

// This file holds the iterative walk over a task's arguments that the
// optimizations share.

// argFrame is one level of an argument walk: a slice of arguments, the next
// position in it and the number of calls that enclose it.
type argFrame struct {
	args  []Arg
	i     int
	depth int
}

// argWalker visits the references in arguments without recursion. Its stack
// is kept between walks so that walking many tasks allocates once.
type argWalker struct {
	stack []argFrame
}

// walk calls fn for every reference in args, in the order the references
// appear (depth first, lists and nested calls included), with the number of
// calls enclosing the reference: 1 for the task's own arguments, 2 inside a
// nested call, and so on. It returns the height of the call: 1 plus the
// deepest nesting of calls inside args. An ArgCall with a nil Call is skipped
// (Validate reports it).
func (w *argWalker) walk(args []Arg, fn func(k Key, depth int)) (height int) {
	height = 1
	w.stack = append(w.stack[:0], argFrame{args: args, depth: 1})
	for len(w.stack) > 0 {
		f := &w.stack[len(w.stack)-1]
		if f.i == len(f.args) {
			w.stack = w.stack[:len(w.stack)-1]
			continue
		}
		a := &f.args[f.i]
		f.i++
		switch a.Kind {
		case ArgRef:
			fn(a.Ref, f.depth)
		case ArgList:
			if len(a.List) > 0 {
				w.stack = append(w.stack, argFrame{args: a.List, depth: f.depth})
			}
		case ArgCall:
			if a.Call == nil {
				continue
			}
			d := f.depth + 1
			height = max(height, d)
			w.stack = append(w.stack, argFrame{args: a.Call.Args, depth: d})
		}
	}
	return height
}
