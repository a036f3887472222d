package store

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
	// (resident set size); for a worker sharing its process with others
	// (ShareProcess), its managed memory and its share of the rest.
	Process int64
	// Managed is the size of the values the worker holds in memory.
	Managed int64
	// Unmanaged is Process − Managed: the Go runtime, running tasks'
	// working memory, garbage not yet collected, leaks. UnmanagedRecent is
	// the part of it that appeared in the last 30 seconds, which is likely
	// to go away on its own.
	Unmanaged       int64
	UnmanagedRecent int64
	// Spilled is the size in memory of the values on disk only,
	// SpilledKeys their number, and Disk the bytes of the spill files.
	Spilled     int64
	SpilledKeys int
	Disk        int64
	// Paused is whether the worker stopped starting tasks.
	Paused bool
	// SpillFailed is whether the last attempt to spill failed (see
	// SpillError); the worker then pauses while it is above target.
	SpillFailed bool
}

// Monitor keeps a worker within its memory budget. Two goroutines
// share the work (see run): the monitor measures memory every interval,
// and whenever the store grows past target, and pauses or resumes the
// worker; the spiller writes values to disk while memory is above target
// (or the process above spill). Disk writes can block for seconds when
// the OS throttles writers; the monitor never waits for them, so the
// worker still pauses in time while tasks add data faster than the disk
// takes it.
type Monitor struct {
	store    *Store
	limit    int64
	th       Thresholds
	interval time.Duration
	// ownsProcess: compare the process's memory with spill and pause;
	// otherwise (a worker sharing its process) only managed memory counts.
	ownsProcess bool
	log         *slog.Logger
	// readProcess returns the process's memory; a test seam.
	readProcess func() (int64, error)
	// OnPause stops or resumes the worker; it is called on every change.
	OnPause func(paused bool, s MemorySample)
	// freeOS returns freed memory to the OS; a test seam.
	freeOS func()
	// Report, if set, passes every measure of the process on (to the
	// nanny, which cannot measure it itself in race builds).
	Report func(process int64)
	// shared, for a worker sharing its process, divides the process's
	// memory among its workers (ShareProcess).
	shared *SharedProcess

	recent windowMin // used by the monitor's goroutine only
	// managedHigh is the most managed memory seen since the released
	// memory was last handed back (freeReleased); monitor's goroutine only.
	managedHigh int64

	mu       sync.Mutex // protects the fields below
	last     MemorySample
	paused   bool
	failed   error     // the last spill error, until spilling works again
	failedAt time.Time // when it happened
	lastFree time.Time // when freeOS last ran while paused
	warned   time.Time // when a pause was last logged as a warning
}

const (
	// warnEvery spaces the warnings of a worker that pauses again and
	// again; the pauses in between are logged at level Info.
	warnEvery = 10 * time.Second
	// minFreeInterval spaces the garbage collections a paused worker
	// forces to see whether its memory is really still above pause.
	minFreeInterval = time.Second
	// retryAfterFailure spaces attempts to spill after one failed.
	retryAfterFailure = time.Second
)

// NewMonitor returns a monitor of store within limit (0: none) and the
// thresholds th, measuring every interval (default 100ms). With
// ownsProcess the process's memory counts; otherwise (a worker sharing its
// process) only managed memory does. Set OnPause and Report before Run.
func NewMonitor(store *Store, limit int64, th Thresholds, interval time.Duration, ownsProcess bool, log *slog.Logger) *Monitor {
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	return &Monitor{
		store: store, limit: limit, th: th, interval: interval, ownsProcess: ownsProcess, log: log,
		readProcess: func() (int64, error) { return ProcessMemory(0) },
		OnPause:     func(bool, MemorySample) {},
		freeOS:      debug.FreeOSMemory,
		recent:      windowMin{span: recentWindow},
	}
}

// ShareProcess makes a monitor of a worker that shares its process report
// its share of the process's memory (see SharedProcess) rather than all
// of it. Call it before Run; a monitor of a worker alone in its process
// ignores it.
func (m *Monitor) ShareProcess(p *SharedProcess) {
	if !m.ownsProcess {
		m.shared = p
	}
}

