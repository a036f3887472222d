package dusk

import (
	"log/slog"
	"sync"
	"time"
)

// loopWatch notices the guide's "compute() in a loop": many blocking
// computations of small graphs from one line of code in a short time, each
// paying a round trip to the cluster while the workers wait for the next.
// It warns once per line of code.
type loopWatch struct {
	// window and calls: calls small computations from one line within
	// window make a loop; graphs of at most small tasks are small.
	window time.Duration
	calls  int
	small  int

	mu     sync.Mutex
	lines  map[string]*loopLine
	warned map[string]bool
}

// loopLine counts the small computations of one line of code in the
// current window.
type loopLine struct {
	since time.Time
	n     int
	tasks int
}

// maxLoopLines bounds the lines a loopWatch remembers.
const maxLoopLines = 1024

func newLoopWatch() *loopWatch {
	return &loopWatch{window: 10 * time.Second, calls: 50, small: 16,
		lines: map[string]*loopLine{}, warned: map[string]bool{}}
}

// computed notes a blocking computation of a graph of ntasks tasks from
// the code at caller, and warns on log when that line runs in a loop.
func (lw *loopWatch) computed(log *slog.Logger, caller callSite, ntasks int, now time.Time) {
	if ntasks > lw.small {
		return
	}
	line := caller.String()
	lw.mu.Lock()
	if lw.warned[line] {
		lw.mu.Unlock()
		return
	}
	l := lw.lines[line]
	if l == nil || now.Sub(l.since) > lw.window {
		if l == nil && len(lw.lines) >= maxLoopLines {
			clear(lw.lines)
		}
		l = &loopLine{since: now}
		lw.lines[line] = l
	}
	l.n++
	l.tasks += ntasks
	loop := l.n >= lw.calls
	if loop {
		lw.warned[line] = true
		delete(lw.lines, line)
	}
	lw.mu.Unlock()
	if loop {
		log.Warn("dusk.Compute is called in a loop: each call waits a round trip to the cluster while the workers wait for the next. "+
			"Build the graphs first and run them together with dusk.ComputeAll (or dusk.Map over the items), "+
			"or Persist and keep the futures instead of gathering each result",
			slog.String("at", line), slog.Int("calls", l.n), slog.Duration("within", now.Sub(l.since)),
			slog.Float64("tasks_per_call", float64(l.tasks)/float64(l.n)))
	}
}
