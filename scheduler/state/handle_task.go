package state

import (
	"fmt"
	"strings"
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/task"
)

// processingTask returns the task with key k (and handle h, when not 0)
// if it is processing on worker id, and the worker.
func (s *State) processingTask(id string, h TaskHandle, k graph.Key) (*Task, *Worker) {
	w := s.workers[id]
	if w == nil {
		return nil, nil
	}
	t := s.taskOf(h, k)
	if t == nil || t.State != Processing || t.processingOn != w {
		return nil, w
	}
	return t, w
}

func (s *State) handleTaskStarted(e *TaskStarted) {
	if t, _ := s.processingTask(e.Worker, e.Handle, e.Key); t != nil {
		t.executing = true
	}
}

func (s *State) handleTaskFinished(e *TaskFinished) {
	t, w := s.processingTask(e.Worker, e.Handle, e.Key)
	if w == nil {
		return
	}
	if ev := s.recordRun(e.Worker, e.Key, e.Thread, e.Start, e.Stop, e.NBytes, e.Type, false); ev != nil {
		ev.CPU, ev.Wait = e.CPU, e.Wait
	}
	if t == nil {
		s.staleResult(w, e.Key, e.NBytes)
		return
	}
	t.NBytes, t.TypeName = e.NBytes, e.Type
	if g := t.group; g != nil && !e.Start.IsZero() && !e.Stop.IsZero() {
		g.observe(e.Stop.Sub(e.Start).Seconds(), e.NBytes)
	}
	s.transition(t, Memory, nil)
}

// staleResult handles a result for a task the worker is no longer meant to
// run: a copy of data already in memory is kept; anything else is freed.
func (s *State) staleResult(w *Worker, k graph.Key, nbytes int64) {
	t := s.tasks[k]
	if t != nil && t.State == Memory {
		t.addHolder(w)
		return
	}
	s.emit(&Free{Worker: w.ID, Keys: []graph.Key{k}})
}

// recordRun records a task's run on a worker thread; detail is the
// result's type, or the error of a failed run. It returns the event (nil
// when events are not recorded).
func (s *State) recordRun(worker string, k graph.Key, thread int, start, stop time.Time, nbytes int64, detail string, failed bool) *event.Event {
	e := s.newEvent(event.TaskRun)
	if e != nil {
		e.Key, e.Worker, e.Thread, e.Start, e.Stop = string(k), worker, thread, start, stop
		e.NBytes, e.Detail, e.Failed = nbytes, detail, failed
	}
	return e
}

func (s *State) handleTaskFailed(e *TaskFailed) {
	t, w := s.processingTask(e.Worker, e.Handle, e.Key)
	if t == nil {
		return
	}
	msg := ""
	if e.Err != nil {
		msg = e.Err.Message
	}
	s.recordRun(e.Worker, e.Key, e.Thread, e.Start, e.Stop, 0, msg, true)
	// The worker dropped the task: it is told nothing more about it.
	s.unassign(t)
	s.fillWorker(w)
	retryable := e.Err == nil || e.Err.Kind == task.ErrTask || e.Err.Kind == task.ErrPanic
	if retryable && t.retriesLeft > 0 {
		t.retriesLeft--
		s.transition(t, Released, nil)
		return
	}
	err := e.Err
	if err == nil {
		err = &task.TaskError{Kind: task.ErrTask, Message: "failed"}
	}
	if err.Key == "" {
		err.Key = string(t.Key)
	}
	if err.Worker == "" {
		err.Worker = w.ID
	}
	if err.Func == "" && t.Spec != nil {
		err.Func = t.Spec.Func
	}
	t.err = err
	s.transition(t, Erred, nil)
}

func (s *State) handleKeysAdded(e *KeysAdded) {
	w := s.workers[e.Worker]
	if w == nil {
		return
	}
	var free []graph.Key
	for _, ks := range e.Keys {
		t := s.tasks[ks.Key]
		if t == nil || t.State != Memory {
			free = append(free, ks.Key)
			continue
		}
		t.addHolder(w)
		if s.moving != nil {
			s.moved(t, w)
		}
	}
	if len(free) > 0 {
		s.emit(&Free{Worker: w.ID, Keys: free})
	}
	for _, r := range s.wlist {
		if r.Status == Retiring {
			s.checkRetiring(r)
		}
	}
}

func (s *State) handleDataMissing(e *DataMissing) {
	// The workers tried do not have the key after all.
	if d := s.tasks[e.Key]; d != nil {
		for _, id := range e.Tried {
			if w := s.workers[id]; w != nil {
				d.removeHolder(w)
			}
		}
		if d.State == Memory && len(d.whoHas) == 0 {
			s.recommend(d, Released)
		}
	}
	if t, _ := s.processingTask(e.Worker, 0, e.Task); t != nil {
		t.missing++
		if int(t.missing) > s.cfg.AllowedFailures {
			// Its input is computed again each time and each time the
			// worker cannot fetch it: the workers cannot reach each
			// other (a network partition), which no retry mends.
			s.unassign(t)
			t.err = &task.TaskError{Kind: task.ErrLost, Key: string(t.Key), Func: t.Spec.Func,
				Message: fmt.Sprintf("worker %s could not fetch its input %s from %s, %d times: the workers cannot reach each other; check the network between them",
					e.Worker, e.Key, strings.Join(e.Tried, ", "), t.missing)}
			s.transition(t, Erred, nil)
			return
		}
		s.rejected(t)
	}
}

func (s *State) handleTaskRejected(e *TaskRejected) {
	if t, _ := s.processingTask(e.Worker, e.Handle, e.Key); t != nil {
		s.rejected(t)
	}
}

// rejected puts back a task its worker dropped on its own: the worker is
// told nothing more about it.
func (s *State) rejected(t *Task) {
	w := s.unassign(t)
	s.transition(t, Released, nil)
	if w != nil {
		s.fillWorker(w)
	}
}
