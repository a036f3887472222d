package state

import (
	"fmt"
	"strings"
	"time"

	"github.com/dusk-go/dusk/graph"
)

// storyLog keeps the last transitions of all tasks in a ring, so an error
// about a task can tell its recent history (Dask's "story").
type storyLog struct {
	buf  []storyEntry
	next int
	full bool
}

type storyEntry struct {
	key      graph.Key
	from, to TaskState
	worker   string
	at       time.Time
}

func newStoryLog(n int) storyLog { return storyLog{buf: make([]storyEntry, n)} }

func (l *storyLog) add(e storyEntry) {
	l.buf[l.next] = e
	l.next++
	if l.next == len(l.buf) {
		l.next = 0
		l.full = true
	}
}

// Story returns the recent transitions of the task with key k, oldest
// first, one per line.
func (s *State) Story(k graph.Key) string {
	var b strings.Builder
	l := &s.story
	n := l.next
	start := 0
	if l.full {
		n = len(l.buf)
		start = l.next
	}
	for i := 0; i < n; i++ {
		e := l.buf[(start+i)%len(l.buf)]
		if e.key != k {
			continue
		}
		fmt.Fprintf(&b, "%s %s -> %s", e.at.Format("15:04:05.000000"), e.from, e.to)
		if e.worker != "" {
			fmt.Fprintf(&b, " on %s", e.worker)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
