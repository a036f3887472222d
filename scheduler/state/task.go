package state

import (
	"slices"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/task"
)

// Task is the scheduler's record of one task. Its fields are ordered by
// size (pointers and slices, then 4-byte counters and places, then
// bytes), so that a million of them waste no padding.
type Task struct {
	Key  graph.Key
	Spec *graph.Task // nil for scattered data: it cannot be recomputed

	group      *Group
	deps       []*Task
	dependents []*Task

	wantedBy []*Client // clients holding futures for the task
	// wantAt[i] is the task's place in wantedBy[i].wants.
	wantAt []int32
	whoHas []*Worker // workers holding its data
	// heldAt[i] is the task's place in whoHas[i].has.
	heldAt []int32

	processingOn *Worker
	estimate     float64 // seconds added to processingOn's occupancy

	NBytes   int64
	TypeName string

	prio     graph.Priority
	killedOn []death // the workers that died while it executed there
	err      *task.TaskError

	// nWaiting counts deps not in memory, while the task waits.
	nWaiting int32
	// nWaiters counts dependents that are active (will need this data).
	nWaiters int32
	// deadDependents counts forgotten tasks still in dependents.
	deadDependents int32
	// partHolds counts the graphs sent in parts, their last part not yet
	// in, that hold the task (see GraphSubmitted.PartOf).
	partHolds   int32
	procAt      int32 // its place in processingOn.processing
	retriesLeft int32
	suspicious  int32 // workers that died while it executed there
	missing     int32 // times a worker could not fetch one of its inputs
	queueAt     int32 // its place in the queue of root tasks (see taskQueue); -1 when not queued
	place       int32 // its place in the table of handles (see handles)
	// linkMark is State.linkMark when the task was last found among the
	// inputs of the task being linked (handleGraph): a repeat is skipped.
	linkMark uint32

	State TaskState
	// moving is the move the table's handler is making, while it runs
	// (see transition); 0 otherwise.
	moving    move
	executing bool // the worker said it started
	// speculative: sent to processingOn before all its inputs were in
	// memory, because the missing ones are being computed there; the
	// worker starts it the moment they are done, without a round trip
	// through the scheduler. nWaiting counts the missing inputs.
	speculative bool
	walk        uint8 // breakCycles' colour of the task, while it runs
	stalled     bool  // clients were told it cannot run now
}

// Deps returns the keys of the task's dependencies.
func (t *Task) Deps() []graph.Key {
	out := make([]graph.Key, len(t.deps))
	for i, d := range t.deps {
		out[i] = d.Key
	}
	return out
}

// WhoHas returns the IDs of the workers holding the task's data.
func (t *Task) WhoHas() []string {
	out := make([]string, len(t.whoHas))
	for i, w := range t.whoHas {
		out[i] = w.ID
	}
	return out
}

// holderIDs is WhoHas for actions: the list of a single holder is the
// worker's own (see Worker.alone), not a new one.
func (t *Task) holderIDs() []string {
	if len(t.whoHas) == 1 {
		return t.whoHas[0].alone
	}
	return t.WhoHas()
}

// Err returns why the task erred, or nil.
func (t *Task) Err() *task.TaskError { return t.err }

// ProcessingOn returns the ID of the worker running the task, or "".
func (t *Task) ProcessingOn() string {
	if t.processingOn == nil {
		return ""
	}
	return t.processingOn.ID
}

// Priority returns the task's priority.
func (t *Task) Priority() graph.Priority { return t.prio }

// needed reports whether anyone will read the task's data.
func (t *Task) needed() bool { return len(t.wantedBy) > 0 || t.nWaiters > 0 || t.partHolds > 0 }

func (t *Task) holdsOn(w *Worker) bool {
	for _, x := range t.whoHas {
		if x == w {
			return true
		}
	}
	return false
}

func (t *Task) addHolder(w *Worker) bool {
	if t.holdsOn(w) {
		return false
	}
	if cap(t.whoHas) == 0 {
		t.whoHas, t.heldAt = w.slots.next()
	} else {
		t.whoHas, t.heldAt = spill(t.whoHas), spill(t.heldAt)
	}
	t.whoHas = append(t.whoHas, w)
	t.heldAt = append(t.heldAt, w.addHeld(t))
	w.nbytes += t.NBytes
	return true
}

// setHeldAt records that t is at place i in w's list of held data.
func (t *Task) setHeldAt(w *Worker, i int32) {
	for j, x := range t.whoHas {
		if x == w {
			t.heldAt[j] = i
			return
		}
	}
}

