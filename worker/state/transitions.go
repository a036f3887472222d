package state

import (
	"fmt"
	"slices"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/internal/shrink"
)

// transitionFunc does what a move of a task needs besides the move itself,
// which transition makes: when it runs, t.State is already the new state.
type transitionFunc func(s *State, t *Task)

// transitions is the table of every move a task may make on a worker,
// transitions[from][to]. A pair that is not here is a bug: transition
// panics with the task's story. (It is filled in init because its handlers
// call transition, which reads it.)
var transitions [numStates][numStates]transitionFunc

func init() {
	transitions = [numStates][numStates]transitionFunc{
		Released: {
			Waiting: (*State).moveOnly,
			Ready:   (*State).toReady,
			Fetch:   (*State).queueFetch,
			Memory:  (*State).arrived, // scattered here
		},
		Waiting: {
			Ready:    (*State).toReady,
			Released: (*State).dropTask,
		},
		Ready: {
			Executing: (*State).readyToExecuting,
			Released:  (*State).readyToReleased,
		},
		Executing: {
			Memory:    (*State).executingToMemory,
			Cancelled: (*State).executingToCancelled,
			Released:  (*State).dropRun, // failed
		},
		Cancelled: {
			Ready:    (*State).cancelledToReady, // asked to compute again
			Released: (*State).dropRun,
		},
		Memory: {
			Released: (*State).memoryToReleased,
		},
		Fetch: {
			Flight:   (*State).moveOnly, // ensureFetching keeps the fetch's books
			Memory:   (*State).arrived,  // scattered here
			Released: (*State).dropValue,
		},
		Flight: {
			Fetch:    (*State).queueFetch, // the peer lacked it: try another
			Memory:   (*State).arrived,
			Released: (*State).dropValue,
		},
	}
}

// transition moves t to state to along a row of the table. It is the one
// place that sets a task's State: it logs the move in the story, adds a
// record leaving Released to the tasks and removes one entering it, and,
// in validate mode, checks the task after the move.
func (s *State) transition(t *Task, to TaskState) {
	from := t.State
	f := transitions[from][to]
	if f == nil {
		panic(fmt.Sprintf("worker state: no transition %s -> %s for %s (cause %d, %s); story:\n%s",
			from, to, t.Key, s.cause, s.stimulus, s.Story(t.Key)))
	}
	e := Transition{Cause: s.cause, Stimulus: s.stimulus, Key: t.Key, From: from, To: to, Thread: -1}
	t.where(from, &e)
	t.where(to, &e)
	s.story.add(&e)
	t.State = to
	if from == Released {
		s.tasks[t.Key] = t
	}
	f(s, t)
	if to == Released && s.tasks[t.Key] == t {
		delete(s.tasks, t.Key)
		s.tasks = shrink.Map(s.tasks, &s.tasksPeak)
	}
	if s.cfg.Validate {
		if err := s.checkTask(t); err != nil {
			panic(fmt.Sprintf("worker state: %s after %s -> %s (cause %d, %s): %v; story:\n%s",
				t.Key, from, to, s.cause, s.stimulus, err, s.Story(t.Key)))
		}
	}
}

// where notes in e the peer or thread of t that state st involves.
func (t *Task) where(st TaskState, e *Transition) {
	switch st {
	case Flight:
		e.Peer = t.flight
	case Executing, Cancelled:
		e.Thread = t.thread
	}
}

// moveOnly is the handler of a row whose move needs nothing more.
func (s *State) moveOnly(*Task) {}

// toReady queues a task whose inputs are all here for a thread.
func (s *State) toReady(t *Task) { s.ready.push(t) }

// queueFetch queues a value to be fetched from one of its peers.
func (s *State) queueFetch(t *Task) { s.toFetch = append(s.toFetch, t) }

// arrived: a value is in the store now; tasks waiting for it may be ready.
func (s *State) arrived(t *Task) {
	t.peers, t.tried = nil, nil
	t.Spec = nil
	s.inputArrived(t)
}

// readyToExecuting hands a task to the thread ensureExecuting took for it.
func (s *State) readyToExecuting(t *Task) {
	s.ready.remove(t.heapIdx)
	s.emit(&Started{Key: t.Key, Thread: t.thread, Handle: t.handle})
	s.emit(&Execute{Task: t.Spec, Thread: t.thread})
}

func (s *State) executingToMemory(t *Task) {
	s.endRun(t)
	s.detach(t)
	s.inputArrived(t)
}

func (s *State) executingToCancelled(t *Task) {
	t.rerun = false
	s.emit(&CancelTask{Key: t.Key, Thread: t.thread})
}

func (s *State) cancelledToReady(t *Task) {
	s.endRun(t)
	t.rerun = false
	s.ready.push(t)
}

// dropRun drops a task whose run ended without a result to keep.
func (s *State) dropRun(t *Task) {
	s.endRun(t)
	s.dropTask(t)
}

func (s *State) readyToReleased(t *Task) {
	s.ready.remove(t.heapIdx)
	s.dropTask(t)
}

// dropTask drops a task that will not be stored here, and the tasks sent
// ahead to follow it.
func (s *State) dropTask(t *Task) {
	s.abandonDependents(t)
	s.detach(t)
}

func (s *State) memoryToReleased(t *Task) {
	s.drop(t.Key)
}

// drop emits a Drop of key k, or adds k to the Drop just emitted for the
// same cause: a release of many values is one instruction, not one each.
func (s *State) drop(k graph.Key) {
	if n := len(s.out); n > 0 {
		if d, ok := s.out[n-1].(*Drop); ok && d.Cause == s.cause {
			d.Keys = append(d.Keys, k)
			return
		}
	}
	s.emit(&Drop{Keys: []graph.Key{k}})
}

// dropValue gives up a value that was to arrive here. Tasks still waiting
// for it (there are some only when it could not be fetched) are handed
// back to the scheduler, which finds or recomputes the value; so is the
// value's own task, if the scheduler also asked this worker to compute it.
func (s *State) dropValue(t *Task) {
	for _, dt := range slices.Clone(t.dependents) {
		s.emit(&Missing{Task: dt.Key, Key: t.Key, Tried: slices.Clone(t.tried)})
		if dt.State != Released { // not already dropped as a follower of another
			s.transition(dt, Released)
		}
	}
	if t.Spec != nil {
		s.emit(&Rejected{Key: t.Key, Handle: t.handle})
	}
}

// endRun frees the thread and resources of a task whose run ended.
func (s *State) endRun(t *Task) {
	s.threads = append(s.threads, t.thread)
	for r, v := range t.resources {
		s.avail[r] += v
	}
}
