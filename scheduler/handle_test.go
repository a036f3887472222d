package scheduler

import (
	"testing"

	"github.com/dusk-go/dusk/scheduler/state"
	"github.com/dusk-go/dusk/wire/pb"
)

// TestReportsCarryHandles: the handles a worker echoes beside its
// columns of tasks started and finished reach the core's events; a worker
// that sends none (an older one) gives events without a handle, which the
// core finds by key.
func TestReportsCarryHandles(t *testing.T) {
	r := &pb.TaskReports{
		Started: []string{"a", "b"}, StartedHandle: []uint64{0x100000001, 0x100000002},
		Finished: []string{"a", "c"}, Handle: []uint64{0x100000001},
	}
	evs := reportEvents(nil, "w1", state.At{}, r)
	want := []struct {
		key    string
		handle state.TaskHandle
	}{{"a", 0x100000001}, {"b", 0x100000002}, {"a", 0x100000001}, {"c", 0}}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d", len(evs), len(want))
	}
	for i, ev := range evs {
		var k string
		var h state.TaskHandle
		switch e := ev.(type) {
		case *state.TaskStarted:
			k, h = string(e.Key), e.Handle
		case *state.TaskFinished:
			k, h = string(e.Key), e.Handle
		}
		if k != want[i].key || h != want[i].handle {
			t.Errorf("event %d: %s with handle %x, want %s with %x", i, k, h, want[i].key, want[i].handle)
		}
	}
}
