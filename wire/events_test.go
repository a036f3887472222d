package wire

import (
	"reflect"
	"testing"
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
)

func TestEventsSurviveTheWire(t *testing.T) {
	at := time.Unix(100, 5)
	in := []event.Event{
		{Kind: event.TaskRun, Time: at, Key: "inc-1", Worker: "w", Thread: 2, Start: at, Stop: at.Add(time.Second), NBytes: 8, Detail: "int"},
		{Kind: event.WorkerSample, Time: at, Worker: "w", Memory: &event.MemorySample{Managed: 1, Unmanaged: 2, Spilled: 3, Limit: 4, CPU: 0.5, Paused: true}},
		{Kind: event.Transfer, Time: at, Key: "x-1", Worker: "a", Peer: "b", NBytes: 99, Start: at, Stop: at},
		{Kind: event.Log, Time: at, Key: "INFO", Detail: "hello"},
		{Kind: event.Transition, Time: at, Key: "inc-1", Worker: "w", From: "processing", To: "memory", Cause: 42, Stimulus: "task-finished"},
	}
	out := EventsFromPB(EventsToPB(in))
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", out, in)
	}
}
