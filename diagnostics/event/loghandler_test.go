package event

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestLogHandlerTeesRecordsIntoTheRing(t *testing.T) {
	r := NewRing(10)
	var out bytes.Buffer
	inner := slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn})
	log := slog.New(NewLogHandler(inner, r, slog.LevelInfo)).With("component", "scheduler")
	log.Debug("not recorded")
	log.Info("worker joined", "worker", "127.0.0.1:1", "threads", 2)
	log.WithGroup("g").Warn("slow", "reason", "two words")

	evs := r.Snapshot()
	if len(evs) != 2 {
		t.Fatalf("recorded %d events, want 2: %+v", len(evs), evs)
	}
	if e := evs[0]; e.Kind != Log || e.Key != "INFO" || e.Detail != "worker joined component=scheduler worker=127.0.0.1:1 threads=2" {
		t.Errorf("first event = %+v", e)
	}
	if e := evs[1]; e.Key != "WARN" || e.Detail != `slow component=scheduler g.reason="two words"` {
		t.Errorf("second event = %+v", e)
	}
	// The inner handler still gets what it wants, and only that.
	if s := out.String(); strings.Contains(s, "worker joined") || !strings.Contains(s, "slow") {
		t.Errorf("inner handler wrote %q", s)
	}
}

func TestParseKindIsStringsInverse(t *testing.T) {
	for k := Transition; k <= Reset; k++ {
		if got := ParseKind(k.String()); got != k {
			t.Errorf("ParseKind(%q) = %v", k.String(), got)
		}
	}
	if ParseKind("nonsense") != 0 {
		t.Error("ParseKind accepted nonsense")
	}
}
