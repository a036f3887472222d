// Package gcfloor keeps Go's garbage collector from running while the
// heap is small: a process of dusk's (a scheduler, a worker) allocates
// fast and briefly (messages, task records) over a small live heap, and
// with Go's default (GOGC=100, the heap may double before a collection) a
// live heap of a few megabytes is collected every few megabytes
// allocated: a fifth of a scheduler's CPU at 50,000 tasks a second.
//
// A floor lets the heap grow by at least that many bytes past what was
// live at the last collection before the next one; above that size Go's
// own rule (GOGC) governs, so a large heap costs no more memory than
// before. After each collection the package sets the collector's percent
// to max(GOGC, floor / live). A memory limit (GOMEMLIMIT, which workers
// set from theirs) still makes the collector run earlier as the process
// nears it.
//
// The collector's settings are the process's: the first Start sets them,
// later ones share them (the first floor holds), and the last stop puts
// GOGC back. A process started with GOGC in its environment keeps it.
package gcfloor

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// maxPercent bounds the percent a floor sets (a heap of almost nothing
// live would otherwise ask for an absurd one).
const maxPercent = 100_000

// process is the floor of this process; mu guards it.
var (
	mu      sync.Mutex
	process *tuner
)

// tuner re-reads the live heap after each collection and sets the
// collector's percent; its fields other than floor and base are guarded
// by mu.
type tuner struct {
	floor   int64
	base    int // the percent before Start (GOGC)
	percent int // the percent set now
	users   int
	stopped bool
	// adjusted, if set, is called after each adjustment (tests).
	adjusted func(live int64, percent int)
}

// sentinel is garbage from the moment it is made: its cleanup runs after
// the collection that finds it, and arms the next.
type sentinel struct {
	_ *int // a pointer: not combined with other small objects
	_ [16]byte
}

// Start sets a floor of floor bytes for the process's heap (see the
// package comment) and returns the function that lifts it. It does
// nothing (and its stop nothing) when floor is 0 or less or GOGC is set in
// the environment.
func Start(floor int64) (stop func()) {
	if floor <= 0 || os.Getenv("GOGC") != "" {
		return func() {}
	}
	mu.Lock()
	defer mu.Unlock()
	if process == nil {
		base := debug.SetGCPercent(100)
		debug.SetGCPercent(base)
		if base < 0 { // GC off: nothing to raise
			return func() {}
		}
		process = &tuner{floor: floor, base: base, percent: base}
		process.arm()
	}
	t := process
	t.users++
	var once sync.Once
	return func() { once.Do(t.release) }
}

// release drops one user; the last puts the percent back.
func (t *tuner) release() {
	mu.Lock()
	defer mu.Unlock()
	t.users--
	if t.users > 0 {
		return
	}
	t.stopped = true
	if process == t {
		process = nil
	}
	debug.SetGCPercent(t.base)
}

// arm makes the sentinel whose cleanup follows the next collection.
func (t *tuner) arm() {
	runtime.AddCleanup(new(sentinel), func(t *tuner) { t.collected() }, t)
}

// collected runs after a collection: it sets the percent for the live heap
// it left, and arms the next.
func (t *tuner) collected() {
	live := liveHeap()
	mu.Lock()
	defer mu.Unlock()
	if t.stopped {
		return
	}
	p := Percent(t.base, t.floor, live)
	if p != t.percent {
		debug.SetGCPercent(p)
		t.percent = p
	}
	if t.adjusted != nil {
		t.adjusted(live, p)
	}
	t.arm()
}

// Percent is the collector's percent that lets a heap of live bytes grow
// by at least floor bytes before the next collection, and by no less than
// base percent.
func Percent(base int, floor, live int64) int {
	if live <= 0 {
		return maxPercent
	}
	p := int(min((floor*100+live-1)/live, maxPercent))
	return max(base, p)
}

// liveHeap reads the bytes the last collection found live.
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}
