package graph

import (
	"hash/maphash"
	"math"
	"math/bits"
	"slices"
)

// index numbers the tasks of a graph 0..n-1 and lists, for each task, the
// tasks of the graph it depends on. References to keys outside the graph
// (external data) are left out.
//
// On large graphs the cost is memory latency: a lookup in a Go map of a
// million string keys takes several dependent cache misses, and so does
// reaching a task's arguments through its pointer. So the index resolves
// keys with its own table (keyTable), and it works through the tasks in
// blocks, one pass per step over each block, so that the iterations of a
// pass do not depend on each other and the processor overlaps their
// misses. On the 1,000,000-task chain benchmark this is several times
// faster than a map lookup per reference.
type index struct {
	keys  []Key   // id -> key
	tasks []*Task // id -> task
	ids   keyTable
	// The dependencies of task i are dep[start[i]:start[i+1]]: each once,
	// in the order they first appear in the task's arguments.
	start []int32
	dep   []int32
	// single[i] is the only dependency of task i, or -1 when it has none
	// or several. Long paths in graphs are mostly made of such links, and
	// following one this way costs one cache miss rather than two.
	single []int32

	// Filled only for fusion (see newIndex): the height of each task's call
	// (1 without nested calls), the deepest nesting of calls at which it
	// refers to a task of the graph (0 when it refers to none), and whether
	// it sets any scheduling option (Resources, Workers and so on).
	height   []int32
	refDepth []int32
	options  []bool
	// once[i]: task i refers to its single dependency exactly once. Only
	// then may fusion inline it: a call inlined at several places would be
	// written out at each on the wire, doubling with every level of a
	// chain like x(i+1) = f(x(i), x(i)).
	once []bool
}

// blockSize is how many tasks (or keys) the index handles per pass.
const blockSize = 256

// newIndex indexes g, numbering its tasks in the iteration order of g. With
// fusion set, it also fills height, refDepth and options. The tasks of g
// must not be nil.
func newIndex(g Graph, fusion bool) *index {
	n := len(g)
	if n >= math.MaxInt32 {
		panic("graph: too many tasks to index")
	}
	ix := &index{
		keys:   make([]Key, 0, n),
		tasks:  make([]*Task, 0, n),
		start:  make([]int32, n+1),
		dep:    make([]int32, 0, n),
		single: make([]int32, n),
	}
	if fusion {
		ix.height = make([]int32, n)
		ix.refDepth = make([]int32, n)
		ix.options = make([]bool, n)
		ix.once = make([]bool, n)
	}
	for k, t := range g {
		ix.keys = append(ix.keys, k)
		ix.tasks = append(ix.tasks, t)
	}
	ix.ids.build(ix.keys)
	var l linker
	for lo := 0; lo < n; lo += blockSize {
		l.link(ix, lo, min(lo+blockSize, n))
	}
	return ix
}

// linker fills the dependency lists of an index one block of tasks at a
// time. Its buffers are reused from block to block.
type linker struct {
	args   [blockSize][]Arg
	refs   []Key   // references of the block's tasks, in order
	depth  []int32 // call depth of each reference
	ends   [blockSize]int
	ids    []int32 // id of each reference, -1 outside the graph
	mark   []int32 // for tasks with many references; see link
	walker argWalker
}

