package state

import (
	"slices"
	"time"

	"github.com/dusk-go/dusk/graph"
)

// HeldKey is a result a worker holds when it registers: one it kept when
// it lost its scheduler.
type HeldKey struct {
	Key    graph.Key
	NBytes int64
	Type   string
}

// orphan is a result a worker registered that no task of this scheduler
// has: a scheduler started again after it died knows no task until its
// clients submit their graphs again. A task submitted with the orphan's
// key takes the data instead of being computed; an orphan nobody claims
// within OrphanTTL is dropped from its workers.
type orphan struct {
	nbytes  int64
	typ     string
	holders []*Worker
	since   time.Time
}

// adopt records what a registering worker holds. A key of a task in memory
// gains a copy; a key no task has becomes (or joins) an orphan; a key of a
// task being computed or not needed is dropped by the worker: the
// scheduler's plan for it stands.
func (s *State) adopt(w *Worker, held []HeldKey) {
	var drop []graph.Key
	for _, h := range held {
		t := s.tasks[h.Key]
		switch {
		case t == nil && s.adoptSaved(w, h):
		case t == nil:
			o := s.orphans[h.Key]
			if o == nil {
				o = &orphan{nbytes: h.NBytes, typ: h.Type, since: s.now}
				s.orphans[h.Key] = o
			}
			if !slices.Contains(o.holders, w) {
				o.holders = append(o.holders, w)
				w.orphans = append(w.orphans, h.Key)
			}
		case t.State == Memory:
			t.addHolder(w)
		default:
			drop = append(drop, h.Key)
		}
	}
	if len(drop) > 0 {
		s.emit(&Free{Worker: w.ID, Keys: drop})
	}
}

// claimOrphan gives a new task the data of an orphan of its key, if a
// worker still holds it: the task goes to memory on those workers. It
// reports whether it did.
func (s *State) claimOrphan(t *Task) bool {
	o := s.orphans[t.Key]
	if o == nil {
		return false
	}
	s.dropOrphan(t.Key, o)
	t.NBytes, t.TypeName = o.nbytes, o.typ
	for _, w := range o.holders {
		t.addHolder(w)
	}
	if len(t.whoHas) == 0 {
		return false
	}
	s.transition(t, Memory, nil)
	return true
}

// dropOrphan forgets orphan o of key k (its workers keep the data).
func (s *State) dropOrphan(k graph.Key, o *orphan) {
	delete(s.orphans, k)
	for _, w := range o.holders {
		if i := slices.Index(w.orphans, k); i >= 0 {
			w.orphans = slices.Delete(w.orphans, i, i+1)
		}
	}
}

// orphansOfRemoved forgets worker w as a holder of orphans.
func (s *State) orphansOfRemoved(w *Worker) {
	for _, k := range w.orphans {
		o := s.orphans[k]
		if o == nil {
			continue
		}
		o.holders = slices.DeleteFunc(o.holders, func(x *Worker) bool { return x == w })
		if len(o.holders) == 0 {
			delete(s.orphans, k)
		}
	}
	w.orphans = nil
}

// expireOrphans drops, from their workers, the orphans no client claimed
// within OrphanTTL.
func (s *State) expireOrphans() {
	if s.cfg.OrphanTTL <= 0 || len(s.orphans) == 0 {
		return
	}
	free := map[*Worker][]graph.Key{}
	for k, o := range s.orphans {
		if s.now.Sub(o.since) < s.cfg.OrphanTTL {
			continue
		}
		for _, w := range o.holders {
			free[w] = append(free[w], k)
		}
		s.dropOrphan(k, o)
	}
	for _, w := range s.wlist {
		if ks := free[w]; len(ks) > 0 {
			slices.Sort(ks)
			s.emit(&Free{Worker: w.ID, Keys: ks})
		}
	}
}
