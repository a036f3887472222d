package state

import (
	"fmt"
	"strings"
	"time"

	"github.com/dusk-go/dusk/graph"
)

// Transition is one recorded move of a task, and why it happened.
type Transition struct {
	// Stimulus is the event whose handling made the move.
	Stimulus
	Key      graph.Key
	From, To TaskState
	// Worker is the worker the task was processing on, or, for a move to
	// memory, the first worker holding it; "" for none.
	Worker string
	At     time.Time
}

// String writes the transition on one line:
// "00:16:40.003000 #7 task-finished from w1: processing -> memory on w1".
func (tr Transition) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s -> %s", tr.At.Format("15:04:05.000000"), tr.Stimulus, tr.From, tr.To)
	if tr.Worker != "" {
		b.WriteString(" on ")
		b.WriteString(tr.Worker)
	}
	return b.String()
}

// Story is a task's recent transitions, oldest first (Dask's "story").
type Story []Transition

// String writes one transition per line.
func (st Story) String() string {
	var b strings.Builder
	for _, tr := range st {
		b.WriteString(tr.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// storyLog keeps the last transitions of all tasks in a ring, so that an
// error about a task can tell its recent history.
type storyLog struct {
	buf  []Transition
	next int
	full bool
}

func newStoryLog(n int) storyLog { return storyLog{buf: make([]Transition, n)} }

func (l *storyLog) add(tr Transition) {
	l.buf[l.next] = tr
	l.next++
	if l.next == len(l.buf) {
		l.next = 0
		l.full = true
	}
}

// Story returns the recent transitions of the task with key k, oldest
// first. The log keeps the last few thousand transitions of all tasks.
func (s *State) Story(k graph.Key) Story {
	var out Story
	l := &s.story
	n := l.next
	start := 0
	if l.full {
		n = len(l.buf)
		start = l.next
	}
	for i := 0; i < n; i++ {
		if tr := l.buf[(start+i)%len(l.buf)]; tr.Key == k {
			out = append(out, tr)
		}
	}
	return out
}
