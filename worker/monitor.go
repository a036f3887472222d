package worker

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/dusk-go/dusk/config"
)

// MemorySample is a worker's memory at one moment.
type MemorySample struct {
	Time time.Time
	// Limit is the worker's memory limit (0: none).
	Limit int64
	// Process is the memory of the worker's process as the OS sees it
	// (resident set size).
	Process int64
	// Managed is the size of the values the worker holds in memory.
	Managed int64
	// Unmanaged is Process − Managed: the Go runtime, running tasks'
	// working memory, garbage not yet collected, leaks. UnmanagedRecent is
	// the part of it that appeared in the last 30 seconds, which is likely
	// to go away on its own.
	Unmanaged       int64
	UnmanagedRecent int64
	// Spilled is the size in memory of the values on disk, SpilledKeys
	// their number, and Disk the bytes of their files.
	Spilled     int64
	SpilledKeys int
	Disk        int64
	// Paused is whether the worker stopped starting tasks.
	Paused bool
	// SpillFailed is whether the last attempt to spill failed (see
	// SpillError); the worker then pauses while it is above target.
	SpillFailed bool
}

// memoryMonitor measures a worker's memory every interval, and whenever
// the store grows past target, and acts on the thresholds: it spills,
// pauses and resumes the worker.
type memoryMonitor struct {
	store    *Store
	limit    int64
	th       Thresholds
	interval time.Duration
	// ownsProcess: compare the process's memory with spill and pause;
	// otherwise (a worker sharing its process) only managed memory counts.
	ownsProcess bool
	log         *slog.Logger
	// processMemory returns the process's memory; a test seam.
	readProcess func() (int64, error)
	// pause stops or resumes the worker; it is called on every change.
	pause func(paused bool, s MemorySample)
	// freeOS returns freed memory to the OS; a test seam.
	freeOS func()

	recent windowMin

	mu       sync.Mutex // protects the fields below
	last     MemorySample
	paused   bool
	failed   error     // the last spill error, until spilling works again
	lastFree time.Time // when freeOS last ran while paused
}

// minFreeInterval spaces the garbage collections a paused worker forces to
// see whether its memory is really still above the pause threshold.
const minFreeInterval = time.Second

func newMemoryMonitor(store *Store, limit int64, th Thresholds, interval time.Duration, ownsProcess bool, log *slog.Logger) *memoryMonitor {
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	return &memoryMonitor{
		store: store, limit: limit, th: th, interval: interval, ownsProcess: ownsProcess, log: log,
		readProcess: func() (int64, error) { return ProcessMemory(0) },
		pause:       func(bool, MemorySample) {},
		freeOS:      debug.FreeOSMemory,
		recent:      windowMin{span: recentWindow},
	}
}

// run checks memory until ctx ends.
func (m *memoryMonitor) run(ctx context.Context) {
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		m.check(time.Now())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-m.store.Grew():
		}
	}
}

// latest returns the last sample taken.
func (m *memoryMonitor) latest() MemorySample {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last
}

// check measures memory and acts on it: pause first (spilling takes time),
// then spill, then look again.
func (m *memoryMonitor) check(now time.Time) MemorySample {
	s := m.sample(now)
	if m.limit <= 0 {
		return m.publish(s)
	}
	m.decidePause(s)
	need, forProcess := m.spillNeed(s)
	if need <= 0 {
		m.setFailed(nil)
	} else {
		freed, err := m.store.Spill(need)
		m.setFailed(err)
		if freed > 0 {
			if forProcess {
				// The values are garbage now: return them to the OS, so
				// that the next measure does not spill more than needed.
				m.freeOS()
			}
			s = m.sample(time.Now())
		}
	}
	if m.pausedFor(s) && m.isPaused() && m.ownsProcess {
		// Still above pause with nothing left to spill: garbage may be
		// all that keeps it there.
		m.mu.Lock()
		due := now.Sub(m.lastFree) >= minFreeInterval
		if due {
			m.lastFree = now
		}
		m.mu.Unlock()
		if due {
			m.freeOS()
			s = m.sample(time.Now())
		}
	}
	m.decidePause(s)
	return m.publish(s)
}

