package state

import (
	"fmt"
	"maps"
	"slices"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/task"
)

// handleGraph adds a client's tasks and marks the keys it wants.
func (s *State) handleGraph(e *GraphSubmitted) {
	c := s.client(e.Client)
	s.generation++
	var created []*Task
	if len(e.Tasks) > 0 {
		created = make([]*Task, 0, len(e.Tasks))
	}
	if n := len(e.Tasks); n >= 4096 && n > len(s.tasks) {
		// A map grown one key at a time splits its tables again and
		// again as a big graph goes in: make it once at the size.
		m := make(map[graph.Key]*Task, len(s.tasks)+n)
		for k, t := range s.tasks {
			m[k] = t
		}
		s.tasks = m
		s.handles.reserve(n)
	}
	var g *Group
	var slab taskSlab
	slab.reset(len(e.Tasks))
	var held []*Task // with More: the part's tasks that existed before
	for i, spec := range e.Tasks {
		if t, ok := s.tasks[spec.Key]; ok {
			slab.left--
			if e.More {
				held = append(held, t)
			}
			continue // the same key is the same computation: keep what exists
		}
		t := slab.next()
		t.Key, t.Spec, t.queueAt, t.retriesLeft = spec.Key, spec, -1, int32(spec.Retries)
		order := i
		if e.Order != nil {
			o, ok := e.Order[spec.Key]
			if !ok {
				o = len(e.Order) + i
			}
			order = o
		}
		t.prio = graph.Priority{User: -int32(spec.Priority), Generation: s.generation, Order: int64(order)}
		// Tasks of one kind usually come together: reuse the last group.
		if g == nil || g.Name != spec.Key.Prefix() {
			g = s.group(spec.Key)
		}
		t.group = g
		t.group.Count++
		t.group.ByState[Released]++
		s.tasks[spec.Key] = t
		s.handles.add(t)
		created = append(created, t)
	}
	// Link dependencies once every new task exists, so a graph may list
	// its tasks in any order.
	var missing []*Task
	inner := false // some new task depends on another new one
	refs := s.refBuf[:0]
	var links linkSlab
	inOrder := newTaskCursor(created)
	for _, t := range created {
		refs = t.Spec.AppendRefs(refs[:0])
		if t.Spec.Encoded != nil {
			// The arguments served only to find the dependencies, linked
			// below; the worker gets the task as the client encoded it.
			// A million-task graph's arguments (literals, lists of
			// references) are hundreds of megabytes the scheduler need
			// not hold.
			t.Spec.Args = nil
		}
		if len(refs) == 0 {
			continue
		}
		// A key named twice is one dependency: the dependency carries
		// the mark of the task being linked (no set per task).
		s.nextLinkMark()
		t.deps = links.next(len(refs))
		for _, k := range refs {
			d := inOrder.find(k)
			if d == nil {
				d = s.tasks[k]
			}
			if d == nil {
				t.err = &task.TaskError{Kind: task.ErrLost, Key: string(t.Key), Func: t.Spec.Func,
					Message: fmt.Sprintf("depends on %s, which the scheduler does not know: its future was released or it was never submitted; keep the future alive until the graph that uses it is submitted", k)}
				missing = append(missing, t)
				continue
			}
			if d.linkMark == s.linkMark {
				continue
			}
			d.linkMark = s.linkMark
			t.deps = append(t.deps, d)
			d.dependents = append(d.dependents, t)
			inner = inner || d.prio.Generation == s.generation
			t.group.noteDep(d)
		}
	}
	s.refBuf = reuse(refs, reuseCap)
	if inner {
		missing = append(missing, s.breakCycles(created)...)
	}
	if len(s.orphans) > 0 {
		// Results workers kept through a restart of the scheduler.
		for _, t := range created {
			if t.err == nil {
				s.claimOrphan(t)
			}
		}
	}
	if s.coord != nil && len(s.coord.awaiting) > 0 {
		// Keys of restored named state, computed again by their client.
		for _, t := range created {
			if s.awaited(t.Key) {
				s.found(t)
				if t.State == Released && t.err == nil {
					s.recommend(t, Waiting)
				}
			}
		}
	}
	wanted := make([]*Task, 0, len(e.Wanted))
	inOrder = newTaskCursor(created)
	for _, k := range e.Wanted {
		t := inOrder.find(k)
		if t == nil {
			t = s.tasks[k]
		}
		if t == nil {
			s.emit(&KeyCancelled{Client: c.ID, Key: k, Reason: fmt.Sprintf("key %s is not known to the scheduler; it was released before this graph arrived", k)})
			continue
		}
		s.want(c, t)
		wanted = append(wanted, t)
	}
	for _, k := range e.Reclaim {
		switch t := s.tasks[k]; {
		case t != nil:
			s.want(c, t)
		case s.awaited(k):
			s.awaitKey(k, c.ID)
		default:
			s.emit(&KeyCancelled{Client: c.ID, Key: k, Reason: "lost: the scheduler restarted without the named state that held it (start the scheduler with scheduler.state-directory to keep it)"})
		}
	}
	for _, t := range missing {
		s.recommend(t, Erred)
	}
	for _, t := range wanted {
		if t.State == Released {
			s.recommend(t, Waiting)
		}
	}
	if e.More {
		held = append(held, created...)
		s.holdPart(c, e.PartOf, held)
	}
	s.apply()
	if e.PartOf != 0 && !e.More {
		// The graph's last part: what its earlier parts computed is now
		// needed by this part's tasks, or wanted, or by nothing.
		s.dropPart(c, e.PartOf)
	}
	// Tasks of the graph that no wanted key needs are dropped.
	for _, t := range created {
		switch {
		case t.State == Released && s.canForget(t):
			s.recommend(t, Forgotten)
		case t.State == Memory && !t.needed():
			s.releaseUnneeded(t) // a claimed orphan nothing needs
		}
	}
}