func (t *Task) removeHolder(w *Worker) bool {
	for i, x := range t.whoHas {
		if x == w {
			at := t.heldAt[i]
			last := len(t.whoHas) - 1
			t.whoHas[i] = t.whoHas[last]
			t.heldAt[i] = t.heldAt[last]
			t.whoHas[last] = nil
			t.whoHas = t.whoHas[:last]
			t.heldAt = t.heldAt[:last]
			w.removeHeld(at)
			w.nbytes -= t.NBytes
			return true
		}
	}
	return false
}

func (t *Task) restricted() bool {
	return t.Spec != nil && (len(t.Spec.Resources) > 0 || len(t.Spec.Workers) > 0)
}

// Group gathers the tasks of one key prefix: their count and durations.
type Group struct {
	Name string
	// Count is the number of tasks of the group the scheduler knows.
	Count int
	// depKeys holds the distinct dependencies of the group's tasks, up to
	// five; more mark the group as not root-ish.
	depKeys  []*Task
	manyDeps bool

	durationSum   float64 // seconds, over finished tasks
	durationCount int
	nbytesSum     int64
	nbytesCount   int
	// ByState counts the group's tasks in each state.
	ByState [numStates]int
}

// Duration returns the mean duration of the group's finished tasks, in
// seconds, and whether any finished.
func (g *Group) Duration() (float64, bool) {
	if g.durationCount == 0 {
		return 0, false
	}
	return g.durationSum / float64(g.durationCount), true
}

func (g *Group) observe(seconds float64, nbytes int64) {
	// An exponentially weighted mean that keeps history bounded: after
	// 1000 observations old ones fade.
	if g.durationCount >= 1000 {
		g.durationSum *= 0.999
		g.durationCount--
		g.nbytesSum = g.nbytesSum * 999 / 1000
		g.nbytesCount--
	}
	g.durationSum += seconds
	g.durationCount++
	g.nbytesSum += nbytes
	g.nbytesCount++
}

func (g *Group) meanBytes() (int64, bool) {
	if g.nbytesCount == 0 {
		return 0, false
	}
	return g.nbytesSum / int64(g.nbytesCount), true
}

func (g *Group) noteDep(d *Task) {
	if g.manyDeps {
		return
	}
	for _, x := range g.depKeys {
		if x == d {
			return
		}
	}
	if len(g.depKeys) >= 4 {
		g.manyDeps = true
		g.depKeys = nil
		return
	}
	g.depKeys = append(g.depKeys, d)
}

// Client is a connected client and the tasks it holds futures for.
type Client struct {
	ID string
	// wants are the tasks it holds futures for, in no order; each task
	// knows its place (Task.wantAt beside Task.wantedBy), so that adding
	// and dropping one is O(1) without a map of a million tasks.
	wants []*Task
	// slots are the first places of the tasks' lists of clients.
	slots firstSlots[*Client]
	// parts are the tasks each of its graphs being sent in parts holds
	// until its last part is in, by the graph's number.
	parts map[uint64][]*Task
}

// wantIndex returns where c is in t.wantedBy, or -1.
func (t *Task) wantIndex(c *Client) int {
	for i, x := range t.wantedBy {
		if x == c {
			return i
		}
	}
	return -1
}

// addWant records that c wants t (it did not).
func (c *Client) addWant(t *Task) {
	if cap(t.wantedBy) == 0 {
		t.wantedBy, t.wantAt = c.slots.next()
	} else {
		t.wantedBy, t.wantAt = spill(t.wantedBy), spill(t.wantAt)
	}
	t.wantedBy = append(t.wantedBy, c)
	t.wantAt = append(t.wantAt, int32(len(c.wants)))
	c.wants = append(c.wants, t)
}

// dropWant records that c no longer wants t, the i-th of t.wantedBy.
// t.wantedBy keeps its order (the clients are told in it).
func (c *Client) dropWant(t *Task, i int) {
	at := t.wantAt[i]
	t.wantedBy = slices.Delete(t.wantedBy, i, i+1)
	t.wantAt = slices.Delete(t.wantAt, i, i+1)
	last := len(c.wants) - 1
	if moved := c.wants[last]; moved != t {
		c.wants[at] = moved
		moved.wantAt[moved.wantIndex(c)] = at
	}
	c.wants[last] = nil
	c.wants = shrinkSlice(c.wants[:last])
}
