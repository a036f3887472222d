package dusk

import (
	"bytes"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"
)

// here returns the call site of its caller, as Compute records it.
func here() callSite {
	var cs callSite
	cs.n = runtime.Callers(2, cs.pcs[:])
	return cs
}

func TestLoopWatch(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	lw := newLoopWatch()
	now := time.Unix(1000, 0)
	inLoop, other := here(), here() // two lines of code
	for i := range lw.calls - 1 {
		lw.computed(log, inLoop, 3, now.Add(time.Duration(i)*time.Millisecond))
		lw.computed(log, other, 1000, now) // a large graph is no loop
	}
	if buf.Len() != 0 {
		t.Fatalf("warned before %d calls: %s", lw.calls, buf.String())
	}
	lw.computed(log, inLoop, 3, now.Add(time.Second))
	out := buf.String()
	if !strings.Contains(out, "dusk.Compute is called in a loop") || !strings.Contains(out, "loopwatch_test.go:") ||
		!strings.Contains(out, "calls=50") || !strings.Contains(out, "ComputeAll") {
		t.Fatalf("warning = %q", out)
	}
	buf.Reset()
	for range 2 * lw.calls {
		lw.computed(log, inLoop, 3, now.Add(2*time.Second))
	}
	if buf.Len() != 0 {
		t.Fatalf("warned twice for one line: %s", buf.String())
	}
}

func TestLoopWatchWindow(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	lw := newLoopWatch()
	now := time.Unix(1000, 0)
	line := here()
	// One call every half window: never calls calls within one window.
	for i := range 3 * lw.calls {
		lw.computed(log, line, 1, now.Add(time.Duration(i)*lw.window/2))
	}
	if buf.Len() != 0 {
		t.Fatalf("slow, spread-out calls taken for a loop: %s", buf.String())
	}
}
