package state

// slabSize is the most task records (and dependency links) allocated in
// one block. A graph's tasks are allocated together, in blocks of up to
// slabSize, so that a million-task graph is a few hundred objects for the
// garbage collector instead of a million; a block lives while any of its
// tasks does, so the most memory one live task can keep is one block
// (about 80 KB of records).
const slabSize = 256

// taskSlab hands out the task records of one graph in blocks.
type taskSlab struct {
	block []Task
	left  int // records of the graph not yet handed out
}

// reset prepares the slab for a graph of n new tasks at most.
func (sl *taskSlab) reset(n int) { sl.block, sl.left = nil, n }

// next returns a zero task record.
func (sl *taskSlab) next() *Task {
	if len(sl.block) == 0 {
		n := min(max(sl.left, 1), slabSize)
		sl.block = make([]Task, n)
	}
	t := &sl.block[0]
	sl.block = sl.block[1:]
	sl.left--
	return t
}

// linkSlab hands out the dependency lists of one graph's tasks, carved
// from shared blocks; each list has the capacity asked for, so an append
// past it moves the list out of the block.
type linkSlab struct{ block []*Task }

// next returns an empty list with room for n dependencies.
func (sl *linkSlab) next(n int) []*Task {
	if n > slabSize/4 {
		return make([]*Task, 0, n)
	}
	if len(sl.block) < n {
		sl.block = make([]*Task, slabSize)
	}
	l := sl.block[:0:n]
	sl.block = sl.block[n:]
	return l
}

// firstSlots hands out lists with room for one element, and their
// places beside them, carved from shared blocks: most tasks have one
// holder and one client wanting them, and a million tasks' lists would
// otherwise be millions of tiny objects. A second element moves a list
// out of the block (its capacity is one).
type firstSlots[T any] struct {
	refs   []T
	places []int32
}

// next returns two empty lists with room for one element each.
func (f *firstSlots[T]) next() ([]T, []int32) {
	if len(f.refs) == 0 {
		f.refs, f.places = make([]T, slabSize), make([]int32, slabSize)
	}
	a, b := f.refs[:0:1], f.places[:0:1]
	f.refs, f.places = f.refs[1:], f.places[1:]
	return a, b
}

// spill moves a full list of one element out of its block before a
// second is added, and clears its place there, which would otherwise
// keep that element (a worker, a client) alive for as long as the block.
func spill[T any](l []T) []T {
	if len(l) != 1 || cap(l) != 1 {
		return l
	}
	g := make([]T, 1, 4)
	g[0] = l[0]
	clear(l)
	return g
}