// sample measures the process and the store, and tracks recent unmanaged
// memory. Only the monitor's goroutine calls it.
func (m *memoryMonitor) sample(now time.Time) MemorySample {
	s := m.measure(now)
	old := m.recent.add(now, s.Unmanaged)
	s.UnmanagedRecent = s.Unmanaged - old
	return s
}

// measure measures the process and the store.
func (m *memoryMonitor) measure(now time.Time) MemorySample {
	st := m.store.Stats()
	s := MemorySample{Time: now, Limit: m.limit, Managed: st.Managed, Spilled: st.Spilled, SpilledKeys: st.SpilledKeys, Disk: st.Disk}
	if p, err := m.readProcess(); err == nil {
		s.Process = p
	}
	s.Unmanaged = max(s.Process-s.Managed, 0)
	return s
}

func (m *memoryMonitor) publish(s MemorySample) MemorySample {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.Paused = m.paused
	s.SpillFailed = m.failed != nil
	m.last = s
	return s
}

// processMemory is the memory compared with spill and pause.
func (m *memoryMonitor) processMemory(s MemorySample) int64 {
	if m.ownsProcess {
		return s.Process
	}
	return s.Managed
}

// spillNeed returns how many bytes of managed memory to spill: what passes
// target, or what the process has over the goal once past spill
// (forProcess).
func (m *memoryMonitor) spillNeed(s MemorySample) (need int64, forProcess bool) {
	if target := bytesOf(m.th.Target, m.limit); target > 0 && s.Managed > target {
		need = s.Managed - target
	}
	if spill := bytesOf(m.th.Spill, m.limit); spill > 0 && m.ownsProcess && s.Process > spill {
		if n := s.Process - m.th.spillGoal(m.limit); n > need {
			need, forProcess = n, true
		}
	}
	return need, forProcess
}

// pausedFor reports whether s calls for a pause: the process is above
// pause, or it is above target or spill while spilling fails.
func (m *memoryMonitor) pausedFor(s MemorySample) bool {
	proc := m.processMemory(s)
	if pause := bytesOf(m.th.Pause, m.limit); pause > 0 && proc > pause {
		return true
	}
	m.mu.Lock()
	failed := m.failed != nil
	m.mu.Unlock()
	if !failed {
		return false
	}
	target, spill := bytesOf(m.th.Target, m.limit), bytesOf(m.th.Spill, m.limit)
	return (target > 0 && s.Managed > target) || (spill > 0 && proc > spill)
}

func (m *memoryMonitor) isPaused() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.paused
}

// decidePause pauses or resumes the worker as s calls for.
func (m *memoryMonitor) decidePause(s MemorySample) {
	want := m.pausedFor(s)
	m.mu.Lock()
	changed := want != m.paused
	m.paused = want
	failed := m.failed
	m.mu.Unlock()
	if !changed {
		return
	}
	s.Paused = want
	attrs := []any{"process", config.FormatBytes(m.processMemory(s)), "managed", config.FormatBytes(s.Managed),
		"spilled", config.FormatBytes(s.Spilled), "limit", config.FormatBytes(m.limit)}
	switch {
	case want && failed != nil:
		m.log.Warn("pausing: memory is above target and values cannot be spilled", append(attrs, "err", failed)...)
	case want:
		m.log.Warn("pausing: memory is above the pause threshold; no new tasks or fetches until it is below", append(attrs, "pause", m.th.Pause)...)
	default:
		m.log.Info("resuming: memory is below the pause threshold", attrs...)
	}
	m.pause(want, s)
}

// setFailed records the outcome of a spill: err, or nil once spilling
// works or is not needed any more. The first failure and the recovery are
// logged.
func (m *memoryMonitor) setFailed(err error) {
	m.mu.Lock()
	was := m.failed
	m.failed = err
	m.mu.Unlock()
	switch {
	case err != nil && was == nil:
		if errors.Is(err, ErrSpillFull) {
			m.log.Error("cannot spill: the spill directory is full; values stay in memory", "err", err)
		} else {
			m.log.Error("cannot spill; values stay in memory", "err", err)
		}
	case err == nil && was != nil:
		m.log.Info("spilling is possible again, or no longer needed")
	}
}
