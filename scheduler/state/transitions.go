package state

import (
	"fmt"

	"github.com/dusk-go/dusk/diagnostics/event"
)

// transitionFunc moves task t from one state to another. w is the worker a
// move to processing sends the task to (nil: the handler picks one); every
// other move gets nil.
type transitionFunc func(s *State, t *Task, w *Worker)

// transitions is the table of every move a task makes:
// transitions[from][to] is the handler that makes it, and nothing else
// changes a task's state (setState refuses). A handler may decline (a task
// is forgotten only if nothing depends on it) or hand the task on to
// another row (a ready task no worker has room for goes to the queue). A
// move with no handler is a bug: it panics with the task's story. (It is
// filled in init only because its handlers refer back to it.)
var transitions [numStates][numStates]transitionFunc

func init() {
	transitions = [numStates][numStates]transitionFunc{
		Released: {
			Waiting:   (*State).releasedToWaiting, // needed: computed once its inputs are
			Memory:    (*State).scatteredToMemory, // a client scattered its data
			Erred:     (*State).toErred,           // an input is erred or unknown; scattered data lost
			Forgotten: (*State).forget,            // nothing needs it or depends on it
		},
		Waiting: {
			Processing: (*State).toProcessing, // its inputs are in memory (or computed where it goes)
			Queued:     (*State).toQueued,     // a root task, and no worker has room
			NoWorker:   (*State).toNoWorker,   // no connected worker may run it now
			Released:   (*State).activeToReleased,
			Erred:      (*State).toErred, // an input erred
		},
		Queued: {
			Processing: (*State).toProcessing, // a worker has room
			Released:   (*State).activeToReleased,
		},
		NoWorker: {
			Processing: (*State).toProcessing, // a worker that may run it joined or resumed
			Queued:     (*State).toQueued,     // ... and it is a root task now, with no room for it
			Released:   (*State).activeToReleased,
		},
		Processing: {
			Memory:     (*State).finishedToMemory, // it finished
			Processing: (*State).toProcessing,     // stolen: to the thief, or placed afresh
			Queued:     (*State).toQueued,         // stolen, and no worker has room
			NoWorker:   (*State).toNoWorker,       // stolen, and no worker may run it now
			Waiting:    (*State).pulledBack,       // sent ahead of an input that is not computed there after all
			Released:   (*State).activeToReleased, // not needed; or dropped by its worker: retried, rejected, worker died
			Erred:      (*State).toErred,          // it failed, or killed too many workers
		},
		Memory: {
			Released: (*State).memoryToReleased, // not needed, or its last copy was lost
		},
		Erred: {
			Memory:    (*State).scatteredToMemory,
			Released:  (*State).erredToReleased, // wanted again: computed again
			Forgotten: (*State).forget,
		},
	}
}

// move is a transition under way, from*numStates + to + 1; 0 is none.
type move uint8

func moveOf(from, to TaskState) move { return move(from)*move(numStates) + move(to) + 1 }

// transition moves t to state to through the table's handler for the
// move. While the handler runs, t is marked with the move, which is the
// only one setState lets it make.
func (s *State) transition(t *Task, to TaskState, w *Worker) {
	from := t.State
	f := transitions[from][to]
	if f == nil {
		s.noTransition(t, to)
	}
	outer := t.moving // a handler may hand t on to another row
	t.moving = moveOf(from, to)
	f(s, t, w)
	t.moving = outer
}

// setState records t's move to state to. Only the table's handler for that
// move may make it; anything else is a bug and panics with the story.
func (s *State) setState(t *Task, to TaskState) {
	from := t.State
	if t.moving != moveOf(from, to) {
		s.outsideTable(t, to)
	}
	t.State = to
	if g := t.group; g != nil {
		g.ByState[from]--
		g.ByState[to]++
	}
	var w string
	if t.processingOn != nil {
		w = t.processingOn.ID
	} else if to == Memory && len(t.whoHas) > 0 {
		w = t.whoHas[0].ID
	}
	if s.stim.Cause != s.story.last {
		s.story.begin(&s.stim, s.now)
	}
	s.story.add(t.Key, from, to, w)
	if e := s.newEvent(event.Transition); e != nil {
		e.Key, e.Worker, e.From, e.To = string(t.Key), w, from.String(), to.String()
	}
}

