package store

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dusk-go/dusk/graph"
)

// fakeProcess is a process memory the test sets.
type fakeProcess struct {
	mu  sync.Mutex
	mem int64
}

func (f *fakeProcess) set(n int64) {
	f.mu.Lock()
	f.mem = n
	f.mu.Unlock()
}

func (f *fakeProcess) read() (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mem, nil
}

type monitorRig struct {
	m      *Monitor
	s      *Store
	d      *SpillDir
	proc   *fakeProcess
	pauses []bool
	frees  int
}

func newMonitorRig(t *testing.T, limit int64, owns bool) *monitorRig {
	s, d := spillingStore(t, 0)
	r := &monitorRig{s: s, d: d, proc: &fakeProcess{}}
	r.m = NewMonitor(s, limit, DefaultThresholds(), time.Hour, owns, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r.m.readProcess = r.proc.read
	r.m.OnPause = func(p bool, _ MemorySample) { r.pauses = append(r.pauses, p) }
	r.m.freeOS = func() { r.frees++ }
	return r
}

const kib = 1 << 10

// round does what the monitor and the spiller do in turn: measure and
// decide, spill, measure and decide again.
func (r *monitorRig) round(now time.Time) MemorySample {
	r.m.check(now)
	r.m.spill(now)
	return r.m.check(now)
}

// Above target, managed memory is spilled back to target.
func TestMonitorSpillsManagedAboveTarget(t *testing.T) {
	r := newMonitorRig(t, 1000*kib, true) // target 600 KiB
	for i := range 8 {
		r.s.Put(keyN(i), randomBytes(uint64(i), 100*kib))
	}
	r.proc.set(200 * kib) // the process alone would not call for anything
	s := r.round(time.Now())
	if s.Managed > 600*kib || s.Managed < 500*kib {
		t.Fatalf("managed after the check = %d KiB, want just under target", s.Managed/kib)
	}
	if s.SpilledKeys != 3 || s.Spilled == 0 || s.Disk < 3*100*kib {
		t.Fatalf("sample after spilling = %+v", s)
	}
	if r.frees != 0 || len(r.pauses) != 0 {
		t.Fatalf("frees %d, pauses %v: neither was called for", r.frees, r.pauses)
	}
}

// Above spill, process memory is spilled until the process would be back
// at target, and the freed memory is handed back to the OS.
func TestMonitorSpillsForProcessAboveSpill(t *testing.T) {
	r := newMonitorRig(t, 1000*kib, true)
	for i := range 4 {
		r.s.Put(keyN(i), randomBytes(uint64(i), 100*kib))
	}
	r.proc.set(750 * kib) // above spill (700): 150 KiB over target
	s := r.round(time.Now())
	if s.SpilledKeys != 2 {
		t.Fatalf("spilled %d values, want 2 (150 KiB over target)", s.SpilledKeys)
	}
	if r.frees != 1 {
		t.Fatalf("freeOS called %d times, want once", r.frees)
	}
	// A worker that shares its process ignores the process's memory.
	r2 := newMonitorRig(t, 1000*kib, false)
	r2.s.Put("a", randomBytes(1, 100*kib))
	r2.proc.set(990 * kib)
	if s := r2.round(time.Now()); s.SpilledKeys != 0 || len(r2.pauses) != 0 {
		t.Fatalf("in-process worker acted on process memory: %+v, pauses %v", s, r2.pauses)
	}
}

// Above pause the worker pauses; below it, it resumes. While paused with
// nothing to spill it forces a collection at most once a second.
func TestMonitorPausesAndResumes(t *testing.T) {
	r := newMonitorRig(t, 1000*kib, true)
	r.proc.set(850 * kib)
	now := time.Now()
	s := r.round(now)
	if !s.Paused || len(r.pauses) != 1 || !r.pauses[0] {
		t.Fatalf("above pause: sample %+v, pauses %v", s, r.pauses)
	}
	if r.frees != 1 {
		t.Fatalf("a paused worker with nothing to spill should collect garbage once, did %d", r.frees)
	}
	r.round(now.Add(100 * time.Millisecond))
	if r.frees != 1 || len(r.pauses) != 1 {
		t.Fatalf("second check: frees %d, pauses %v", r.frees, r.pauses)
	}
	r.round(now.Add(1100 * time.Millisecond))
	if r.frees != 2 {
		t.Fatalf("a second later: frees %d, want 2", r.frees)
	}
	r.proc.set(500 * kib)
	s = r.round(now.Add(2 * time.Second))
	if s.Paused || len(r.pauses) != 2 || r.pauses[1] {
		t.Fatalf("below pause: sample %+v, pauses %v", s, r.pauses)
	}
}

// When values cannot be spilled (full disk) while memory is above target,
// the worker pauses rather than grow, and resumes once spilling works.
func TestMonitorPausesWhenSpillingFails(t *testing.T) {
	r := newMonitorRig(t, 1000*kib, true)
	full := true
	r.d.writeFile = func(path string, parts ...[]byte) error {
		if full {
			return &os.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
		}
		return writeNewFile(path, parts...)
	}
	for i := range 8 {
		r.s.Put(keyN(i), randomBytes(uint64(i), 100*kib))
	}
	r.proc.set(300 * kib)
	s := r.round(time.Now())
	if !s.Paused || !s.SpillFailed || s.SpilledKeys != 0 || s.Managed != r.s.Managed() {
		t.Fatalf("with a full disk: %+v", s)
	}
	if !errors.Is(r.m.failed, ErrSpillFull) {
		t.Fatalf("recorded error %v", r.m.failed)
	}
	full = false
	// Spilling is retried a second after a failure.
	s = r.round(time.Now().Add(2 * time.Second))
	if s.Paused || s.SpillFailed || s.SpilledKeys == 0 {
		t.Fatalf("once the disk has room: %+v", s)
	}
	if len(r.pauses) != 2 || !r.pauses[0] || r.pauses[1] {
		t.Fatalf("pauses = %v", r.pauses)
	}
}

// Without a limit nothing is spilled or paused, but memory is measured.
func TestMonitorWithoutLimit(t *testing.T) {
	r := newMonitorRig(t, 0, true)
	r.s.Put("a", randomBytes(1, 100*kib))
	r.proc.set(1 << 40)
	s := r.round(time.Now())
	if s.Process != 1<<40 || s.Managed == 0 || s.SpilledKeys != 0 || s.Paused {
		t.Fatalf("sample = %+v", s)
	}
}

// Recent unmanaged memory is what appeared within the window.
func TestUnmanagedRecent(t *testing.T) {
	m := windowMin{span: 30 * time.Second}
	t0 := time.Unix(0, 0)
	if got := m.add(t0, 100); got != 100 {
		t.Fatal(got)
	}
	if got := m.add(t0.Add(10*time.Second), 300); got != 100 {
		t.Fatalf("min = %d, want 100", got)
	}
	if got := m.add(t0.Add(20*time.Second), 200); got != 100 {
		t.Fatalf("min = %d, want 100", got)
	}
	// 100 is now older than the window.
	if got := m.add(t0.Add(35*time.Second), 250); got != 200 {
		t.Fatalf("min = %d, want 200", got)
	}
	if got := m.add(t0.Add(36*time.Second), 50); got != 50 {
		t.Fatalf("min = %d, want 50", got)
	}
}

func TestThresholds(t *testing.T) {
	d := DefaultThresholds()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := d.GoMemoryLimit(1000); got != 700 {
		t.Fatalf("GOMEMLIMIT of 1000 = %d, want the spill fraction, 700", got)
	}
	if got := (Thresholds{Target: 0.5, Terminate: 0.9}).GoMemoryLimit(1000); got != 900 {
		t.Fatalf("GOMEMLIMIT without spill or pause = %d", got)
	}
	if got := (Thresholds{}).GoMemoryLimit(1000); got != 1000 {
		t.Fatalf("GOMEMLIMIT with every threshold off = %d", got)
	}
	if err := (Thresholds{Target: 0.8, Spill: 0.7}).Validate(); err == nil {
		t.Fatal("falling thresholds accepted")
	}
	if err := (Thresholds{Target: 0.8, Spill: 0, Pause: 0.9}).Validate(); err != nil {
		t.Fatalf("a disabled threshold is skipped: %v", err)
	}
	if err := (Thresholds{Pause: 1.5}).Validate(); err == nil {
		t.Fatal("a fraction above 1 accepted")
	}
}

func keyN(i int) graph.Key { return graph.Key(rune('a' + i)) }

// A disk that blocks the spiller does not keep the worker from pausing.
func TestMonitorPausesWhileTheDiskIsSlow(t *testing.T) {
	r := newMonitorRig(t, 1000*kib, true)
	r.m.interval = time.Millisecond
	blocked := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	r.d.writeFile = func(path string, parts ...[]byte) error {
		once.Do(func() { close(blocked) })
		<-release
		return writeNewFile(path, parts...)
	}
	var mu sync.Mutex
	var pauses []bool
	r.m.OnPause = func(p bool, _ MemorySample) {
		mu.Lock()
		pauses = append(pauses, p)
		mu.Unlock()
	}
	for i := range 8 {
		r.s.Put(keyN(i), randomBytes(uint64(i), 100*kib))
	}
	r.proc.set(700 * kib) // above target only
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.m.Run(ctx) }()
	defer func() { cancel(); close(release); <-done }()
	deadline := time.After(time.Minute)
	select {
	case <-blocked:
	case <-deadline:
		t.Fatal("the spiller never wrote")
	}
	r.proc.set(900 * kib) // tasks keep adding: above pause
	for {
		mu.Lock()
		n := len(pauses)
		mu.Unlock()
		if n > 0 {
			break
		}
		select {
		case <-deadline:
			t.Fatal("no pause while the spiller is blocked")
		case <-time.After(time.Millisecond):
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !pauses[0] {
		t.Fatalf("pauses = %v", pauses)
	}
}

// Once values are released and the memory they held stays in the process,
// the monitor collects it and hands it back to the OS, at most once per
// minFreeInterval and only for its own process: Go collects garbage as
// the program allocates, and an idle worker allocates nothing.
func TestMonitorFreesReleasedMemory(t *testing.T) {
	r := newMonitorRig(t, 1000*kib, true)
	for i := range 4 {
		r.s.Put(keyN(i), randomBytes(uint64(i), 100*kib))
	}
	now := time.Now()
	r.proc.set(450 * kib)
	r.m.check(now)
	r.s.Delete(keyN(0), keyN(1), keyN(2)) // 300 KiB released, still in the process
	r.m.check(now.Add(time.Millisecond))
	if r.frees != 1 {
		t.Fatalf("freeOS called %d times after 300 KiB were released, want once", r.frees)
	}
	r.s.Delete(keyN(3))
	r.m.check(now.Add(2 * time.Millisecond))
	if r.frees != 1 {
		t.Fatalf("freeOS called %d times within %v, want once", r.frees, minFreeInterval)
	}
	r.s.Put(keyN(4), randomBytes(4, 200*kib))
	r.m.check(now.Add(minFreeInterval))
	r.s.Delete(keyN(4))
	r.m.check(now.Add(minFreeInterval + time.Millisecond))
	if r.frees != 2 {
		t.Fatalf("freeOS called %d times after 200 KiB more were released, want twice", r.frees)
	}
	// Little released, or little unmanaged: nothing to collect.
	r.proc.set(50 * kib)
	r.s.Put(keyN(5), randomBytes(5, 300*kib))
	r.m.check(now.Add(3 * minFreeInterval))
	r.s.Delete(keyN(5))
	r.m.check(now.Add(3*minFreeInterval + time.Millisecond))
	if r.frees != 2 {
		t.Fatalf("freeOS called with 50 KiB unmanaged")
	}
	// A worker sharing its process leaves the process's memory alone.
	r2 := newMonitorRig(t, 1000*kib, false)
	r2.s.Put("a", randomBytes(1, 300*kib))
	r2.proc.set(900 * kib)
	r2.m.check(now)
	r2.s.Delete("a")
	r2.m.check(now.Add(time.Millisecond))
	if r2.frees != 0 {
		t.Fatalf("in-process worker freed the process's memory")
	}
}

// Workers sharing a process divide its memory: each reports its own
// managed memory and an equal share of the rest, so that their figures add
// up to the process's instead of each claiming all of it.
func TestSharedProcessDividesItsMemory(t *testing.T) {
	p := NewSharedProcess()
	a, b := newMonitorRig(t, 0, false), newMonitorRig(t, 0, false)
	for _, r := range []*monitorRig{a, b} {
		r.m.ShareProcess(p)
		p.join(r.m)
		r.proc.set(1000 * kib)
	}
	a.s.Put("x", randomBytes(1, 300*kib))
	b.s.Put("y", randomBytes(2, 100*kib))
	now := time.Now()
	a.m.Measure(now) // each measure records the worker's managed memory
	sb := b.m.Measure(now)
	sa := a.m.Measure(now)
	want := (1000*kib - sa.Managed - sb.Managed) / 2
	if sa.Managed < 300*kib || sb.Managed < 100*kib || sa.Unmanaged != want || sb.Unmanaged != want {
		t.Fatalf("managed %d and %d, unmanaged %d and %d bytes, want %d each", sa.Managed, sb.Managed, sa.Unmanaged, sb.Unmanaged, want)
	}
	if got := sa.Process + sb.Process; got != 1000*kib {
		t.Fatalf("the workers' process figures add up to %d KiB, want the process's 1000", got/kib)
	}
	// A worker alone in its process ignores the share.
	c := newMonitorRig(t, 0, true)
	c.m.ShareProcess(p)
	c.proc.set(1000 * kib)
	if s := c.m.Measure(now); s.Process != 1000*kib || s.Unmanaged != 1000*kib {
		t.Fatalf("a worker owning its process reports %+v", s)
	}
}
