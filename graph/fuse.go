package graph

import (
	"maps"
	"slices"
)

// DefaultMaxHeight is the height a fused chain may reach when
// FuseOptions.MaxHeight is zero.
const DefaultMaxHeight = 128

// FuseOptions steer Fuse.
type FuseOptions struct {
	// MaxHeight bounds the nesting of calls in a fused task: a task made of
	// a chain of n plain tasks has height n. Zero or less means
	// DefaultMaxHeight; 1 turns fusion off.
	MaxHeight int
	// AveWidth, if positive, also fuses blockwise: a task absorbs several
	// dependencies that are each its alone (the block of a + b, whose
	// operands are chains of their own) when the fused tree stays narrow,
	// by Dask's ave_width rules (see fuseBlockwise; 1, Dask's default for
	// arrays, fuses two branches, not a reduction's wide combine). Zero
	// fuses linear chains only.
	AveWidth int
}

// Fuse returns a graph in which linear chains of tasks are fused into single
// tasks, saving the scheduler a round trip and a stored result per link.
//
// A task d is inlined into the task t that depends on it when all of these
// hold:
//
//  1. d is not in keep (the keys the client must see: outputs and keys held
//     by futures);
//  2. t is the only task of g that depends on d, d is the only task of g
//     that t depends on, and t refers to it once (t may refer to any number
//     of keys outside g; a task referred to several times is not inlined,
//     as each reference would carry a copy of the call);
//  3. d and t have equal Resources, Workers, AllowOtherWorkers, Retries and
//     Priority;
//  4. the fused task's height stays within opt.MaxHeight.
//
// Inlining replaces the reference to d in t's arguments, inside lists and
// nested calls too, with a nested call {d.Func, d.Args, d.Key}. The fused task keeps t's key and options, and
// its Fused field counts the original tasks it stands for. A chain
// x1 -> x2 -> ... -> xn of which only xn is kept becomes one task with key xn
// (or, when it is taller than MaxHeight, a few tasks, each as tall as
// allowed, counted from x1).
//
// Fuse changes neither g nor its tasks: fused tasks are new values, and the
// others are shared with g. It runs in time linear in the size of g, without
// recursion. On a graph with a cycle it terminates and the result still has
// a cycle (possibly a task that refers to itself), for Validate to report.
// The tasks of g must not be nil.
//
// A nested call stands for one task: an executor evaluates it once per run
// of the fused task (memoized by Call.Key).
func Fuse(g Graph, keep []Key, opt FuseOptions) Graph {
	out, changed := fuse(g, newIndex(g, true), keep, opt)
	if !changed {
		return maps.Clone(g)
	}
	return out
}

// fuse is Fuse with g's index (built for fusion); changed is false, and
// out nil, when there is nothing to fuse.
func fuse(g Graph, ix *index, keep []Key, opt FuseOptions) (out Graph, changed bool) {
	maxHeight := opt.MaxHeight
	if maxHeight <= 0 {
		maxHeight = DefaultMaxHeight
	}
	below, above := fusibleLinks(ix, keep)
	f := fuser{ix: ix, maxHeight: maxHeight, absorbed: make([]bool, len(ix.keys))}
	for bottom := range int32(len(ix.keys)) {
		if above[bottom] != -1 || below[bottom] == -1 {
			continue
		}
		// Collect the chain from its top (first to run) to bottom.
		f.chain = f.chain[:0]
		for i := bottom; i != -1; i = below[i] {
			f.chain = append(f.chain, i)
		}
		slices.Reverse(f.chain)
		f.fuseChain()
	}

	if f.nAbsorbed == 0 && len(f.fused) == 0 && opt.AveWidth <= 0 {
		return nil, false
	}
	out = subgraph(g, ix, len(ix.keys)-f.nAbsorbed, func(i int32) bool { return !f.absorbed[i] })
	for _, ft := range f.fused {
		out[ix.keys[ft.id]] = ft.task
	}
	if opt.AveWidth > 0 {
		out = fuseBlockwise(out, keep, maxHeight, opt.AveWidth)
	}
	return out, true
}

