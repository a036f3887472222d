package gcfloor

import (
	"runtime"
	"runtime/metrics"
	"testing"
)

func gogc(t *testing.T) int {
	t.Helper()
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		base        int
		floor, live int64
		want        int
	}{
		{100, 64 << 20, 8 << 20, 800},     // 8 MiB live may grow by 64 MiB
		{100, 64 << 20, 64 << 20, 100},    // the floor and GOGC agree
		{100, 64 << 20, 1 << 30, 100},     // a large heap: GOGC's rule
		{300, 64 << 20, 32 << 20, 300},    // never under GOGC
		{100, 64 << 20, 3 << 20, 2134},    // rounded up
		{100, 64 << 20, 1, maxPercent},    // bounded
		{100, 64 << 20, 0, maxPercent},    // nothing live yet
		{100, 64 << 20, 640 << 10, 10240}, // 640 KiB
	} {
		if got := Percent(c.base, c.floor, c.live); got != c.want {
			t.Errorf("Percent(%d, %d, %d) = %d, want %d", c.base, c.floor, c.live, got, c.want)
		}
	}
}

// collectOnce runs a collection and waits for the floor to adjust after it.
func collectOnce(t *testing.T) (live int64, percent int) {
	t.Helper()
	type adj struct {
		live    int64
		percent int
	}
	ch := make(chan adj, 1)
	mu.Lock()
	p := process
	p.adjusted = func(l int64, pc int) {
		select {
		case ch <- adj{l, pc}:
		default:
		}
	}
	mu.Unlock()
	runtime.GC() // finds the sentinel armed before it
	a := <-ch
	mu.Lock()
	p.adjusted = nil
	mu.Unlock()
	return a.live, a.percent
}

func TestFloorRaisesThePercentAndStopPutsItBack(t *testing.T) {
	t.Setenv("GOGC", "")
	base := gogc(t)
	stop := Start(512 << 20)
	live, percent := collectOnce(t)
	if want := Percent(base, 512<<20, live); percent != want || gogc(t) != want {
		t.Fatalf("after a collection with %d bytes live: percent %d (collector %d), want %d", live, percent, gogc(t), want)
	}
	if percent <= base {
		t.Fatalf("a test binary's heap (%d bytes live) under a 512 MiB floor kept percent %d", live, percent)
	}
	// Each collection arms the next.
	if _, again := collectOnce(t); again <= base {
		t.Fatalf("second collection: percent %d", again)
	}
	stop()
	if got := gogc(t); got != base {
		t.Fatalf("after stop the collector's percent is %d, want %d back", got, base)
	}
	stop() // twice is once
	if got := gogc(t); got != base {
		t.Fatalf("a second stop changed the percent to %d", got)
	}
}

func TestFloorIsSharedUntilTheLastStop(t *testing.T) {
	t.Setenv("GOGC", "")
	base := gogc(t)
	stop1 := Start(512 << 20)
	stop2 := Start(1 << 20) // the first floor holds
	stop1()
	_, percent := collectOnce(t)
	if percent <= base {
		t.Fatalf("with one user left, percent %d", percent)
	}
	stop2()
	if got := gogc(t); got != base {
		t.Fatalf("after the last stop the percent is %d, want %d", got, base)
	}
	mu.Lock()
	defer mu.Unlock()
	if process != nil {
		t.Fatal("a floor is left after its last stop")
	}
}

func TestGOGCInTheEnvironmentWins(t *testing.T) {
	t.Setenv("GOGC", "100")
	base := gogc(t)
	stop := Start(512 << 20)
	defer stop()
	mu.Lock()
	p := process
	mu.Unlock()
	if p != nil {
		t.Fatal("Start set a floor although GOGC is set")
	}
	runtime.GC()
	if got := gogc(t); got != base {
		t.Fatalf("percent %d, want %d", got, base)
	}
	if stop := Start(0); stop == nil {
		t.Fatal("Start(0) returned no stop")
	}
}
