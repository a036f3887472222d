package event

import (
	"fmt"
	"strings"
)

// Story returns the transitions of key among evs, oldest first: the
// key's story as the event stream tells it, each step with the cause
// (the scheduler's stimulus) that made it.
func Story(evs []Event, key string) []Event {
	var out []Event
	for _, e := range evs {
		if e.Kind == Transition && e.Key == key {
			out = append(out, e)
		}
	}
	return out
}

// FormatStory writes a story one transition a line: time, from → to,
// worker, cause and stimulus.
func FormatStory(story []Event) string {
	var b strings.Builder
	for _, e := range story {
		fmt.Fprintf(&b, "%s %s -> %s", e.Time.Format("15:04:05.000000"), e.From, e.To)
		if e.Worker != "" {
			fmt.Fprintf(&b, " on %s", e.Worker)
		}
		if e.Cause != 0 {
			fmt.Fprintf(&b, " (cause %d: %s)", e.Cause, e.Stimulus)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