// Run measures and acts until ctx ends, and returns once the spiller has
// stopped too.
func (m *Monitor) Run(ctx context.Context) {
	if m.shared != nil {
		m.shared.join(m)
		defer m.shared.leave(m)
	}
	wake := make(chan struct{}, 1)
	spilled := make(chan struct{})
	go func() {
		defer close(spilled)
		for {
			select {
			case <-ctx.Done():
				return
			case <-wake:
			}
			m.spill(time.Now())
		}
	}()
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		m.check(time.Now())
		if m.limit > 0 {
			select {
			case wake <- struct{}{}:
			default: // the spiller is busy, and looks again when done
			}
		}
		select {
		case <-ctx.Done():
			<-spilled
			return
		case <-t.C:
		case <-m.store.Grew():
		}
	}
}

// Latest returns the last sample taken.
func (m *Monitor) Latest() MemorySample {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last
}

// check measures memory, pauses or resumes the worker, and publishes the
// sample. It runs on the monitor's goroutine.
func (m *Monitor) check(now time.Time) MemorySample {
	s := m.sample(now)
	if m.freeReleased(s, now) {
		s = m.sample(now)
	}
	if m.limit > 0 {
		m.decidePause(s)
	}
	return m.publish(s)
}

// releasedShare: once managed memory has fallen by this share of the
// limit (values released or spilled) and as much is unmanaged, the monitor
// collects the garbage and hands it back to the OS (see freeReleased).
const releasedShare = 0.1

// freeReleased collects garbage and returns it to the OS after managed
// memory fell by releasedShare of the limit while as much memory is
// unmanaged, at most once per minFreeInterval, and reports whether it did.
// Go collects garbage only as the program allocates: a worker whose data
// was released and that runs nothing more would otherwise keep the
// released values' memory as unmanaged for minutes (until the runtime's
// periodic collection), looking to the advisor, the dashboard and the
// nanny like a leak.
func (m *Monitor) freeReleased(s MemorySample, now time.Time) bool {
	m.managedHigh = max(m.managedHigh, s.Managed)
	if !m.ownsProcess || m.limit <= 0 {
		return false
	}
	step := bytesOf(releasedShare, m.limit)
	if m.managedHigh-s.Managed < step || s.Unmanaged < step {
		return false
	}
	m.mu.Lock()
	due := now.Sub(m.lastFree) >= minFreeInterval
	if due {
		m.lastFree = now
	}
	m.mu.Unlock()
	if !due {
		return false
	}
	m.managedHigh = s.Managed
	m.freeOS()
	return true
}

// spill writes least recently used values to disk, one at a time, while
// managed memory is above target or, when the process was above spill, until
// the process's excess over target is covered. It runs on the spiller's
// goroutine.
func (m *Monitor) spill(now time.Time) {
	if m.limit <= 0 {
		return
	}
	m.mu.Lock()
	backoff := m.failed != nil && now.Sub(m.failedAt) < retryAfterFailure
	m.mu.Unlock()
	if backoff {
		return
	}
	s := m.Measure(now)
	_, procNeed := m.spillNeed(s)
	forProcess := false
	for {
		targetNeed, _ := m.spillNeed(s)
		if targetNeed <= 0 && procNeed <= 0 {
			m.setFailed(nil, now)
			break
		}
		freed, err := m.store.Spill(1) // the least recently used value
		m.setFailed(err, time.Now())
		if err != nil || freed == 0 {
			break
		}
		if procNeed > 0 {
			procNeed -= freed
			forProcess = true
		}
		s = m.Measure(time.Now())
	}
	if forProcess {
		// The values spilled for the process's sake are garbage now:
		// return them to the OS, so that the next measure does not spill
		// more than needed.
		m.mu.Lock()
		m.lastFree = now
		m.mu.Unlock()
		m.freeOS()
		return
	}
	if m.ownsProcess && m.isPaused() && m.pausedFor(m.Measure(time.Now())) {
		// Still above pause with nothing left to spill: garbage may be all
		// that keeps it there.
		m.mu.Lock()
		due := now.Sub(m.lastFree) >= minFreeInterval
		if due {
			m.lastFree = now
		}
		m.mu.Unlock()
		if due {
			m.freeOS()
		}
	}
}

