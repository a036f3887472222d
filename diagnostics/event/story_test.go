package event

import (
	"strings"
	"testing"
	"time"
)

func TestStoryFiltersTransitionsOfOneKey(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	evs := []Event{
		{Kind: Transition, Key: "a", From: "released", To: "waiting", Time: at, Cause: 1, Stimulus: "graph-submitted"},
		{Kind: Transition, Key: "b", From: "released", To: "waiting", Time: at, Cause: 1, Stimulus: "graph-submitted"},
		{Kind: TaskRun, Key: "a", Worker: "w1", Time: at},
		{Kind: Transition, Key: "a", From: "waiting", To: "processing", Worker: "w1", Time: at, Cause: 2, Stimulus: "worker-added"},
	}
	s := Story(evs, "a")
	if len(s) != 2 || s[0].To != "waiting" || s[1].To != "processing" {
		t.Fatalf("story of a = %+v", s)
	}
	text := FormatStory(s)
	want := "03:04:05.000000 waiting -> processing on w1 (cause 2: worker-added)"
	if !strings.Contains(text, want) {
		t.Fatalf("story text %q lacks %q", text, want)
	}
}