// want records that client c holds a future for t, and tells it at once if
// the result is already known.
func (s *State) want(c *Client, t *Task) {
	if t.wantIndex(c) >= 0 {
		return
	}
	c.addWant(t)
	switch t.State {
	case Memory:
		s.emit(&KeyInMemory{Client: c.ID, Key: t.Key, NBytes: t.NBytes, Type: t.TypeName, Workers: t.WhoHas()})
	case Erred:
		s.emit(&KeyErred{Client: c.ID, Key: t.Key, Err: t.err})
	}
}

// unwant drops client c's interest in t and releases t if nobody needs it.
func (s *State) unwant(c *Client, t *Task) {
	i := t.wantIndex(c)
	if i < 0 {
		return
	}
	c.dropWant(t, i)
	s.releaseIfUnneeded(t)
}

// holdPart keeps the tasks of a part of client c's graph part until the
// graph's last part is in, and starts those not yet computed.
func (s *State) holdPart(c *Client, part uint64, ts []*Task) {
	if c.parts == nil {
		c.parts = map[uint64][]*Task{}
	}
	for _, t := range ts {
		t.partHolds++
		if t.State == Released && t.err == nil {
			s.recommend(t, Waiting)
		}
	}
	c.parts[part] = append(c.parts[part], ts...)
}

// dropPart lets go of what the earlier parts of client c's graph part
// held.
func (s *State) dropPart(c *Client, part uint64) {
	ts := c.parts[part]
	delete(c.parts, part)
	for _, t := range ts {
		t.partHolds--
		s.releaseIfUnneeded(t)
	}
}

// releaseIfUnneeded releases t, or forgets it, when nothing needs it any
// more.
func (s *State) releaseIfUnneeded(t *Task) {
	if t.needed() {
		return
	}
	switch t.State {
	case Released, Erred:
		if s.canForget(t) {
			s.recommend(t, Forgotten)
		} else if t.State == Erred {
			s.releaseUnneeded(t)
		}
	default:
		s.releaseUnneeded(t)
	}
}

func (s *State) handleKeysReleased(e *KeysReleased) {
	c := s.clients[e.Client]
	if c == nil {
		return
	}
	for _, k := range e.Keys {
		if t := s.tasks[k]; t != nil {
			s.unwant(c, t)
		}
	}
}