// noTransition panics: the table has no row for moving t to state to.
func (s *State) noTransition(t *Task, to TaskState) {
	s.broken(t, "no transition %s -> %s for %s", t.State, to, t.Key)
}

// outsideTable panics: t is moved to state to by something other than the
// table's handler for that move.
func (s *State) outsideTable(t *Task, to TaskState) {
	s.broken(t, "%s moved %s -> %s outside the transition table", t.Key, t.State, to)
}

// broken panics with a message about t, the event being handled and t's
// story: the state machine has a bug.
func (s *State) broken(t *Task, format string, args ...any) {
	panic(fmt.Sprintf("state: "+format+" (event %s); story:\n%s", append(args, s.stim, s.Story(t.Key))...))
}

// rec is a recommendation: move task t to state to. An unneeded
// recommendation holds only if the task is still not needed when it is
// applied (something may have come to need it again meanwhile).
type rec struct {
	t        *Task
	to       TaskState
	unneeded bool
}

func (s *State) recommend(t *Task, to TaskState) { s.addRec(rec{t: t, to: to}) }

// releaseUnneeded recommends releasing t because nothing needs it.
func (s *State) releaseUnneeded(t *Task) {
	s.addRec(rec{t: t, to: Released, unneeded: true})
}

// addRec adds a recommendation. A full list first drops the ones apply
// has carried out, when they are half of it or more (a pass over a
// million tasks, each recommending the next move of another, keeps a
// list of the ones still to come, not of all it made); otherwise a long
// list doubles: append grows a large slice by a quarter, and one event
// that recommends a million tasks copied the list some twenty times.
func (s *State) addRec(r rec) {
	if n := len(s.recs); n == cap(s.recs) && n >= 1024 {
		if done := s.recAt; done >= n/2 {
			left := copy(s.recs, s.recs[done:])
			clear(s.recs[left:])
			s.recs, s.recAt = s.recs[:left], 0
		} else {
			grown := make([]rec, n, 2*n)
			copy(grown, s.recs)
			s.recs = grown
		}
	}
	s.recs = append(s.recs, r)
}

// stale reports whether a recommendation no longer holds: its task moved
// on since it was made (an earlier recommendation of the same pass, or the
// handler that made it, already placed, released, erred or forgot it), or
// something came to need an unneeded task again.
func (r rec) stale() bool {
	switch st := r.t.State; r.to {
	case Processing: // place a ready task
		return st != Waiting && st != Queued && st != NoWorker
	case Waiting: // compute a needed task
		return st != Released
	case Released:
		return st == Released || st == Forgotten || r.unneeded && r.t.needed()
	case Erred:
		return st == Erred || st == Forgotten
	case Forgotten:
		return st != Released && st != Erred
	}
	return false
}

// apply carries out recommendations until none are left. Workers that got
// a free slot during the pass are filled from the root-task queue after
// it: by then the pass has released whatever it releases, so no queued
// root is sent to a worker only to be taken back at once (cancelling a
// graph with many queued roots would otherwise send each of them).
func (s *State) apply() {
	for {
		// s.recAt is the next to carry out: addRec may move the list's
		// rest to its front as it grows.
		for s.recAt = 0; s.recAt < len(s.recs); s.recAt++ {
			if r := s.recs[s.recAt]; !r.stale() {
				s.transition(r.t, r.to, nil)
			}
		}
		s.recAt = 0
		// The list is kept for the next event while it is no longer
		// than twice the tasks known (it doubles as it grows): a
		// graph's size, not a waste.
		s.recs = reuse(s.recs, max(reuseCap, 2*len(s.tasks)))
		if len(s.toFill) == 0 {
			return
		}
		ws := s.toFill
		s.toFill = s.fillBuf[:0]
		for _, w := range ws {
			if s.workers[w.ID] == w {
				s.fillWorker(w)
			}
		}
		s.fillBuf = reuse(ws, reuseCap)
	}
}
