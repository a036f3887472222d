package state

import (
	"fmt"
	"slices"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/task"
)

// The named state outlives the scheduler when the shell keeps it on disk
// (scheduler.state-directory): published datasets, queued items,
// variables and set events are saved after every change and restored by
// a scheduler started again on the directory. What belongs to a session
// is not saved: leases, subscriptions and waiting requests end with the
// connection that made them, as they do when a client's connection drops
// (their callers hear ErrCoordInterrupted or lose their lease).
//
// A saved key (a future in a queue, a variable or a dataset) has no task
// in the new scheduler, which knows no graph. The key waits, held, until
// a worker registers its data (workers keep their results through the
// scheduler's death) or a client submits its task again; then the task
// is made and every holder wants it. A key no worker brings back within
// Config.OrphanTTL errs as lost, so that its holders hear why.

// SavedCoord is the named state to keep across the scheduler's death.
type SavedCoord struct {
	Datasets  []SavedDataset
	Queues    []SavedQueue
	Variables []SavedVariable
	// Events are the names of the events that are set.
	Events []string
}

// SavedDataset is a published dataset.
type SavedDataset struct {
	Name string
	Keys []graph.Key
	Meta []byte
}

// SavedQueue is a queue and its items, oldest first.
type SavedQueue struct {
	Name  string
	Max   int
	Items []Item
}

// SavedVariable is a variable that is set.
type SavedVariable struct {
	Name  string
	Value Item
}

// CoordVersion counts the changes of the named state worth saving: the
// shell saves SaveCoord when it moved since the last save.
func (s *State) CoordVersion() uint64 {
	if s.coord == nil {
		return 0
	}
	return s.coord.version
}

// SaveCoord returns the named state to keep, in name order.
func (s *State) SaveCoord() *SavedCoord {
	out := &SavedCoord{}
	if s.coord == nil {
		return out
	}
	c := s.coord
	for _, name := range sortedNames(c.datasets) {
		d := c.datasets[name]
		out.Datasets = append(out.Datasets, SavedDataset{Name: name, Keys: slices.Clone(d.keys), Meta: d.meta})
	}
	for _, name := range sortedNames(c.queues) {
		q := c.queues[name]
		if q.len() == 0 {
			continue // an empty queue is made again by its first use
		}
		out.Queues = append(out.Queues, SavedQueue{Name: name, Max: q.max, Items: slices.Clone(q.items[q.head:])})
	}
	for _, name := range sortedNames(c.variables) {
		if v := c.variables[name]; v.set {
			out.Variables = append(out.Variables, SavedVariable{Name: name, Value: v.value})
		}
	}
	for _, name := range sortedNames(c.events) {
		if c.events[name].set {
			out.Events = append(out.Events, name)
		}
	}
	return out
}

// RestoreCoord gives a new state the named state a scheduler saved
// before it died. It must come before any worker registers or client
// submits (the shell restores before it serves). The keys the state
// holds wait for their data (see above).
func (s *State) RestoreCoord(saved *SavedCoord, e At) {
	if saved == nil {
		return
	}
	s.now = e.Now
	c := s.coordState()
	c.restoredAt = e.Now
	for _, d := range saved.Datasets {
		nd := &dataset{keys: slices.Clone(d.Keys), meta: d.Meta, holder: newKeyHolder("dataset/" + d.Name)}
		for _, k := range nd.keys {
			s.holdSaved(nd.holder, k)
		}
		c.datasets[d.Name] = nd
	}
	for _, sq := range saved.Queues {
		q := &namedQueue{max: sq.Max, keys: newKeyHolder("queue/" + sq.Name)}
		for _, it := range sq.Items {
			q.push(it)
			if it.Key != "" {
				s.holdSaved(q.keys, it.Key)
			}
		}
		c.queues[sq.Name] = q
	}
	for _, sv := range saved.Variables {
		v := &variable{set: true, value: sv.Value, keys: newKeyHolder("variable/" + sv.Name)}
		if sv.Value.Key != "" {
			s.holdSaved(v.keys, sv.Value.Key)
		}
		c.variables[sv.Name] = v
	}
	for _, name := range saved.Events {
		c.events[name] = &coordEvent{set: true}
	}
}