func (s *State) handleKeysCancelled(e *KeysCancelled) {
	c := s.clients[e.Client]
	if c == nil {
		return
	}
	for _, k := range e.Keys {
		t := s.tasks[k]
		if t == nil {
			continue
		}
		if t.wantIndex(c) < 0 {
			continue
		}
		s.emit(&KeyCancelled{Client: c.ID, Key: k, Reason: "cancelled"})
		s.unwant(c, t)
	}
}

func (s *State) handleClientRemoved(e *ClientRemoved) {
	c := s.clients[e.ID]
	if c == nil {
		return
	}
	s.coordClientRemoved(e.ID)
	s.awaitedClientRemoved(e.ID)
	for _, part := range slices.Sorted(maps.Keys(c.parts)) { // in order: the same actions every time
		s.dropPart(c, part)
	}
	wants := slices.Clone(c.wants)
	sortByPriority(wants)
	for _, t := range wants {
		s.unwant(c, t)
	}
	delete(s.clients, e.ID)
}

func (s *State) handleScattered(e *KeysScattered) {
	c := s.client(e.Client)
	for _, sk := range e.Keys {
		t := s.tasks[sk.Key]
		if t == nil {
			t = s.dataTask(sk.Key)
			if s.awaited(sk.Key) {
				s.found(t) // scattered data that restored named state holds
			}
			// Scattered data declared again by its client after a
			// restart of the scheduler: its workers registered it.
			if s.orphans[sk.Key] != nil && s.claimOrphan(t) {
				s.want(c, t)
				continue
			}
		}
		if t.State.active() {
			// The data replaces the computation. What the release
			// recommends (computing it again, or forgetting it) is stale
			// once the task is in memory.
			s.transition(t, Released, nil)
		}
		t.NBytes, t.TypeName = sk.NBytes, sk.Type
		added := false
		for _, id := range sk.Workers {
			if w := s.workers[id]; w != nil {
				t.addHolder(w)
				added = true
			}
		}
		if added && t.State != Memory {
			s.transition(t, Memory, nil)
		}
		s.want(c, t)
		if t.State != Memory {
			t.err = &task.TaskError{Kind: task.ErrLost, Key: string(sk.Key), Message: "scattered to workers that are no longer connected; scatter it again"}
			s.recommend(t, Erred)
		}
	}
}

// sortedList returns a copy of ts in priority order.
func sortedList(ts []*Task) []*Task {
	out := slices.Clone(ts)
	sortByPriority(out)
	return out
}

func sortByPriority(ts []*Task) {
	slices.SortFunc(ts, func(a, b *Task) int {
		switch {
		case a.prio.Less(b.prio):
			return -1
		case b.prio.Less(a.prio):
			return 1
		}
		if a.Key < b.Key {
			return -1
		}
		if a.Key > b.Key {
			return 1
		}
		return 0
	})
}

// nextLinkMark moves on to the mark of the next task linked. When the
// marks wrap around (after four billion tasks linked), every task's mark
// is cleared, so that an old mark is never taken for the new one.
func (s *State) nextLinkMark() {
	if s.linkMark++; s.linkMark == 0 {
		for _, t := range s.tasks {
			t.linkMark = 0
		}
		s.linkMark = 1
	}
}

// taskCursor finds keys among a graph's new tasks without a probe of the
// task map (at a million keys each probe is a cache miss or two), when
// they come as graphs usually name them: in the order of the tasks (a
// merge's inputs, a chain's links, the wanted keys, which may skip a
// task between two), or the same key again (a fan-out's input). A key it
// does not find may still be known: look it up.
type taskCursor struct {
	tasks []*Task
	next  int   // the task after the last found in order
	last  *Task // the last found
}

func newTaskCursor(tasks []*Task) taskCursor { return taskCursor{tasks: tasks} }

// find returns the new task with key k, if it is the last found, the
// next in order or the one after, or nil.
func (c *taskCursor) find(k graph.Key) *Task {
	if c.last != nil && c.last.Key == k {
		return c.last
	}
	for i := c.next; i < len(c.tasks) && i < c.next+2; i++ {
		if c.tasks[i].Key == k {
			c.last, c.next = c.tasks[i], i+1
			return c.last
		}
	}
	return nil
}