// SpillToTarget spills, on the caller's goroutine, what managed memory has
// over target. A task's goroutine calls it after storing its result, and
// a fetch's after storing what arrived, before the thread or the fetch
// slot is free again: data then cannot pile up faster than the disk takes
// it (Dask's spill buffer works this way too). Failures are recorded as
// the spiller's are.
func (m *Monitor) SpillToTarget() {
	target := bytesOf(m.th.Target, m.limit)
	if target <= 0 {
		return
	}
	need := m.store.Managed() - target
	if need <= 0 {
		return
	}
	m.mu.Lock()
	backoff := m.failed != nil && time.Since(m.failedAt) < retryAfterFailure
	m.mu.Unlock()
	if backoff {
		return
	}
	if _, err := m.store.Spill(need); err != nil {
		m.setFailed(err, time.Now())
	}
}

// sample measures the process and the store, and tracks recent unmanaged
// memory. Only the monitor's goroutine calls it.
func (m *Monitor) sample(now time.Time) MemorySample {
	s := m.Measure(now)
	old := m.recent.add(now, s.Unmanaged)
	s.UnmanagedRecent = s.Unmanaged - old
	return s
}

// Measure measures the process and the store.
func (m *Monitor) Measure(now time.Time) MemorySample {
	st := m.store.Stats()
	s := MemorySample{Time: now, Limit: m.limit, Managed: st.Managed, Spilled: st.Spilled, SpilledKeys: st.SpilledKeys, Disk: st.Disk}
	if p, err := m.readProcess(); err == nil {
		s.Process = p
	}
	s.Unmanaged = max(s.Process-s.Managed, 0)
	if m.shared != nil {
		s.Unmanaged = m.shared.unmanaged(m, s.Managed, s.Process)
		s.Process = s.Managed + s.Unmanaged
	}
	return s
}

func (m *Monitor) publish(s MemorySample) MemorySample {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.Paused = m.paused
	s.SpillFailed = m.failed != nil
	m.last = s
	if m.Report != nil {
		m.Report(s.Process)
	}
	return s
}

// processMemory is the memory compared with spill and pause.
func (m *Monitor) processMemory(s MemorySample) int64 {
	if m.ownsProcess {
		return s.Process
	}
	return s.Managed
}

// spillNeed returns how many bytes of managed memory to spill: what passes
// target (forTarget), and what the process has over the goal once past
// spill (forProcess).
func (m *Monitor) spillNeed(s MemorySample) (forTarget, forProcess int64) {
	if target := bytesOf(m.th.Target, m.limit); target > 0 && s.Managed > target {
		forTarget = s.Managed - target
	}
	if spill := bytesOf(m.th.Spill, m.limit); spill > 0 && m.ownsProcess && s.Process > spill {
		forProcess = s.Process - m.th.spillGoal(m.limit)
	}
	return forTarget, forProcess
}

// pausedFor reports whether s calls for a pause: the process is above
// pause, or it is above target or spill while spilling fails.
func (m *Monitor) pausedFor(s MemorySample) bool {
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

func (m *Monitor) isPaused() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.paused
}

// decidePause pauses or resumes the worker as s calls for.
func (m *Monitor) decidePause(s MemorySample) {
	want := m.pausedFor(s)
	m.mu.Lock()
	changed := want != m.paused
	m.paused = want
	failed := m.failed
	level := slog.LevelInfo
	if want && changed && s.Time.Sub(m.warned) >= warnEvery {
		level, m.warned = slog.LevelWarn, s.Time
	}
	m.mu.Unlock()
	if !changed {
		return
	}
	s.Paused = want
	attrs := []any{"process", config.FormatBytes(m.processMemory(s)), "managed", config.FormatBytes(s.Managed),
		"spilled", config.FormatBytes(s.Spilled), "limit", config.FormatBytes(m.limit)}
	ctx := context.Background()
	switch {
	case want && failed != nil:
		m.log.Log(ctx, level, "pausing: memory is above target and values cannot be spilled", append(attrs, "err", failed)...)
	case want:
		m.log.Log(ctx, level, "pausing: memory is above the pause threshold; no new tasks or fetches until it is below", append(attrs, "pause", m.th.Pause)...)
	default:
		m.log.Info("resuming: memory is below the pause threshold", attrs...)
	}
	m.OnPause(want, s)
}

// setFailed records the outcome of a spill at time at: err, or nil once
// spilling works or is not needed any more. The first failure and the
// recovery are logged.
func (m *Monitor) setFailed(err error, at time.Time) {
	m.mu.Lock()
	was := m.failed
	m.failed = err
	if err != nil {
		m.failedAt = at
	}
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
