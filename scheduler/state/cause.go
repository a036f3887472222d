package state

import "strconv"

// Cause identifies one event handled by a State: Handle numbers them 1, 2,
// 3, ... Every transition, action and diagnostic event carries the cause
// of the event whose handling produced it, so that a task's story says why
// each of its moves happened.
type Cause uint64

// EventKind names the type of an Event.
type EventKind uint8

// The kinds of event, one per Event type.
const (
	KindWorkerAdded EventKind = iota + 1
	KindWorkerRemoved
	KindWorkerRetiring
	KindClientAdded
	KindClientRemoved
	KindGraphSubmitted
	KindKeysReleased
	KindKeysCancelled
	KindKeysScattered
	KindTaskStarted
	KindTaskFinished
	KindTaskFailed
	KindKeysAdded
	KindDataMissing
	KindTaskRejected
	KindStealReplied
	KindHeartbeat
	KindTick
	KindRestarted
	KindCoordRequested
	KindCoordCancelled
	KindReplicasRequested
	KindRebalanceRequested
)

var eventKindNames = [...]string{
	KindWorkerAdded:        "worker-added",
	KindWorkerRemoved:      "worker-removed",
	KindWorkerRetiring:     "worker-retiring",
	KindClientAdded:        "client-added",
	KindClientRemoved:      "client-removed",
	KindGraphSubmitted:     "graph-submitted",
	KindKeysReleased:       "keys-released",
	KindKeysCancelled:      "keys-cancelled",
	KindKeysScattered:      "keys-scattered",
	KindTaskStarted:        "task-started",
	KindTaskFinished:       "task-finished",
	KindTaskFailed:         "task-failed",
	KindKeysAdded:          "keys-added",
	KindDataMissing:        "data-missing",
	KindTaskRejected:       "task-rejected",
	KindStealReplied:       "steal-replied",
	KindHeartbeat:          "heartbeat",
	KindTick:               "tick",
	KindRestarted:          "restarted",
	KindCoordRequested:     "coord-requested",
	KindCoordCancelled:     "coord-cancelled",
	KindReplicasRequested:  "replicas-requested",
	KindRebalanceRequested: "rebalance-requested",
}

// String returns the kind's name: the event's type in lower case, words
// joined by "-" ("task-finished").
func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && eventKindNames[k] != "" {
		return eventKindNames[k]
	}
	return "event(" + strconv.Itoa(int(k)) + ")"
}

// Stimulus is an event as a cause: its number, its kind and where it came
// from.
type Stimulus struct {
	Cause Cause
	Kind  EventKind
	// Source is the worker or client the event came from; "" for ticks
	// and restarts.
	Source string
}

// String writes the stimulus as "#7 task-finished from w1".
func (st Stimulus) String() string {
	s := "#" + strconv.FormatUint(uint64(st.Cause), 10) + " " + st.Kind.String()
	if st.Source != "" {
		s += " from " + st.Source
	}
	return s
}
