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
// error about a task can tell its recent history. A transition records its
// task, worker and states, and the index of its stimulus in a second ring,
// which gets each event that moved a task once, with its time. As each
// stimulus there has a move of its own, the stimulus of a move still in
// the first ring is still in the second, which is as long.
type storyLog struct {
	moves   []storyMove
	stimuli []storyStimulus
	next    int // the next slot of moves
	full    bool
	cur     int32 // the slot of the last stimulus in stimuli
	last    Cause // its cause
}

type storyMove struct {
	key      graph.Key
	worker   string
	stimulus int32 // its slot in stimuli
	from, to TaskState
}

type storyStimulus struct {
	Stimulus
	at time.Time
}

func newStoryLog(n int) storyLog {
	return storyLog{moves: make([]storyMove, n), stimuli: make([]storyStimulus, n)}
}

// begin records the stimulus of the moves that follow, handled at time
// at. Only an event that moves a task is recorded.
func (l *storyLog) begin(st *Stimulus, at time.Time) {
	if l.last != 0 {
		if l.cur++; int(l.cur) == len(l.stimuli) {
			l.cur = 0
		}
	}
	l.stimuli[l.cur] = storyStimulus{Stimulus: *st, at: at}
	l.last = st.Cause
}

// add records a move made under the last stimulus begun.
func (l *storyLog) add(key graph.Key, from, to TaskState, worker string) {
	m := &l.moves[l.next]
	m.key, m.worker, m.stimulus, m.from, m.to = key, worker, l.cur, from, to
	if l.next++; l.next == len(l.moves) {
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
		n = len(l.moves)
		start = l.next
	}
	for i := 0; i < n; i++ {
		m := &l.moves[(start+i)%len(l.moves)]
		if m.key != k {
			continue
		}
		st := &l.stimuli[m.stimulus]
		out = append(out, Transition{Stimulus: st.Stimulus, Key: m.key, From: m.from, To: m.to, Worker: m.worker, At: st.at})
	}
	return out
}