// holdSaved adds h's reference to saved key k, which has no task yet.
func (s *State) holdSaved(h *keyHolder, k graph.Key) {
	if h.refs[k] == 0 {
		s.awaitKey(k, h.id)
	}
	h.refs[k]++
}

// awaitKey records that holder (a primitive's pseudo-client, or a client
// given the key) wants key k once it has a task.
func (s *State) awaitKey(k graph.Key, holder string) {
	c := s.coordState()
	if c.awaiting == nil {
		c.awaiting = map[graph.Key][]string{}
	}
	if !slices.Contains(c.awaiting[k], holder) {
		c.awaiting[k] = append(c.awaiting[k], holder)
	}
}

// awaited reports whether saved key k still waits for its task.
func (s *State) awaited(k graph.Key) bool {
	return s.coord != nil && s.coord.awaiting[k] != nil
}

// unawait drops holder from the holders waiting for k.
func (s *State) unawait(k graph.Key, holder string) {
	hs := s.coord.awaiting[k]
	hs = slices.DeleteFunc(hs, func(h string) bool { return h == holder })
	if len(hs) == 0 {
		delete(s.coord.awaiting, k)
	} else {
		s.coord.awaiting[k] = hs
	}
}

// awaitedClientRemoved forgets a departed client among the holders
// waiting for saved keys.
func (s *State) awaitedClientRemoved(client string) {
	if s.coord == nil {
		return
	}
	for _, k := range sortedKeys(s.coord.awaiting) {
		s.unawait(k, client)
	}
}

// found gives t, the new task of a saved key, to the holders that wait
// for it.
func (s *State) found(t *Task) {
	hs := s.coord.awaiting[t.Key]
	delete(s.coord.awaiting, t.Key)
	for _, h := range hs {
		s.want(s.client(h), t)
	}
}

// adoptSaved makes the task of saved key h, registered by worker w: the
// data a worker kept is the key's value. It reports whether h was one.
func (s *State) adoptSaved(w *Worker, h HeldKey) bool {
	if !s.awaited(h.Key) {
		return false
	}
	t := s.dataTask(h.Key)
	t.NBytes, t.TypeName = h.NBytes, h.Type
	t.addHolder(w)
	s.transition(t, Memory, nil)
	s.found(t)
	return true
}

// dataTask makes a task for data that has no computation (scattered, or
// saved by a scheduler that died): it cannot be recomputed.
func (s *State) dataTask(k graph.Key) *Task {
	t := &Task{Key: k, queueAt: -1}
	t.group = s.group(k)
	t.group.Count++
	t.group.ByState[Released]++
	s.tasks[k] = t
	s.handles.add(t)
	return t
}

// expireSaved errs the saved keys no worker brought back within
// OrphanTTL of the restore: their data died with their workers, and the
// scheduler that knew how to compute them is gone.
func (s *State) expireSaved() {
	if s.coord == nil || len(s.coord.awaiting) == 0 || s.cfg.OrphanTTL <= 0 || s.now.Sub(s.coord.restoredAt) < s.cfg.OrphanTTL {
		return
	}
	for _, k := range sortedKeys(s.coord.awaiting) {
		t := s.dataTask(k)
		t.err = &task.TaskError{Kind: task.ErrLost, Key: string(k), Message: fmt.Sprintf(
			"the scheduler restarted and no worker brought back this key's data within %s (scheduler's orphan wait): it was lost with the worker that held it; publish or put it again", s.cfg.OrphanTTL)}
		s.found(t)
		s.recommend(t, Erred)
	}
}

func sortedKeys[V any](m map[graph.Key]V) []graph.Key {
	ks := make([]graph.Key, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