// link fills start, dep and single (and, for fusion, the other per-task
// fields) for tasks lo..hi-1, which must come right after those already
// linked.
func (l *linker) link(ix *index, lo, hi int) {
	fusion := ix.height != nil
	// Read the argument slices (a cache miss per task, all independent),
	// then gather the references in argument order.
	for i := lo; i < hi; i++ {
		t := ix.tasks[i]
		l.args[i-lo] = t.Args
		if fusion {
			ix.options[i] = hasOptions(t)
		}
	}
	l.refs, l.depth = l.refs[:0], l.depth[:0]
	visit := func(k Key, d int) {
		l.refs = append(l.refs, k)
		l.depth = append(l.depth, int32(d))
	}
	for i := lo; i < hi; i++ {
		height := 1
		args := l.args[i-lo]
		for j := range args {
			switch args[j].Kind {
			case ArgRef:
				visit(args[j].Ref, 1)
			case ArgList, ArgCall:
				height = max(height, l.walker.walk(args[j:j+1], visit))
			}
		}
		if fusion {
			ix.height[i] = int32(height)
		}
		l.ends[i-lo] = len(l.refs)
	}
	clear(l.args[:hi-lo])

	l.ids = ix.ids.lookupAll(l.refs, l.ids)
	clear(l.refs) // drop the strings for the collector

	// Keep each task's distinct dependencies in the graph. For tasks with
	// many references, mark[d] == i+1 when d is already listed for task
	// i; for the others a scan of the list so far is cheaper than a cache
	// miss.
	j := 0
	for i := lo; i < hi; i++ {
		first := len(ix.dep)
		inGraph := 0 // references to tasks of the graph, repeats counted
		end := l.ends[i-lo]
		many := end-j > 16
		if many && l.mark == nil {
			l.mark = make([]int32, len(ix.keys))
		}
		for ; j < end; j++ {
			d := l.ids[j]
			if d < 0 {
				continue
			}
			inGraph++
			if fusion {
				ix.refDepth[i] = max(ix.refDepth[i], l.depth[j])
			}
			if many {
				if l.mark[d] == int32(i)+1 {
					continue
				}
				l.mark[d] = int32(i) + 1
			} else if slices.Contains(ix.dep[first:], d) {
				continue
			}
			ix.dep = append(ix.dep, d)
		}
		if len(ix.dep) >= math.MaxInt32 {
			panic("graph: too many dependencies to index")
		}
		ix.start[i+1] = int32(len(ix.dep))
		ix.single[i] = -1
		if len(ix.dep)-first == 1 {
			ix.single[i] = ix.dep[first]
			if fusion {
				ix.once[i] = inGraph == 1
			}
		}
	}
}

// deps returns the ids of the tasks task i depends on. The slice aliases the
// index and must not be modified.
func (ix *index) deps(i int32) []int32 {
	return ix.dep[ix.start[i]:ix.start[i+1]]
}

// keyTable maps the keys of an index to their ids: open addressing with
// linear probing in a power-of-two array at most half full. A slot holds the
// high 32 bits of the key's hash and id+1; 0 marks an empty slot. The seed
// is random, so crafted keys cannot make probes long.
type keyTable struct {
	seed  maphash.Seed
	mask  uint64
	slots []uint64
	keys  []Key
}

const tagMask = ^uint64(math.MaxUint32)

// build fills the table with keys, which must be distinct; a key's id is
// its position.
func (t *keyTable) build(keys []Key) {
	size := uint64(1) // at least one empty slot, so that probes end
	if len(keys) > 0 {
		size <<= bits.Len(uint(2*len(keys) - 1)) // at least 2*len(keys)
	}
	t.seed = maphash.MakeSeed()
	t.mask = size - 1
	t.slots = make([]uint64, size)
	t.keys = keys
	// Hash a block of keys, then insert it: the key bytes are scattered in
	// memory, and independent loads overlap.
	var hashes [blockSize]uint64
	for lo := 0; lo < len(keys); lo += blockSize {
		block := keys[lo:min(lo+blockSize, len(keys))]
		for i, k := range block {
			hashes[i] = maphash.String(t.seed, string(k))
		}
		for i, h := range hashes[:len(block)] {
			s := h & t.mask
			for t.slots[s] != 0 {
				s = (s + 1) & t.mask
			}
			t.slots[s] = h&tagMask | uint64(lo+i+1)
		}
	}
}

// get returns the id of k, or false when k is not in the table.
func (t *keyTable) get(k Key) (int32, bool) {
	id := t.probe(maphash.String(t.seed, string(k)), k)
	return id, id >= 0
}

// probe returns the id of k, whose hash is h, or -1.
func (t *keyTable) probe(h uint64, k Key) int32 {
	tag := h & tagMask
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s == 0 {
			return -1
		}
		if s&tagMask == tag {
			id := int32(uint32(s)) - 1
			if t.keys[id] == k {
				return id
			}
		}
	}
}

// lookupAll stores the id of each of keys, -1 for those not in the table,
// in ids (reallocated when too short) and returns it. Like build, it
// hashes a block of keys before probing for them.
func (t *keyTable) lookupAll(keys []Key, ids []int32) []int32 {
	ids = slices.Grow(ids[:0], len(keys))[:len(keys)]
	var hashes [blockSize]uint64
	for lo := 0; lo < len(keys); lo += blockSize {
		block := keys[lo:min(lo+blockSize, len(keys))]
		for i, k := range block {
			hashes[i] = maphash.String(t.seed, string(k))
		}
		for i, h := range hashes[:len(block)] {
			ids[lo+i] = t.probe(h, block[i])
		}
	}
	return ids
}