// fusibleLinks finds the tasks that rules 1 to 3 of Fuse allow to be
// inlined into their dependent. below[t] is the dependency t may absorb and
// above[d] the dependent d may be inlined into, -1 when there is none. As
// each task has at most one of each, the links form disjoint chains (and
// possibly cycles, in a graph that has them).
func fusibleLinks(ix *index, keep []Key) (below, above []int32) {
	n := int32(len(ix.keys))
	below = make([]int32, n)
	above = make([]int32, n)
	for i := range n {
		below[i], above[i] = -1, -1
	}
	// First above[d] is d's only dependent, -1 for none, -2 for several.
	for t := range n {
		for _, d := range ix.deps(t) {
			if above[d] == -1 {
				above[d] = t
			} else {
				above[d] = -2
			}
		}
	}
	for _, k := range keep {
		if i, ok := ix.ids.get(k); ok {
			above[i] = -1
		}
	}
	for d := range n {
		t := above[d]
		if t < 0 || t == d || ix.single[t] != d || !ix.once[t] ||
			// Most tasks set no option; only those that do need comparing.
			ix.options[d] != ix.options[t] || ix.options[d] && !sameOptions(ix.tasks[d], ix.tasks[t]) {
			above[d] = -1
			continue
		}
		below[t] = d
	}
	return below, above
}

// fuser holds the state of one Fuse call while it fuses chains.
type fuser struct {
	ix        *index
	maxHeight int
	chain     []int32 // the chain being fused, top first; reused
	absorbed  []bool
	nAbsorbed int
	fused     []fusedTask
	subst     substituter
}

// fusedTask is a task made by fusion and the id of the task it replaces.
type fusedTask struct {
	id   int32
	task *Task
}

// fuseChain cuts f.chain into segments no taller than f.maxHeight, greedily
// from the top, and fuses each segment into its bottom task.
func (f *fuser) fuseChain() {
	ix := f.ix
	first := 0
	height := int(ix.height[f.chain[0]])
	for j := 1; j < len(f.chain); j++ {
		t := f.chain[j]
		// t refers to the segment's result at call depth refDepth[t],
		// where the segment becomes a call of the given height.
		h := max(int(ix.height[t]), int(ix.refDepth[t])+height)
		if h > f.maxHeight {
			f.fuseSegment(f.chain[first:j])
			first, h = j, int(ix.height[t])
		}
		height = h
	}
	f.fuseSegment(f.chain[first:])
}

// fuseSegment inlines each task of seg (top first) into the next one and
// records the fused task under the id of the last.
func (f *fuser) fuseSegment(seg []int32) {
	if len(seg) < 2 {
		return
	}
	// Keys come from the graph, not from Task.Key: they are what
	// references name, even in a graph Validate would reject.
	ix := f.ix
	top := ix.tasks[seg[0]]
	inner := f.subst.mem.call(Call{Func: top.Func, Args: top.Args, Key: ix.keys[seg[0]]})
	count := fusedCount(top)
	// The tasks go in blocks: first their keys and fields are read (cache
	// misses that overlap), then they are fused one into the next.
	const block = 64
	var keys [block]Key
	var tasks [block]Task
	for lo := 1; lo < len(seg); lo += block {
		hi := min(lo+block, len(seg))
		for j := lo; j < hi; j++ {
			keys[j-lo], tasks[j-lo] = ix.keys[seg[j]], *ix.tasks[seg[j]]
		}
		for j := lo; j < hi; j++ {
			t := &tasks[j-lo]
			args := f.subst.replace(t.Args, inner.Key, Arg{Kind: ArgCall, Call: inner})
			count += fusedCount(t)
			if j < len(seg)-1 {
				inner = f.subst.mem.call(Call{Func: t.Func, Args: args, Key: keys[j-lo]})
				continue
			}
			nt := *t
			nt.Args = args
			nt.Fused = count
			f.fused = append(f.fused, fusedTask{seg[j], &nt})
		}
	}
	for _, i := range seg[:len(seg)-1] {
		f.absorbed[i] = true
	}
	f.nAbsorbed += len(seg) - 1
}

