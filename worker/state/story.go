package state

import (
	"fmt"
	"strings"

	"github.com/dusk-go/dusk/graph"
)

// Transition is one move of a key on this worker, as the story log keeps
// it: which event caused it, and the peer or thread involved.
type Transition struct {
	Cause    Cause
	Stimulus Stimulus
	Key      graph.Key
	From, To TaskState
	// Peer is the peer of the fetch the move starts or ends, if any.
	Peer string
	// Thread is the thread of the run the move starts or ends, or -1.
	Thread int
}

// String reads "cause 7 fetched: x flight -> memory peer=w2".
func (e Transition) String() string {
	return fmt.Sprintf("cause %d %s: %s", e.Cause, e.Stimulus, e.move())
}

// move reads "x flight -> memory peer=w2".
func (e Transition) move() string {
	s := fmt.Sprintf("%s %s -> %s", e.Key, e.From, e.To)
	if e.Peer != "" {
		s += " peer=" + e.Peer
	}
	if e.Thread >= 0 {
		s += fmt.Sprintf(" thread=%d", e.Thread)
	}
	return s
}

// Story is the transitions of a key, oldest first.
type Story []Transition

// String has one transition a line.
func (s Story) String() string {
	var b strings.Builder
	for _, e := range s {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Story returns the transitions of key k that the log still holds (the
// last storyLength transitions of all keys), oldest first.
func (s *State) Story(k graph.Key) Story {
	var out Story
	s.story.each(0, func(e *Transition) {
		if e.Key == k {
			out = append(out, *e)
		}
	})
	return out
}

// storyLog keeps the last transitions of all keys in a ring.
type storyLog struct {
	buf  []Transition
	next int    // where the next transition goes
	n    uint64 // transitions logged since the start
}

func newStoryLog(size int) storyLog { return storyLog{buf: make([]Transition, size)} }

func (l *storyLog) add(e *Transition) {
	// Field by field: copying the struct whole costs a bulk write barrier.
	b := &l.buf[l.next]
	b.Cause, b.Stimulus, b.Key, b.From, b.To, b.Peer, b.Thread = e.Cause, e.Stimulus, e.Key, e.From, e.To, e.Peer, e.Thread
	l.next++
	if l.next == len(l.buf) {
		l.next = 0
	}
	l.n++
}

// each calls f on the transitions logged since the since-th (counting
// from 0) that the ring still holds, oldest first.
func (l *storyLog) each(since uint64, f func(*Transition)) {
	size := uint64(len(l.buf))
	if l.n > size && since < l.n-size {
		since = l.n - size
	}
	i := (l.next + len(l.buf) - int(l.n-since)) % len(l.buf)
	for range l.n - since {
		f(&l.buf[i])
		if i++; i == len(l.buf) {
			i = 0
		}
	}
}