// fusedCount is the number of original tasks t stands for.
func fusedCount(t *Task) int {
	return max(t.Fused, 1)
}

// hasOptions reports whether t sets any option that steers scheduling.
func hasOptions(t *Task) bool {
	return t.Priority != 0 || t.Retries != 0 || t.AllowOtherWorkers ||
		len(t.Workers) > 0 || len(t.Resources) > 0
}

// sameOptions reports whether a and b agree on every option that steers
// scheduling, so that running them as one task changes nothing.
func sameOptions(a, b *Task) bool {
	return a.Priority == b.Priority &&
		a.Retries == b.Retries &&
		a.AllowOtherWorkers == b.AllowOtherWorkers &&
		slices.Equal(a.Workers, b.Workers) &&
		maps.Equal(a.Resources, b.Resources)
}

// substFrame is one level of a substitution: the arguments being read, the
// copy being written (nil until something changes) and how the copy is put
// back into its parent.
type substFrame struct {
	src  []Arg
	dst  []Arg
	i    int
	call *Call // the call whose Args src is; nil for a list or the top
}

// substituter replaces references to one key without recursion, copying
// only the slices on the path to a replaced reference. Its stack is reused.
type substituter struct {
	stack []substFrame
	mem   slab
}

// replace returns args with every reference to k replaced by with. args
// itself is never written; when it holds no reference to k it is returned
// as is.
func (s *substituter) replace(args []Arg, k Key, with Arg) []Arg {
	s.stack = append(s.stack[:0], substFrame{src: args})
	for {
		f := &s.stack[len(s.stack)-1]
		if f.i < len(f.src) {
			a := &f.src[f.i]
			f.i++
			switch {
			case a.Kind == ArgRef && a.Ref == k:
				f.set(&s.mem, f.i-1, with)
			case a.Kind == ArgList && len(a.List) > 0:
				s.stack = append(s.stack, substFrame{src: a.List})
			case a.Kind == ArgCall && a.Call != nil && len(a.Call.Args) > 0:
				s.stack = append(s.stack, substFrame{src: a.Call.Args, call: a.Call})
			}
			continue
		}
		// f is done: hand its result to the parent.
		done := *f
		s.stack = s.stack[:len(s.stack)-1]
		if len(s.stack) == 0 {
			if done.dst == nil {
				return done.src
			}
			return done.dst
		}
		if done.dst == nil {
			continue // unchanged: the parent keeps the original
		}
		parent := &s.stack[len(s.stack)-1]
		if done.call == nil {
			parent.set(&s.mem, parent.i-1, Arg{Kind: ArgList, List: done.dst})
		} else {
			c := *done.call
			c.Args = done.dst
			parent.set(&s.mem, parent.i-1, Arg{Kind: ArgCall, Call: s.mem.call(c)})
		}
	}
}

// set writes a into position i of the frame's copy, making the copy first.
func (f *substFrame) set(mem *slab, i int, a Arg) {
	if f.dst == nil {
		f.dst = mem.clone(f.src)
	}
	f.dst[i] = a
}

// slab hands out Calls and copies of argument slices carved from larger
// blocks, so that fusing a million tasks costs a few hundred allocations
// rather than two million. Blocks grow from 16 to maxSlab elements; what is
// handed out is never handed out again.
type slab struct {
	calls []Call
	args  []Arg
}

const maxSlab = 4096

// call returns a pointer to a new copy of c.
func (s *slab) call(c Call) *Call {
	if len(s.calls) == cap(s.calls) {
		s.calls = make([]Call, 0, min(max(16, 2*cap(s.calls)), maxSlab))
	}
	s.calls = append(s.calls, c)
	return &s.calls[len(s.calls)-1]
}

// clone returns a copy of args whose capacity ends with it, so that
// appending to it cannot overwrite a neighbour.
func (s *slab) clone(args []Arg) []Arg {
	if cap(s.args)-len(s.args) < len(args) {
		s.args = make([]Arg, 0, max(min(max(16, 2*cap(s.args)), maxSlab), len(args)))
	}
	lo := len(s.args)
	s.args = append(s.args, args...)
	return s.args[lo:len(s.args):len(s.args)]
}
